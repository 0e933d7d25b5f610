import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateRegister } from '../../data/generate';
import { loadGeography } from '../../lib/geo';
import type { SubgraphDeps } from '../../lib/subgraph';
import { DEVELOPMENT_CONTEXT_SECRET } from '../../lib/config';
import { demoRegistry, MemoryAuditLog } from './access';
import { migrate } from '../../store/sqlite/migrate';
import { SqliteStore } from '../../store/sqlite/store';

/**
 * A synthetic register generated for one test file in a temporary folder, opened the way the
 * subgraphs open it (read-only store) plus a read-write handle for assertions against the rows.
 */
export interface TestRegister {
  file: string;
  /** Direct database handle: tests compare API answers with these rows. */
  db: Database.Database;
  store: SqliteStore;
  deps: SubgraphDeps;
  /** Where the subgraphs built on `deps` write their access records. */
  audit: MemoryAuditLog;
  close(): Promise<void>;
}

/**
 * Generates a register of `households` households from `seed`; `prepare` may add fixture rows
 * through a writable handle before the store opens it read-only.
 */
export async function createTestRegister(
  households = 600,
  seed = 11,
  prepare?: (writer: Database.Database) => void,
): Promise<TestRegister> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-test-'));
  const file = path.join(dir, 'register.db');
  const writer = new Database(file);
  migrate(writer);
  generateRegister(writer, { households, seed });
  prepare?.(writer);
  writer.close();
  const store = SqliteStore.open(file);
  const db = new Database(file, { readonly: true });
  const audit = new MemoryAuditLog();
  const security = { registry: demoRegistry(), audit, contextSecret: DEVELOPMENT_CONTEXT_SECRET };
  const deps = { store, geography: await loadGeography(store), security };
  return {
    file,
    db,
    store,
    deps,
    audit,
    close: async () => {
      db.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
