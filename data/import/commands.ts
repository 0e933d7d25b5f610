import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../lib/config';
import { isoFromNumber, numberFromIso } from '../../lib/dates';
import { formatCount, formatDuration, type ProgressStream } from '../../lib/progress';
import { migrate } from '../../store/sqlite/migrate';
import { exportSnapshot, writeSampleFile } from './export';
import { importSnapshot, ImportRefused, listSnapshots, type ImportResult } from './importer';
import { isRegisterName, REGISTER_NAMES, type RegisterName } from './registers';

/**
 * `ris registers <command>`: import, snapshots, export, sample. Each command takes its arguments
 * (after the command name) and an io pair, and resolves to the exit code: 0 done (an already
 * imported file included), 1 refused or failed (nothing changed), 2 bad arguments.
 */

export interface CommandIo {
  out: { write(text: string): unknown };
  /** Progress bars and errors; a terminal stream (isTTY) gets a bar redrawn in place. */
  err: ProgressStream;
}

export type RegistersCommand = (args: string[], io: CommandIo) => Promise<number>;

export class UsageError extends Error {}

export const USAGE = [
  'usage: ris registers import --register <register> --file F.csv [--db PATH] [--as-of YYYY-MM-DD] [--force]',
  '       ris registers snapshots [--register <register>] [--db PATH]',
  '       ris registers export --register <register> --file F.csv [--db PATH]',
  '       ris registers sample --register <register> --rows N --as-of YYYY-MM-DD --file F.csv [--seed S]',
  `registers: ${REGISTER_NAMES.join(', ')}`,
].join('\n');

type Flags = Map<string, string | true>;

const VALUED = new Set(['--register', '--file', '--db', '--as-of', '--rows', '--seed']);
const SWITCHES = new Set(['--force']);

function parseFlags(args: readonly string[], allowed: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (!allowed.includes(flag)) throw new UsageError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(arg)}`);
    if (SWITCHES.has(flag)) {
      if (inline !== undefined) throw new UsageError(`${flag}: expected no value, got ${JSON.stringify(inline)}`);
      flags.set(flag, true);
    } else if (VALUED.has(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw new UsageError(`${flag}: expected a value, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
      }
      flags.set(flag, value);
    }
  }
  return flags;
}

function text(flags: Flags, flag: string): string | undefined {
  const value = flags.get(flag);
  return typeof value === 'string' ? value : undefined;
}

function required(flags: Flags, flag: string, what: string): string {
  const value = text(flags, flag);
  if (value === undefined) throw new UsageError(`${flag}: expected ${what}, got nothing`);
  return value;
}

