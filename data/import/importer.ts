import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type Database from 'better-sqlite3';
import { isoFromNumber, numberFromIso, todayNumber } from '../../lib/dates';
import { createProgress, formatCount, type ProgressStream } from '../../lib/progress';
import { formatRun } from '../../lib/run';
import { loadCommunes } from '../reference';
import { csvLine, splitCsvLine } from './csv';
import { REGISTERS, RowRejection, type RegisterName, type RegisterSpec, type SqlValue, type ValidationContext } from './registers';

/**
 * Import of one monthly full snapshot of a sectoral register into its cache table.
 *
 * Contract:
 * - The file is the whole register on `asOf`: afterwards the table holds exactly the file's
 *   accepted rows (rows absent from the file are removed), every row stamped with `as_of` and
 *   `source`; register_snapshot records the import. Rejected rows go to `<file>.rejected.csv`.
 * - All or nothing: the file is streamed (line by line, bounded memory) into a TEMP table, outside
 *   any lock on the database; then one IMMEDIATE transaction diffs it against the live table,
 *   applies it and records the snapshot. Anything that stops the import before COMMIT (exception,
 *   kill, crash) leaves the previous snapshot as it was.
 * - A file already imported (same SHA-256) changes nothing; a snapshot older than the latest one
 *   imported, or one that would remove more than half of a table, is refused unless `force`.
 */

export interface ImportOptions {
  register: RegisterName;
  file: string;
  /** Snapshot date YYYYMMDD; when absent, taken from a date in the file name. */
  asOf?: number;
  /** Imports a snapshot older than the latest, or one removing more than half of the table. */
  force?: boolean;
  /** Where the progress bar goes (none when absent). */
  progress?: ProgressStream;
  /** Lines validated and inserted per temp-table transaction. */
  batchSize?: number;
  /** Test seams: called after each batch with the rows read so far, and just before COMMIT. */
  hooks?: { afterBatch?(rowsRead: number): void; beforeCommit?(): void };
  /** Clock, for imported_at and the "not in the future" check of asOf. */
  now?: () => Date;
}

export interface ImportCounts {
  /** Data lines read (header and blank lines excluded). */
  read: number;
  accepted: number;
  rejected: number;
  new: number;
  changed: number;
  removed: number;
  unchanged: number;
}

export type ImportResult =
  | {
      status: 'imported';
      register: RegisterName;
      asOf: number;
      file: string;
      sha256: string;
      counts: ImportCounts;
      /** Path of the rejects file, or null when no row was rejected. */
      rejectsFile: string | null;
      /** Rows of identity_cache invalidated (civil only; null when that table does not exist). */
      identityCacheInvalidated: number | null;
      seconds: number;
    }
  | { status: 'already-imported'; register: RegisterName; asOf: number; file: string; sha256: string; importedAt: string };

/** The whole import was refused (nothing changed); the message says what was expected and what was received. */
export class ImportRefused extends Error {}

/** Tables removing more than this share of their rows need `force` (a truncated or partial delivery). */
export const MAX_REMOVED_SHARE = 0.5;
const DEFAULT_BATCH = 5_000;
const ROWS = 'temp.import_rows';

/** The rejects file written beside an input file. */
export function rejectsPathOf(file: string): string {
  return `${file}.rejected.csv`;
}

/** The snapshot date in a file name ("disability_2025-11-30.csv", "civil_20251130.csv"), or null. */
export function asOfFromFileName(file: string): number | null {
  const matches = [...path.basename(file).matchAll(/(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)/g)];
  const last = matches[matches.length - 1];
  return last ? numberFromIso(`${last[1]}-${last[2]}-${last[3]}`) : null;
}

/** SHA-256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface SnapshotRow {
  register: string;
  as_of: number;
  file_name: string;
  file_sha256: string;
  imported_at: string;
  rows_read: number;
  accepted: number;
  rejected: number;
  new_rows: number;
  changed_rows: number;
  removed_rows: number;
}

/** The snapshots imported, newest first (optionally of one register). */
export function listSnapshots(db: Database.Database, register?: RegisterName): SnapshotRow[] {
  const where = register ? 'WHERE register = ?' : '';
  return db
    .prepare(`SELECT * FROM register_snapshot ${where} ORDER BY as_of DESC, register`)
    .all(...(register ? [register] : [])) as SnapshotRow[];
}

