import oracledb from 'oracledb';
import { loadRegister } from '../data/oracle';
import { REGISTER_TABLES } from '../data/generate';
import { loadConfig } from '../lib/config';
import { migrateOracle, readMigrations } from '../store/oracle/migrate';
import { createOraclePool } from '../store/oracle/pool';
import { OracleStore } from '../store/oracle/store';
import { generateRegisterFile, storeContract } from './store-contract';

/**
 * The Oracle store against the shared contract, on a live database named by RIS_ORACLE_URL
 * (oracle://user:pass@host:1521/service). The user must be a throwaway schema: the suite migrates
 * it from scratch and loads a small generated register with the `ris oracle load` code. If the
 * schema already holds register tables it stops, unless RIS_ORACLE_TEST_RESET=1, which drops them.
 * Without RIS_ORACLE_URL it says so once and records one passing test stating the skip.
 */

const url = process.env.RIS_ORACLE_URL;

/** Every table the migrations create, children first (for the reset). */
function migrationTables(): string[] {
  const names = readMigrations().flatMap((migration) =>
    migration.statements.map((statement) => /^CREATE TABLE (\w+)/i.exec(statement)?.[1]?.toLowerCase()).filter((name): name is string => Boolean(name)),
  );
  return [...names.reverse(), 'schema_migration'];
}

if (!url) {
  console.log('Oracle contract tests skipped: set RIS_ORACLE_URL=oracle://user:pass@host:1521/service to run them against a live database');
  test('the Oracle contract tests were skipped because RIS_ORACLE_URL is not set', () => {
    expect(process.env.RIS_ORACLE_URL ?? '').toBe('');
  });
} else {
  storeContract('OracleStore', async () => {
    const config = loadConfig(process.env).oracle;
    if (!config) throw new Error('expected RIS_ORACLE_URL to give an Oracle configuration, got none');
    const register = generateRegisterFile(600, 11);
    const pool = await createOraclePool(config);
    const connection = await pool.getConnection();
    try {
      const existing = ((await connection.execute<{ name: string }>('SELECT lower(table_name) AS "name" FROM user_tables', {}, { outFormat: oracledb.OUT_FORMAT_OBJECT })).rows ?? []).map((row) => row.name);
      const ours = migrationTables().filter((table) => existing.includes(table));
      if (ours.length > 0) {
        if (process.env.RIS_ORACLE_TEST_RESET !== '1') {
          throw new Error(`expected an empty schema for the Oracle contract tests, got tables ${ours.join(', ')}; point RIS_ORACLE_URL at a throwaway user or set RIS_ORACLE_TEST_RESET=1 to drop them`);
        }
        for (const table of ours) await connection.execute(`DROP TABLE ${table} CASCADE CONSTRAINTS PURGE`, {}, {});
      }
      await migrateOracle(connection);
      await loadRegister(register.db, connection, { truncate: false, tables: REGISTER_TABLES });
    } finally {
      await connection.close();
    }
    const store = new OracleStore(pool, { callTimeoutMs: config.callTimeoutMs });
    return {
      store,
      db: register.db,
      close: async () => {
        await store.close();
        register.remove();
      },
    };
  });
}