function register(flags: Flags, needed: boolean): RegisterName | undefined {
  const value = needed ? required(flags, '--register', `one of ${REGISTER_NAMES.join(', ')}`) : text(flags, '--register');
  if (value === undefined) return undefined;
  if (!isRegisterName(value)) throw new UsageError(`--register: expected one of ${REGISTER_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

function asOf(flags: Flags): number | undefined {
  const value = text(flags, '--as-of');
  if (value === undefined) return undefined;
  const iso = /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value;
  const parsed = numberFromIso(iso);
  if (parsed === null) throw new UsageError(`--as-of: expected a real date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return parsed;
}

function wholeNumber(flags: Flags, flag: string, min: number, max: number): number | undefined {
  const value = text(flags, flag);
  if (value === undefined) return undefined;
  const parsed = Number(value.replace(/_/g, ''));
  if (!/^\d[\d_]*$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** The database: --db, else RIS_DB_PATH (lib/config). It must exist: imports fill a generated or migrated register. */
function openDatabase(flags: Flags): { db: Database.Database; file: string } {
  const file = path.resolve(text(flags, '--db') ?? loadConfig().dbPath);
  if (!fs.existsSync(file)) throw new ImportRefused(`expected an existing register database, got ${JSON.stringify(file)} which does not exist`);
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  db.pragma('cache_size = -262144');
  db.pragma('temp.cache_size = -262144');
  migrate(db);
  return { db, file };
}

function summary(result: ImportResult, dbFile: string): string {
  if (result.status === 'already-imported') {
    return `${path.basename(result.file)} already imported on ${result.importedAt} as the ${result.register} snapshot of ${isoFromNumber(result.asOf)} (same SHA-256 ${result.sha256.slice(0, 12)}…); nothing changed\n`;
  }
  const { counts } = result;
  const rate = result.seconds > 0 ? counts.read / result.seconds : 0;
  const row = (label: string, value: number, tail = ''): string => `  ${label.padEnd(10)} ${formatCount(value).padStart(12)}${tail}`;
  const lines = [
    `imported the ${result.register} snapshot of ${isoFromNumber(result.asOf)} from ${result.file} into ${dbFile}`,
    row('read', counts.read),
    row('accepted', counts.accepted),
    row('rejected', counts.rejected, result.rejectsFile ? `  → ${result.rejectsFile}` : ''),
    row('new', counts.new),
    row('changed', counts.changed),
    row('removed', counts.removed),
    row('unchanged', counts.unchanged),
    `  ${'seconds'.padEnd(10)} ${result.seconds.toFixed(1).padStart(12)}  (${formatCount(rate)} rows/s, ${formatDuration(result.seconds)})`,
  ];
  if (result.register === 'civil') {
    lines.push(
      result.identityCacheInvalidated === null
        ? '  identity cache: no identity_cache table in this database, nothing to invalidate'
        : `  identity cache: ${formatCount(result.identityCacheInvalidated)} rows invalidated (RUNs whose document was added, changed or removed)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function runCommand(io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    // A bar interrupted on a terminal leaves the cursor mid-line.
    if (io.err.isTTY) io.err.write('\n');
    if (error instanceof UsageError) {
      io.err.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ImportRefused) {
      io.err.write(`refused: ${error.message}\n`);
      return 1;
    }
    io.err.write(`failed: ${(error as Error).message}; the previous snapshot is unchanged\n`);
    return 1;
  }
}

const importCommand: RegistersCommand = (args, io) =>
  runCommand(io, async () => {
    const flags = parseFlags(args, ['--register', '--file', '--db', '--as-of', '--force']);
    const name = register(flags, true) as RegisterName;
    const file = required(flags, '--file', 'the path of the monthly CSV file');
    const date = asOf(flags);
    const { db, file: dbFile } = openDatabase(flags);
    try {
      const result = await importSnapshot(db, { register: name, file, asOf: date, force: flags.has('--force'), progress: io.err });
      io.out.write(summary(result, dbFile));
      return 0;
    } finally {
      db.close();
    }
  });

const snapshotsCommand: RegistersCommand = (args, io) =>
  runCommand(io, async () => {
    const flags = parseFlags(args, ['--register', '--db']);
    const name = register(flags, false);
    const { db } = openDatabase(flags);
    try {
      const rows = listSnapshots(db, name);
      if (rows.length === 0) {
        io.out.write(`no snapshots imported${name ? ` for ${name}` : ''}\n`);
        return 0;
      }
      const header = ['register', 'as_of', 'imported_at', 'read', 'accepted', 'rejected', 'new', 'changed', 'removed', 'file'];
      const lines = rows.map((r) =>
        [r.register, isoFromNumber(r.as_of), r.imported_at, r.rows_read, r.accepted, r.rejected, r.new_rows, r.changed_rows, r.removed_rows, r.file_name]
          .map((value) => (typeof value === 'number' ? formatCount(value) : value))
          .join('\t'),
      );
      io.out.write(`${[header.join('\t'), ...lines].join('\n')}\n`);
      return 0;
    } finally {
      db.close();
    }
  });

const exportCommand: RegistersCommand = (args, io) =>
  runCommand(io, async () => {
    const flags = parseFlags(args, ['--register', '--file', '--db']);
    const name = register(flags, true) as RegisterName;
    const file = path.resolve(required(flags, '--file', 'the path of the CSV file to write'));
    const { db } = openDatabase(flags);
    try {
      const rows = exportSnapshot(db, name, file);
      io.out.write(`wrote ${formatCount(rows)} ${name} rows to ${file}\n`);
      return 0;
    } finally {
      db.close();
    }
  });

const sampleCommand: RegistersCommand = (args, io) =>
  runCommand(io, async () => {
    const flags = parseFlags(args, ['--register', '--file', '--rows', '--as-of', '--seed']);
    const name = register(flags, true) as RegisterName;
    const file = path.resolve(required(flags, '--file', 'the path of the CSV file to write'));
    const rows = wholeNumber(flags, '--rows', 0, 100_000_000);
    if (rows === undefined) throw new UsageError('--rows: expected a whole number from 0 to 100000000, got nothing');
    const date = asOf(flags);
    if (date === undefined) throw new UsageError('--as-of: expected a real date YYYY-MM-DD, got nothing');
    const started = performance.now();
    writeSampleFile(name, file, { rows, asOf: date, seed: wholeNumber(flags, '--seed', 0, 2 ** 31 - 1) });
    const seconds = (performance.now() - started) / 1000;
    io.out.write(`wrote ${formatCount(rows)} synthetic ${name} rows to ${file} (${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB, ${formatDuration(seconds)})\n`);
    return 0;
  });

/** What `ris registers <command>` dispatches to. */
export const registersCommands: Record<string, RegistersCommand> = {
  import: importCommand,
  snapshots: snapshotsCommand,
  export: exportCommand,
  sample: sampleCommand,
};
