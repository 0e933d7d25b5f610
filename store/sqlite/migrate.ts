import fs from 'node:fs';
import type Database from 'better-sqlite3';
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
