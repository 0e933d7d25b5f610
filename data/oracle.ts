import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import oracledb from 'oracledb';
import { loadConfig, type OracleConfig } from '../lib/config';
import { createProgress, formatCount, formatDuration, type ProgressStream } from '../lib/progress';
import { migrateOracle } from '../store/oracle/migrate';
import { CONNECT_TIMEOUT_SECONDS, type OracleConnection } from '../store/oracle/pool';
import { LOADER_SQL } from '../store/oracle/sql';
import { REGISTER_TABLES } from './generate';

/**
 * The operator's Oracle commands, dispatched by the CLI entry as `ris oracle <command>`:
 *
 *   migrate                                          apply pending store/oracle/migrations to the configured Oracle
 *   load [--from PATH] [--truncate] [--batch N]      copy a generated SQLite register into it
 *
 * The target is the configured Oracle (RIS_ORACLE_URL, or RIS_ORACLE_USER/PASSWORD/CONNECT_STRING).
 * Exit codes: 0 done, 1 refused or failed, 2 usage or configuration error.
 */

export interface OracleCommandIo {
  out: ProgressStream;
  err: ProgressStream;
}

export type OracleCommand = (args: string[], io: OracleCommandIo) => Promise<number>;

/** What the commands need from the outside world; tests replace both. */
export interface OracleCommandDeps {
  config: () => OracleConfig | null;
  connect: (config: OracleConfig) => Promise<OracleConnection>;
}

/** A standalone thin-mode connection (the commands do one thing at a time; no pool needed). */
async function connectStandalone(config: OracleConfig): Promise<OracleConnection> {
  return oracledb.getConnection({
    user: config.user,
    password: config.password,
    connectString: config.connectString,
    transportConnectTimeout: CONNECT_TIMEOUT_SECONDS,
    connectTimeout: CONNECT_TIMEOUT_SECONDS,
  });
}

export const DEFAULT_BATCH = 5_000;

class UsageError extends Error {}

const LOAD_USAGE = 'usage: ris oracle load [--from PATH] [--truncate] [--batch N]';

interface LoadArgs {
  from: string | null;
  truncate: boolean;
  batch: number;
}