function communeCodes(db: Database.Database): Set<string> {
  const rows = db.prepare('SELECT code FROM commune').pluck().all() as string[];
  return new Set(rows.length > 0 ? rows : loadCommunes().map((commune) => commune.code));
}

/** A progress stream that appends the rows read and rows/s to every line the bar draws. */
function withRowRate(stream: ProgressStream, rows: () => number, started: number): ProgressStream {
  const suffix = (): string => {
    const seconds = (performance.now() - started) / 1000;
    return ` · ${formatCount(rows())} rows ${formatCount(seconds > 0 ? rows() / seconds : 0)} rows/s`;
  };
  return {
    isTTY: stream.isTTY,
    write(text: string): unknown {
      if (text === '\n') return stream.write(text);
      if (text.startsWith('\r')) return stream.write(`${text}${suffix()}\x1b[K`);
      return stream.write(text.endsWith('\n') ? `${text.slice(0, -1)}${suffix()}\n` : `${text}${suffix()}`);
    },
  };
}

/** SQL fragments of a register, derived from its spec. */
function sqlOf(spec: RegisterSpec) {
  const keys = spec.key.map((column) => column.name);
  const data = spec.data.map((column) => column.name);
  const columns = [...keys, ...data, 'source'];
  const join = keys.map((name) => `l.${name} = t.${name}`).join(' AND ');
  const differ = data.map((name) => `l.${name} IS NOT t.${name}`).join(' OR ');
  const same = [join, ...data.map((name) => `l.${name} IS t.${name}`)].join(' AND ');
  const live = `main.${spec.table}`;
  return { keys, data, columns, join, differ, same, live };
}

interface StreamOutcome {
  read: number;
  accepted: number;
  rejected: number;
  sha256: string;
}

/** Imports one snapshot file; see the module comment for the contract. */
export async function importSnapshot(db: Database.Database, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const spec = REGISTERS[options.register];
  const file = path.resolve(options.file);
  const now = options.now ?? (() => new Date());
  const asOf = options.asOf ?? asOfFromFileName(file);
  if (asOf === null) {
    throw new ImportRefused(
      `expected the snapshot date from --as-of YYYY-MM-DD or in the file name (like ${spec.name}_2025-11-30.csv), got neither in ${JSON.stringify(path.basename(file))}`,
    );
  }
  const today = todayNumber(now());
  if (asOf > today) {
    throw new ImportRefused(`expected a snapshot date on or before today ${isoFromNumber(today)}, got ${isoFromNumber(asOf)}`);
  }
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new ImportRefused(`expected a readable file, got ${JSON.stringify(file)} which does not exist or cannot be read`);
  }

  const sha256 = await sha256File(file);
  const previous = db
    .prepare('SELECT as_of, imported_at FROM register_snapshot WHERE register = ? AND file_sha256 = ? ORDER BY imported_at DESC LIMIT 1')
    .get(spec.name, sha256) as { as_of: number; imported_at: string } | undefined;
  if (previous) {
    return { status: 'already-imported', register: spec.name, asOf: previous.as_of, file, sha256, importedAt: previous.imported_at };
  }
  const latest = db.prepare('SELECT MAX(as_of) FROM register_snapshot WHERE register = ?').pluck().get(spec.name) as number | null;
  if (latest !== null && asOf < latest && !options.force) {
    throw new ImportRefused(
      `expected a snapshot of ${spec.name} on or after the latest imported, ${isoFromNumber(latest)}, got ${isoFromNumber(asOf)} (pass --force to import an older snapshot)`,
    );
  }

  const rejectsFile = rejectsPathOf(file);
  fs.rmSync(rejectsFile, { force: true });
  const sql = sqlOf(spec);
  createRowsTable(db, spec);
  let outcome: StreamOutcome;
  try {
    outcome = await streamIntoTemp(db, spec, file, size, sha256, { asOf, communes: communeCodes(db) }, rejectsFile, options, started);
    const applied = applySnapshot(db, spec, sql, { asOf, file, sha256, outcome, force: options.force === true, importedAt: now().toISOString(), hooks: options.hooks });
    return {
      status: 'imported',
      register: spec.name,
      asOf,
      file,
      sha256,
      counts: {
        read: outcome.read,
        accepted: outcome.accepted,
        rejected: outcome.rejected,
        ...applied.counts,
        unchanged: outcome.accepted - applied.counts.new - applied.counts.changed,
      },
      rejectsFile: outcome.rejected > 0 ? rejectsFile : null,
      identityCacheInvalidated: applied.identityCacheInvalidated,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    // A rejects file of an import that did not happen would describe nothing: remove it.
    fs.rmSync(rejectsFile, { force: true });
    throw error;
  } finally {
    db.exec('DROP TABLE IF EXISTS temp.import_rows; DROP TABLE IF EXISTS temp.import_affected');
  }
}

