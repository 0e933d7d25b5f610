import fs from 'node:fs';
import Database from 'better-sqlite3';
import { fromRoot } from '../../lib/paths';

/** Folder of the versioned SQLite migrations, applied in file-name order. */
export const MIGRATIONS_DIR = fromRoot('store', 'sqlite', 'migrations');

/**
 * Brings the database to the latest schema: applies every migration file not yet recorded in
 * `schema_migration`, each in its own transaction. Returns the names it applied.
 */
export function migrate(db: Database.Database): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT name FROM schema_migration').all() as { name: string }[]).map((row) => row.name),
  );
  const pending = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((name) => name.endsWith('.sql') && !applied.has(name))
    .sort();
  const record = db.prepare('INSERT INTO schema_migration (name, applied_at) VALUES (?, ?)');
  for (const name of pending) {
    const sql = fs.readFileSync(`${MIGRATIONS_DIR}/${name}`, 'utf8');
    db.transaction(() => {
      db.exec(sql);
      record.run(name, new Date().toISOString());
    })();
  }
  return pending;
}

/**
 * A read-write connection on the register file for the processes that write beside the read-only
 * store (audit trail, identity cache): WAL, the given durability and lock wait, and pending
 * migrations applied under a write lock so processes starting together apply them once.
 * Closes the connection and rethrows when any step fails.
 */
export function openMigratedWriter(
  file: string,
  options: { busyTimeoutMs: number; synchronous: 'FULL' | 'NORMAL'; create?: boolean },
): Database.Database {
  const db = new Database(file, { fileMustExist: !options.create });
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.exec('BEGIN IMMEDIATE');
    try {
      migrate(db);
      db.exec('COMMIT');
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