function parseLoadArgs(args: readonly string[]): LoadArgs {
  const parsed: LoadArgs = { from: null, truncate: false, batch: DEFAULT_BATCH };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const raw = inline ?? args[(i += 1)];
      if (raw === undefined || raw === '' || raw.startsWith('--')) throw new UsageError(`${flag}: expected a value, got nothing\n${LOAD_USAGE}`);
      return raw;
    };
    switch (flag) {
      case '--from':
        parsed.from = value();
        break;
      case '--truncate':
        if (inline !== undefined) throw new UsageError(`--truncate: expected no value, got ${JSON.stringify(inline)}`);
        parsed.truncate = true;
        break;
      case '--batch': {
        const raw = value();
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--batch: expected a whole number from 1 to 100000, got ${JSON.stringify(raw)}`);
        parsed.batch = n;
        break;
      }
      default:
        throw new UsageError(`expected --from, --truncate or --batch, got ${JSON.stringify(arg)}\n${LOAD_USAGE}`);
    }
  }
  return parsed;
}

interface OracleColumn {
  name: string;
  type: string;
  chars: number | null;
}

/** executeMany bind definition of a target column (explicit, so the driver scans no data). */
function bindDef(table: string, column: OracleColumn): oracledb.BindDefinition {
  if (column.type === 'NUMBER') return { type: oracledb.NUMBER };
  if (column.type === 'BINARY_DOUBLE') return { type: oracledb.DB_TYPE_BINARY_DOUBLE };
  // maxSize is in bytes; a character of AL32UTF8 takes up to 4
  if (column.type === 'VARCHAR2') return { type: oracledb.STRING, maxSize: Math.max(1, (column.chars ?? 1) * 4) };
  if (column.type === 'CLOB') return { type: oracledb.DB_TYPE_CLOB };
  throw new Error(`${table}.${column.name}: expected a NUMBER, BINARY_DOUBLE, VARCHAR2 or CLOB column, got ${column.type}`);
}

export interface TableLoad {
  table: string;
  rows: number;
  seconds: number;
}

export interface LoadOptions {
  truncate: boolean;
  batchSize?: number;
  /** Progress bar stream (stderr in the CLI). */
  progress?: ProgressStream;
  /** Tables to copy, in foreign-key order (default: every register table). */
  tables?: readonly string[];
}

/** Thrown when the target already holds rows and truncation was not asked for. */
export class TargetNotEmptyError extends Error {}

/**
 * Copies the register tables from `source` (SQLite) to the Oracle schema of `connection`, table by
 * table in foreign-key order, `executeMany` in batches, each batch committed with it (bounded undo,
 * and a failure leaves whole batches). Idempotent by refusal: if any target table has rows it
 * throws TargetNotEmptyError, unless `truncate`, which first deletes them (children first).
 * Columns are those of the SQLite table; each must exist in the Oracle table.
 */
export async function loadRegister(source: Database.Database, connection: OracleConnection, options: LoadOptions): Promise<TableLoad[]> {
  const tables = options.tables ?? REGISTER_TABLES;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const read = { outFormat: oracledb.OUT_FORMAT_OBJECT };

  const plans: { table: string; columns: string[]; defs: oracledb.BindDefinition[]; count: number }[] = [];
  for (const table of tables) {
    const target = (await connection.execute<OracleColumn>(LOADER_SQL.columns, { name: table }, read)).rows ?? [];
    if (target.length === 0) throw new Error(`expected table ${table} in the Oracle schema, got none; run \`ris oracle migrate\` first`);
    const byName = new Map(target.map((column) => [column.name, column]));
    const columns = (source.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string }[]).map((c) => c.name);
    const missing = columns.filter((name) => !byName.has(name));
    if (missing.length > 0) throw new Error(`${table}: expected the Oracle table to have every SQLite column, missing ${missing.join(', ')}`);
    const { count } = source.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number };
    plans.push({ table, columns, defs: columns.map((name) => bindDef(table, byName.get(name) as OracleColumn)), count });
  }

  const nonEmpty: string[] = [];
  for (const { table } of plans) {
    if (((await connection.execute(LOADER_SQL.anyRow(table), {}, read)).rows ?? []).length > 0) nonEmpty.push(table);
  }
  if (nonEmpty.length > 0) {
    if (!options.truncate) {
      throw new TargetNotEmptyError(`refusing to load: expected empty target tables, got rows in ${nonEmpty.join(', ')}; pass --truncate to delete them first`);
    }
    for (const { table } of [...plans].reverse()) await connection.execute(LOADER_SQL.clear(table), {}, { autoCommit: false });
    await connection.commit();
  }

  const total = plans.reduce((sum, plan) => sum + plan.count, 0);
  const progress = options.progress ? createProgress('rows', total, options.progress) : null;
  const loads: TableLoad[] = [];
  let copied = 0;
  for (const plan of plans) {
    const started = performance.now();
    const insert = LOADER_SQL.insert(plan.table, plan.columns);
    const select = source.prepare(`SELECT ${plan.columns.join(', ')} FROM ${plan.table}`).raw(true);
    let batch: unknown[][] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await connection.executeMany(insert, batch as oracledb.BindParameters[], { bindDefs: plan.defs, autoCommit: true });
      copied += batch.length;
      progress?.tick(copied);
      batch = [];
    };
    for (const row of select.iterate() as Iterable<unknown[]>) {
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    loads.push({ table: plan.table, rows: plan.count, seconds: (performance.now() - started) / 1000 });
  }
  progress?.done();
  return loads;
}

