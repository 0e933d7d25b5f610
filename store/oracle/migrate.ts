import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import oracledb from 'oracledb';
import { fromRoot } from '../../lib/paths';
import type { OracleConnection } from './pool';
import { MIGRATION_SQL } from './sql';

/** Folder of the versioned Oracle migrations, applied in file-name order. */
export const ORACLE_MIGRATIONS_DIR = fromRoot('store', 'oracle', 'migrations');

/**
 * File format (the same as SQL*Plus and SQLcl read, so a DBA can run a file by hand):
 * - statements are separated by a line holding only "/" (surrounding spaces allowed);
 * - a plain SQL statement has no trailing ";" (the driver would reject it with ORA-00911); a
 *   PL/SQL block keeps its "END;";
 * - "--" comments are removed (outside quoted text) before a statement is sent.
 * A "/" line was chosen over "; at end of line" because a ";" at the end of a line also occurs
 * inside PL/SQL blocks and quoted text, while a lone "/" never does in our DDL.
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '/') {
      const statement = stripComments(current.join('\n')).trim();
      if (statement) statements.push(statement);
      current = [];
    } else {
      current.push(line);
    }
  }
  const rest = stripComments(current.join('\n')).trim();
  if (rest) {
    throw new Error(`expected every statement to end with a line holding only "/", got trailing text: ${JSON.stringify(rest.slice(0, 60))}`);
  }
  return statements;
}

/** Removes "--" comments to end of line, leaving quoted text ('…', "…") alone; trims line ends. */
export function stripComments(sql: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i += 1) {
    const ch = sql[i];
    if (quote) {
      out += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i += 1;
      if (i < sql.length) out += '\n';
    } else {
      out += ch;
    }
  }
  return out
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}

export interface OracleMigration {
  name: string;
  /** SHA-256 of the file: an applied file that changed afterwards is refused. */
  checksum: string;
  statements: string[];
}

/** The migration files of `dir` (*.sql), in name order, parsed. */
export function readMigrations(dir: string = ORACLE_MIGRATIONS_DIR): OracleMigration[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      let statements: string[];
      try {
        statements = splitStatements(text);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
      return { name, checksum: crypto.createHash('sha256').update(text).digest('hex'), statements };
    });
}

interface AppliedRow {
  name: string;
  checksum: string;
  done: number;
  appliedAt: Date | null;
}

export interface MigrateOptions {
  migrations?: OracleMigration[];
  /** One line per migration applied or resumed. */
  log?: (message: string) => void;
}

const write = { autoCommit: true };
const read = { outFormat: oracledb.OUT_FORMAT_OBJECT };

/**
 * Brings the schema of the connected user to the latest migration. Oracle commits each DDL
 * statement as it runs, so a file cannot be applied atomically; instead `schema_migration` records
 * how many statements of each file ran (`statements_done`, committed after each one) and
 * `applied_at` when the file finished. A run that failed part-way therefore resumes at the
 * statement that failed, once the cause is fixed. An applied file whose content changed is
 * refused: write a new migration instead. Run one `migrate` at a time.
 * Returns the names of the files it applied (wholly or the rest of them).
 */
export async function migrateOracle(connection: OracleConnection, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = options.migrations ?? readMigrations();
  const log = options.log ?? (() => undefined);
  const exists = await connection.execute<{ n: number }>(MIGRATION_SQL.tableExists, { name: 'SCHEMA_MIGRATION' }, read);
  if ((exists.rows?.[0]?.n ?? 0) === 0) await connection.execute(MIGRATION_SQL.createMigrationTable, {}, write);
  const appliedRows = (await connection.execute<AppliedRow>(MIGRATION_SQL.applied, {}, read)).rows ?? [];
  const applied = new Map(appliedRows.map((row) => [row.name, row]));

  const ran: string[] = [];
  for (const migration of migrations) {
    const row = applied.get(migration.name);
    if (row?.appliedAt) {
      if (row.checksum !== migration.checksum) {
        throw new Error(
          `${migration.name}: expected the applied migration unchanged (sha256 ${row.checksum}), got a different file (sha256 ${migration.checksum}); add a new migration instead of editing an applied one`,
        );
      }
      continue;
    }
    let done = row?.done ?? 0;
    if (!row) {
      await connection.execute(MIGRATION_SQL.start, { name: migration.name, checksum: migration.checksum, total: migration.statements.length }, write);
    } else {
      log(`${migration.name}: resuming at statement ${done + 1} of ${migration.statements.length}`);
    }
    for (; done < migration.statements.length; done += 1) {
      try {
        await connection.execute(migration.statements[done], {}, write);
      } catch (error) {
        throw new Error(
          `${migration.name}: statement ${done + 1} of ${migration.statements.length} failed: ${(error as Error).message}\n` +
            `statements 1 to ${done} are applied and recorded (DDL commits as it runs); fix the cause and run migrate again to resume at statement ${done + 1}`,
        );
      }
      await connection.execute(MIGRATION_SQL.progress, { done: done + 1, name: migration.name }, write);
    }
    await connection.execute(MIGRATION_SQL.finish, { name: migration.name }, write);
    log(`${migration.name}: applied (${migration.statements.length} statements)`);
    ran.push(migration.name);
  }
  return ran;
}
