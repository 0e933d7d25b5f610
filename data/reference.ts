import fs from 'node:fs';
import path from 'node:path';
import { referenceDataDir } from '../lib/paths';
import { splitCsvLine } from './import/csv';

/**
 * Typed readers of the reference data in `../shared/data` (see its README): the communes with
 * their CUT codes, the 2017 census by commune × five-year age band × sex, and the number of
 * programmes per ministry and target group. Codes stay strings (leading zeros: "01101").
 * Used by the generator, and by anyone who needs the territorial division without a database.
 */

export interface RegionRef { code: string; name: string }

export interface CommuneRef {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  regionCode: string;
  regionName: string;
}

export type Sex = 'F' | 'M';

/** One census cell: people of one sex in one age band of one commune. */
export interface CensusCell {
  communeCode: string;
  /** Inclusive bounds of the band in years; the open band "100 o mas" is taken as 100–105. */
  minAge: number;
  maxAge: number;
  sex: Sex;
  population: number;
}

/** The population groups programmes target, as the API names them (enum TargetGroup). */
export const TARGET_GROUPS = [
  'DEPENDENCY',
  'OLDER_ADULTS',
  'INDIGENOUS',
  'CHILDREN_AND_ADOLESCENTS',
  'WOMEN',
  'MULTIDIMENSIONAL_POVERTY',
  'INCOME_POVERTY',
  'GENERAL_POPULATION',
] as const;
export type TargetGroup = (typeof TARGET_GROUPS)[number];

/** The CSV column of programmes_by_ministry.csv holding each target group's count. */
export const TARGET_GROUP_COLUMNS: Readonly<Record<TargetGroup, string>> = {
  DEPENDENCY: 'dependency',
  OLDER_ADULTS: 'older_adults',
  INDIGENOUS: 'indigenous',
  CHILDREN_AND_ADOLESCENTS: 'children_and_adolescents',
  WOMEN: 'women',
  MULTIDIMENSIONAL_POVERTY: 'multidimensional_poverty_population',
  INCOME_POVERTY: 'income_poverty_population',
  GENERAL_POPULATION: 'general_population',
};

/** One row of programmes_by_ministry.csv: how many programmes a ministry has, and per group. */
export interface MinistryProgrammes {
  ministry: string;
  programmes: number;
  groups: Record<TargetGroup, number>;
}

export class ReferenceDataError extends Error {}

/**
 * Parses a CSV file with a header line into records keyed by column name, checking that the
 * expected columns are present. Handles double-quoted fields (the shared files use none today).
 */
export function readCsv(file: string, expectedColumns: readonly string[]): Record<string, string>[] {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length === 0) throw new ReferenceDataError(`${file}: expected a header line, got an empty file`);
  const header = splitCsvLine(lines[0]);
  const missing = expectedColumns.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new ReferenceDataError(
      `${file}: expected columns ${expectedColumns.join(',')}, got ${header.join(',')} (missing ${missing.join(',')})`,
    );
  }
  return lines.slice(1).map((line, i) => {
    const fields = splitCsvLine(line);
    if (fields.length !== header.length) {
      throw new ReferenceDataError(`${file}:${i + 2}: expected ${header.length} fields, got ${fields.length}`);
    }
    const record: Record<string, string> = {};
    header.forEach((column, j) => {
      record[column] = fields[j];
    });
    return record;
  });
}

function wholeNumber(file: string, column: string, raw: string): number {
  const value = Number(raw);
  if (raw === '' || !Number.isInteger(value) || value < 0) {
    throw new ReferenceDataError(`${file}: column ${column}: expected a whole number >= 0, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The 346 communes, in file order (by region, province, code). */
export function loadCommunes(dir: string = referenceDataDir()): CommuneRef[] {
  const file = path.join(dir, 'communes.csv');
  return readCsv(file, ['region_id', 'region_name', 'province_id', 'province_name', 'commune_id', 'commune_name']).map(
    (row) => ({
      code: row.commune_id,
      name: row.commune_name,
      provinceCode: row.province_id,
      provinceName: row.province_name,
      regionCode: row.region_id,
      regionName: row.region_name,
    }),
  );
}

/** The 16 regions, ordered by code, derived from the communes. */
export function regionsOf(communes: readonly CommuneRef[]): RegionRef[] {
  const byCode = new Map<string, string>();
  for (const commune of communes) byCode.set(commune.regionCode, commune.regionName);
  return [...byCode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, name]) => ({ code, name }));
}

const BAND = /^(\d+) a (\d+)$/;
const OPEN_BAND = /^(\d+) o mas$/;

/** Oldest age the generator gives anyone in the open band "100 o mas". */
export const OLDEST_AGE = 105;

/** The 2017 census cells (14,532 rows: 346 communes × 21 bands × 2 sexes). */
export function loadCensus(dir: string = referenceDataDir()): CensusCell[] {
  const file = path.join(dir, 'census2017_commune_age_sex.csv');
  return readCsv(file, ['codigo_comuna', 'edad', 'sexo', 'poblacion']).map((row) => {
    const band = BAND.exec(row.edad);
    const open = OPEN_BAND.exec(row.edad);
    if (!band && !open) {
      throw new ReferenceDataError(`${file}: column edad: expected "N a M" or "N o mas", got ${JSON.stringify(row.edad)}`);
    }
    if (row.sexo !== 'hombres' && row.sexo !== 'mujeres') {
      throw new ReferenceDataError(`${file}: column sexo: expected "hombres" or "mujeres", got ${JSON.stringify(row.sexo)}`);
    }
    const minAge = Number(band ? band[1] : open![1]);
    return {
      communeCode: row.codigo_comuna,
      minAge,
      maxAge: band ? Number(band[2]) : OLDEST_AGE,
      sex: row.sexo === 'mujeres' ? 'F' : 'M',
      population: wholeNumber(file, 'poblacion', row.poblacion),
    };
  });
}

/** The programmes per ministry and target group, in file order. */
export function loadProgrammeCounts(dir: string = referenceDataDir()): MinistryProgrammes[] {
  const file = path.join(dir, 'programmes_by_ministry.csv');
  const columns = Object.values(TARGET_GROUP_COLUMNS);
  return readCsv(file, ['ministry', 'programmes', ...columns]).map((row) => {
    const programmes = wholeNumber(file, 'programmes', row.programmes);
    const groups = {} as Record<TargetGroup, number>;
    for (const group of TARGET_GROUPS) {
      const column = TARGET_GROUP_COLUMNS[group];
      const count = wholeNumber(file, column, row[column]);
      if (count > programmes) {
        throw new ReferenceDataError(
          `${file}: ${row.ministry}: expected ${column} <= programmes (${programmes}), got ${count}`,
        );
      }
      groups[group] = count;
    }
    return { ministry: row.ministry, programmes, groups };
  });
}