function rate(rows: number, seconds: number): string {
  return `${formatCount(seconds > 0 ? rows / seconds : rows)} rows/s`;
}

/** The commands with their dependencies; `oracleCommands` below is the production set. */
export function createOracleCommands(deps: OracleCommandDeps): Record<string, OracleCommand> {
  function configured(io: OracleCommandIo): OracleConfig | null {
    const config = deps.config();
    if (!config) io.err.write('expected RIS_ORACLE_URL=oracle://user:password@host:1521/service (or RIS_ORACLE_USER, RIS_ORACLE_PASSWORD, RIS_ORACLE_CONNECT_STRING), got none\n');
    return config;
  }

  async function withConnection(io: OracleCommandIo, config: OracleConfig, work: (connection: OracleConnection) => Promise<number>): Promise<number> {
    let connection: OracleConnection;
    try {
      connection = await deps.connect(config);
    } catch (error) {
      io.err.write(`could not connect to Oracle at ${config.connectString} as ${config.user}: ${(error as Error).message}\n`);
      return 1;
    }
    try {
      return await work(connection);
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  return {
    async migrate(args, io) {
      if (args.length > 0) {
        io.err.write(`usage: ris oracle migrate (expected no arguments, got ${args.join(' ')})\n`);
        return 2;
      }
      let config: OracleConfig | null;
      try {
        config = configured(io);
      } catch (error) {
        io.err.write(`${(error as Error).message}\n`);
        return 2;
      }
      if (!config) return 2;
      return withConnection(io, config, async (connection) => {
        try {
          const applied = await migrateOracle(connection, { log: (line) => io.out.write(`${line}\n`) });
          io.out.write(applied.length === 0 ? 'schema is up to date\n' : `applied ${applied.length} migration(s): ${applied.join(', ')}\n`);
          return 0;
        } catch (error) {
          io.err.write(`migrate failed: ${(error as Error).message}\n`);
          return 1;
        }
      });
    },

    async load(args, io) {
      let parsed: LoadArgs;
      let config: OracleConfig | null;
      let from: string;
      try {
        parsed = parseLoadArgs(args);
        config = configured(io);
        from = path.resolve(parsed.from ?? loadConfig().dbPath);
      } catch (error) {
        io.err.write(`${(error as Error).message}\n`);
        return 2;
      }
      if (!config) return 2;
      if (!fs.existsSync(from)) {
        io.err.write(`expected a generated SQLite register at ${from}, got no file; create it with \`npm run generate\`\n`);
        return 2;
      }
      const source = new Database(from, { readonly: true, fileMustExist: true });
      try {
        return await withConnection(io, config, async (connection) => {
          io.out.write(`loading ${from} into ${config.user}@${config.connectString} (batches of ${formatCount(parsed.batch)})\n`);
          const started = performance.now();
          try {
            const loads = await loadRegister(source, connection, { truncate: parsed.truncate, batchSize: parsed.batch, progress: io.err });
            const seconds = (performance.now() - started) / 1000;
            const rows = loads.reduce((sum, load) => sum + load.rows, 0);
            for (const load of loads) {
              io.out.write(`  ${load.table.padEnd(24)} ${formatCount(load.rows).padStart(12)}  ${formatDuration(load.seconds).padStart(10)}  ${rate(load.rows, load.seconds)}\n`);
            }
            io.out.write(`loaded ${formatCount(rows)} rows in ${formatDuration(seconds)} (${rate(rows, seconds)})\n`);
            return 0;
          } catch (error) {
            io.err.write(`${error instanceof TargetNotEmptyError ? '' : 'load failed: '}${(error as Error).message}\n`);
            return 1;
          }
        });
      } finally {
        source.close();
      }
    },
  };
}

/** `ris oracle migrate|load`: the production commands (configuration from the environment). */
export const oracleCommands: Record<string, OracleCommand> = createOracleCommands({
  config: () => loadConfig().oracle,
  connect: connectStandalone,
});
