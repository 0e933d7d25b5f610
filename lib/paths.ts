import fs from 'node:fs';
import path from 'node:path';

/**
 * The project root (the folder holding package.json), found from this file so that the same code
 * works from the TypeScript sources (tests) and from the compiled `dist/` (npm start).
 */
export const projectRoot: string = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

/** A path inside the project, from its root. */
export function fromRoot(...parts: string[]): string {
  return path.join(projectRoot, ...parts);
}

/** The reference data folder (communes, census, programmes): ../shared/data beside the checkout. */
export function referenceDataDir(): string {
  const candidates = [process.env.RIS_REFERENCE_DATA, fromRoot('..', 'shared', 'data'), fromRoot('data', 'reference')];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, 'communes.csv'))) return dir;
  }
  throw new Error(
    `expected the reference data (communes.csv, census2017_commune_age_sex.csv, programmes_by_ministry.csv) in RIS_REFERENCE_DATA, ../shared/data or data/reference; found none`,
  );
}