function createRowsTable(db: Database.Database, spec: RegisterSpec): void {
  const columns = [...spec.key, ...spec.data].map((column) => `${column.name} ${column.type} NOT NULL`);
  // bracket (health) is the one nullable column.
  const defs = columns.map((def) => (def.startsWith('bracket ') ? 'bracket TEXT' : def));
  db.exec('DROP TABLE IF EXISTS temp.import_rows');
  db.exec(
    `CREATE TEMP TABLE import_rows (${[...defs, 'source TEXT NOT NULL', 'line INTEGER NOT NULL'].join(', ')},
       PRIMARY KEY (${spec.key.map((column) => column.name).join(', ')})) WITHOUT ROWID`,
  );
  if (spec.uniqueAlso) db.exec(`CREATE UNIQUE INDEX temp.import_rows_unique ON import_rows (${spec.uniqueAlso})`);
}

/** Reads the header line: every expected column exactly once, nothing else; returns each expected column's position. */
function headerPositions(spec: RegisterSpec, line: string, file: string): number[] {
  const header = splitCsvLine(line.replace(/^\uFEFF/, '')).map((name) => name.trim().toLowerCase());
  const missing = spec.fileColumns.filter((name) => !header.includes(name));
  const unknown = header.filter((name) => !spec.fileColumns.includes(name));
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  if (missing.length > 0 || unknown.length > 0 || repeated.length > 0) {
    const problems = [
      missing.length > 0 ? `missing ${missing.join(',')}` : '',
      unknown.length > 0 ? `unknown ${unknown.join(',')}` : '',
      repeated.length > 0 ? `repeated ${repeated.join(',')}` : '',
    ].filter(Boolean);
    throw new ImportRefused(
      `${path.basename(file)}: expected a header line with the ${spec.name} columns ${spec.fileColumns.join(',')} (any order), got ${JSON.stringify(line.slice(0, 200))} (${problems.join('; ')})`,
    );
  }
  return spec.fileColumns.map((name) => header.indexOf(name));
}

