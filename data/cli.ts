import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../lib/config';
import { createProgress, formatCount, formatDuration, type ProgressStream } from '../lib/progress';
import { migrate } from '../store/sqlite/migrate';
import { exampleRecords, generateRegister, REGISTER_TABLES } from './generate';

/**
 * Creates a synthetic register database:
 *
 *   node dist/data/cli.js [--households N] [--seed S] [--db PATH] [--force]
 *
 * Defaults come from the configuration (RIS_HOUSEHOLDS, RIS_SEED, RIS_DB_PATH). An existing
 * non-empty database is left alone unless --force, which deletes it with its -wal/-shm files.
 * Prints a summary (rows per table, time, persons/s, file size) and the README example records.
 */

export class UsageError extends Error {}

export const USAGE = 'usage: node dist/data/cli.js [--households N] [--seed S] [--db PATH] [--force]';

export interface CliOptions {
  households: number;
  seed: number;
  db: string;
  force: boolean;
}

function wholeNumber(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || raw.startsWith('--')) {
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got nothing`);
  }
  const value = Number(raw.replace(/_/g, ''));
  if (!/^\d[\d_]*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Parses the arguments (without "node" and the script), with defaults from `defaults`. */
export function parseArgs(argv: readonly string[], defaults: CliOptions): CliOptions {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--households':
        options.households = wholeNumber('--households', value(), 1, 10_000_000);
        break;
      case '--seed':
        options.seed = wholeNumber('--seed', value(), 0, 2 ** 31 - 1);
        break;
      case '--db': {
        const db = value();
        if (db === undefined || db === '' || db.startsWith('--')) throw new UsageError(`--db: expected a file path, got ${db === undefined ? 'nothing' : JSON.stringify(db)}`);
        options.db = db;
        break;
      }
      case '--force':
        if (inline !== undefined) throw new UsageError(`--force: expected no value, got ${JSON.stringify(inline)}`);
        options.force = true;
        break;
      default:
        throw new UsageError(`expected one of --households, --seed, --db, --force, got ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return options;
}

/** True when `file` exists and is not an empty file. */
function existsNonEmpty(file: string): boolean {
  try {
    return fs.statSync(file).size > 0;
  } catch {
    return false;
  }
}

/** Runs the command; returns the process exit code (0 ok, 1 refused/failed, 2 bad arguments). */
export function main(argv: readonly string[], out: ProgressStream = process.stdout, err: ProgressStream = process.stderr): number {
  let options: CliOptions;
  try {
    const config = loadConfig();
    options = parseArgs(argv, { households: config.households, seed: config.seed, db: config.dbPath, force: false });
  } catch (error) {
    err.write(`${(error as Error).message}\n`);
    return 2;
  }

  const file = path.resolve(options.db);
  if (existsNonEmpty(file)) {
    if (!options.force) {
      err.write(`refusing to overwrite ${file}: expected a new or empty database file, got an existing one (${formatMb(fs.statSync(file).size)}); pass --force to replace it\n`);
      return 1;
    }
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });

  const db = new Database(file);
  try {
    migrate(db);
    out.write(`generating ${formatCount(options.households)} households (seed ${options.seed}) into ${file}\n`);
    const progress = createProgress('households', options.households, err);
    const stats = generateRegister(db, { households: options.households, seed: options.seed, onProgress: (done) => progress.tick(done) });
    progress.done();
    const examples = exampleRecords(db);
    db.close();

    const size = fs.statSync(file).size;
    const lines = [
      `households  ${formatCount(stats.households)}`,
      `persons     ${formatCount(stats.persons)}`,
      `time        ${formatDuration(stats.seconds)} (${formatCount(stats.personsPerSecond)} persons/s)`,
      `file        ${file} (${formatMb(size)})`,
      'rows per table:',
      ...REGISTER_TABLES.map((table) => `  ${table.padEnd(24)} ${formatCount(stats.rows[table]).padStart(12)}`),
      'example records (README):',
      JSON.stringify(examples, null, 2),
    ];
    out.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (db.open) db.close();
    err.write(`generation failed: ${(error as Error).message}\n`);
    return 1;
  }
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