async function streamIntoTemp(
  db: Database.Database,
  spec: RegisterSpec,
  file: string,
  size: number,
  expectedSha: string,
  context: ValidationContext,
  rejectsFile: string,
  options: ImportOptions,
  started: number,
): Promise<StreamOutcome> {
  const width = spec.key.length + spec.data.length + 1;
  const insert = db.prepare(`INSERT OR IGNORE INTO ${ROWS} VALUES (${Array(width + 1).fill('?').join(', ')})`);
  const keyWhere = spec.key.map((column) => `${column.name} = ?`).join(' AND ');
  const firstByKey = db.prepare(`SELECT line FROM ${ROWS} WHERE ${keyWhere}`).pluck();
  const firstByUnique = spec.uniqueAlso ? db.prepare(`SELECT line FROM ${ROWS} WHERE ${spec.uniqueAlso} = ?`).pluck() : null;
  const uniqueIndex = spec.uniqueAlso ? spec.key.length + spec.data.findIndex((column) => column.name === spec.uniqueAlso) : -1;

  let positions: number[] | null = null;
  let read = 0;
  let accepted = 0;
  let rejected = 0;
  let rejectsFd: number | null = null;
  const progress = options.progress
    ? createProgress(`${path.basename(file)} (bytes)`, size, withRowRate(options.progress, () => read, started))
    : null;

  const reject = (out: string[], lineNumber: number, line: string, reason: string): void => {
    rejected++;
    out.push(`${csvLine([lineNumber, reason])},${line}\n`);
  };

  const flush = db.transaction((batch: readonly string[], numbers: readonly number[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i];
      const lineNumber = numbers[i];
      const fields = splitCsvLine(line);
      if (fields.length !== spec.fileColumns.length) {
        reject(out, lineNumber, line, `expected ${spec.fileColumns.length} fields (${spec.fileColumns.join(',')}), got ${fields.length}`);
        continue;
      }
      let values: SqlValue[];
      try {
        values = spec.parse(positions!.map((position) => fields[position]), context);
      } catch (error) {
        if (!(error instanceof RowRejection)) throw error;
        reject(out, lineNumber, line, error.message);
        continue;
      }
      if (insert.run(...values, lineNumber).changes === 0) {
        const first = firstByKey.get(...values.slice(0, spec.key.length)) as number | undefined;
        if (first !== undefined) {
          const key = spec.key
            .map((column, k) => (k === 0 ? formatRun(Number(values[0])) : column.name.endsWith('_on') ? isoFromNumber(Number(values[k])) : String(values[k])))
            .join(', ');
          reject(out, lineNumber, line, `duplicate: expected one row per ${spec.key.map((column) => column.name).join(', ')}, got ${key} again (first on line ${first})`);
        } else {
          const firstUnique = firstByUnique?.get(values[uniqueIndex]) as number | undefined;
          reject(out, lineNumber, line, `duplicate: expected each ${spec.uniqueAlso} once, got ${String(values[uniqueIndex])} again (first on line ${firstUnique ?? '?'})`);
        }
        continue;
      }
      accepted++;
    }
    return out;
  });

  const hash = crypto.createHash('sha256');
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  input.on('data', (chunk) => hash.update(chunk as Buffer));
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  let batch: string[] = [];
  let numbers: number[] = [];
  let lineNumber = 0;

  const write = (chunks: string[]): void => {
    if (chunks.length === 0) return;
    if (rejectsFd === null) {
      rejectsFd = fs.openSync(rejectsFile, 'w');
      fs.writeSync(rejectsFd, `line,reason,${spec.fileColumns.join(',')}\n`);
    }
    fs.writeSync(rejectsFd, chunks.join(''));
  };
  const flushBatch = (): void => {
    write(flush(batch, numbers));
    read += batch.length;
    batch = [];
    numbers = [];
    progress?.tick(input.bytesRead);
    options.hooks?.afterBatch?.(read);
  };

  try {
    for await (const line of lines) {
      lineNumber++;
      if (positions === null) {
        positions = headerPositions(spec, line, file);
        continue;
      }
      if (line.trim() === '') continue;
      batch.push(line);
      numbers.push(lineNumber);
      if (batch.length >= batchSize) flushBatch();
    }
    if (positions === null) {
      throw new ImportRefused(`${path.basename(file)}: expected a header line ${spec.fileColumns.join(',')}, got an empty file`);
    }
    flushBatch();
  } finally {
    lines.close();
    input.destroy();
    if (rejectsFd !== null) fs.closeSync(rejectsFd);
  }
  progress?.done();
  const sha256 = hash.digest('hex');
  if (sha256 !== expectedSha) {
    throw new ImportRefused(`${path.basename(file)}: expected the file to stay unchanged during the import, got different content (SHA-256 ${expectedSha.slice(0, 12)}… then ${sha256.slice(0, 12)}…)`);
  }
  return { read, accepted, rejected, sha256 };
}

interface ApplyInput {
  asOf: number;
  file: string;
  sha256: string;
  outcome: StreamOutcome;
  force: boolean;
  importedAt: string;
  hooks: ImportOptions['hooks'];
}

/** Diffs the temp table against the live table and applies it, in one IMMEDIATE transaction. */
function applySnapshot(
  db: Database.Database,
  spec: RegisterSpec,
  sql: ReturnType<typeof sqlOf>,
  input: ApplyInput,
): { counts: { new: number; changed: number; removed: number }; identityCacheInvalidated: number | null } {
  const { live, join, differ, same, columns, keys } = sql;
  const count = (text: string): number => db.prepare(text).pluck().get() as number;
  const apply = db.transaction(() => {
    const liveRows = count(`SELECT COUNT(*) FROM ${live}`);
    // One pass over the file's rows for new and changed; key columns are NOT NULL in the live table.
    const matched = db
      .prepare(`SELECT COALESCE(SUM(l.${keys[0]} IS NULL), 0) AS new, COALESCE(SUM(l.${keys[0]} IS NOT NULL AND (${differ})), 0) AS changed
                  FROM ${ROWS} t LEFT JOIN ${live} l ON ${join}`)
      .get() as { new: number; changed: number };
    const counts = {
      ...matched,
      removed: count(`SELECT COUNT(*) FROM ${live} l WHERE NOT EXISTS (SELECT 1 FROM ${ROWS} t WHERE ${join})`),
    };
    if (!input.force && liveRows > 0 && counts.removed > liveRows * MAX_REMOVED_SHARE) {
      throw new ImportRefused(
        `expected a snapshot removing at most ${MAX_REMOVED_SHARE * 100}% of ${spec.table} (${formatCount(liveRows)} rows), got one removing ${formatCount(counts.removed)} (a partial or truncated file?); pass --force to import it`,
      );
    }

    if (spec.name === 'civil') {
      // RUNs whose identity document was added, changed or removed: their identity cache rows go stale.
      db.exec('CREATE TEMP TABLE import_affected (run INTEGER PRIMARY KEY)');
      db.exec(`INSERT OR IGNORE INTO temp.import_affected
                 SELECT t.run FROM ${ROWS} t LEFT JOIN ${live} l ON ${join} WHERE l.run IS NULL OR ${differ}`);
      db.exec(`INSERT OR IGNORE INTO temp.import_affected SELECT run FROM ${live} WHERE run NOT IN (SELECT run FROM ${ROWS})`);
    }

    const list = columns.join(', ');
    const asOf = { asOf: input.asOf };
    if (spec.setPerRun) {
      // A person whose records differ in any way gets the file's whole set for them.
      db.exec('CREATE TEMP TABLE import_touched (run INTEGER PRIMARY KEY)');
      db.exec(`INSERT OR IGNORE INTO temp.import_touched SELECT t.run FROM ${ROWS} t WHERE NOT EXISTS (SELECT 1 FROM ${live} l WHERE ${same})`);
      db.exec(`INSERT OR IGNORE INTO temp.import_touched SELECT l.run FROM ${live} l WHERE NOT EXISTS (SELECT 1 FROM ${ROWS} t WHERE ${same})`);
      db.exec(`DELETE FROM ${live} WHERE run IN (SELECT run FROM temp.import_touched)`);
      db.prepare(
        `INSERT INTO ${live} (${list}, as_of) SELECT ${list}, @asOf FROM ${ROWS} WHERE run IN (SELECT run FROM temp.import_touched) ORDER BY ${keys.join(', ')}`,
      ).run(asOf);
      db.prepare(`UPDATE ${live} SET source = @source, as_of = @asOf WHERE as_of IS NOT @asOf OR source IS NOT @source`).run({ ...asOf, source: spec.sources[0] });
      db.exec('DROP TABLE temp.import_touched');
    } else {
      db.exec(`DELETE FROM ${live} WHERE run NOT IN (SELECT run FROM ${ROWS})`);
      const set = [...sql.data, 'source', 'as_of'].map((name) => `${name} = excluded.${name}`).join(', ');
      db.prepare(`INSERT INTO ${live} (${list}, as_of) SELECT ${list}, @asOf FROM ${ROWS} WHERE true ON CONFLICT (run) DO UPDATE SET ${set}`).run(asOf);
    }

    const identityCacheInvalidated = spec.name === 'civil' ? invalidateIdentityCache(db) : null;
    db.prepare(
      `INSERT OR REPLACE INTO register_snapshot (register, as_of, file_name, file_sha256, imported_at, rows_read, accepted,
         rejected, new_rows, changed_rows, removed_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      spec.name, input.asOf, path.basename(input.file), input.sha256, input.importedAt, input.outcome.read, input.outcome.accepted,
      input.outcome.rejected, counts.new, counts.changed, counts.removed,
    );
    input.hooks?.beforeCommit?.();
    return { counts, identityCacheInvalidated };
  });
  return apply.immediate();
}

/**
 * Deletes the identity_cache rows (L2 of the identity check: identity/, migration 003, owned
 * elsewhere) of the RUNs in temp.import_affected, so the next verification of those RUNs asks
 * the registry again instead of serving a verdict about a document that changed. The table is
 * optional (a database migrated before 003): returns null when it does not exist.
 */
function invalidateIdentityCache(db: Database.Database): number | null {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'identity_cache'").get();
  if (!exists) return null;
  return db.prepare('DELETE FROM main.identity_cache WHERE run IN (SELECT run FROM temp.import_affected)').run().changes;
}
