import oracledb from 'oracledb';
import { GraphQLError } from 'graphql';
import Database from 'better-sqlite3';
import { loadConfig } from '../lib/config';
import { formatRun } from '../lib/run';
import { classifyOracleError, UNAVAILABLE_MESSAGE, type OracleErrorClass } from '../store/oracle/errors';
import { migrateOracle, readMigrations, splitStatements, stripComments, type OracleMigration } from '../store/oracle/migrate';
import { poolAttributes, setUpSession, type OracleConnection, type OraclePool } from '../store/oracle/pool';
import { bucketSize, fetchSizing, keyBinds, KEY_BUCKETS, LOOKUPS, lookupSql, SQL, type LookupName } from '../store/oracle/sql';
import { OracleStore } from '../store/oracle/store';
import { migrate as migrateSqlite } from '../store/sqlite/migrate';
import { createOracleCommands, loadRegister, TargetNotEmptyError } from '../data/oracle';
import { REGISTER_TABLES } from '../data/generate';
import { generateRegisterFile, type GeneratedRegister } from './store-contract';

/**
 * The Oracle store without an Oracle server: SQL texts and bind bucketing, the error
 * classification, the drop-and-retry-once rule (on fake pools and connections), the migration file
 * format, and the Oracle part of the configuration. The live-database half is store-oracle.test.ts.
 */

// ------------------------------------------------------------------------------------------------
// Real driver errors, built by node-oracledb's own error module (what thin mode throws).

interface DriverErrors {
  getErr(errorNum: number, ...args: unknown[]): Error;
  transformErr(error: Error): Error;
  ERR_CONN_REQUEST_TIMEOUT: number;
  ERR_POOL_CLOSED: number;
  ERR_CONNECTION_CLOSED: number;
  ERR_CONNECTION_LOSTCONTACT: number;
  ERR_CONNECTION_INCOMPLETE: number;
  ERR_CONNECTION_TIMEDOUT: number;
  ERR_CONNECTION_REFUSED: number;
  ERR_CONNECTION_EOF: number;
  ERR_CALL_TIMEOUT_EXCEEDED: number;
}
const driver = require('oracledb/lib/errors.js') as DriverErrors;

/** A server error as thin mode delivers it (the driver rewrites session-gone codes to NJS-500). */
function serverError(ora: string, text: string): Error {
  const error = Object.assign(new Error(`${ora}: ${text}`), { errorNum: Number(ora.slice(4)) });
  return driver.transformErr(error);
}

const errors = {
  queueTimeout: () => driver.getErr(driver.ERR_CONN_REQUEST_TIMEOUT, 2000),
  poolClosed: () => driver.getErr(driver.ERR_POOL_CLOSED),
  closed: () => driver.getErr(driver.ERR_CONNECTION_CLOSED),
  lostContact: () => driver.getErr(driver.ERR_CONNECTION_LOSTCONTACT, 'db.example.cl', 1521, 'id', 'read ECONNRESET'),
  refused: () => driver.getErr(driver.ERR_CONNECTION_INCOMPLETE, 'db.example.cl', 1521, 'id', 'connect ECONNREFUSED 10.0.0.1:1521'),
  connectTimeout: () => driver.getErr(driver.ERR_CONNECTION_TIMEDOUT, 'db.example.cl', 1521, 'transportConnectTimeout', 5, 'id'),
  listenerRefused: () => driver.getErr(driver.ERR_CONNECTION_REFUSED, 'db.example.cl', 1521, 'id', 'ORA-12514'),
  eof: () => driver.getErr(driver.ERR_CONNECTION_EOF, 'db.example.cl', 1521, 'id'),
  callTimeout: () => driver.getErr(driver.ERR_CALL_TIMEOUT_EXCEEDED, 5000),
  endOfFile: () => serverError('ORA-03113', 'end-of-file on communication channel'),
  notConnected: () => serverError('ORA-03114', 'not connected to ORACLE'),
  lostContact3135: () => serverError('ORA-03135', 'connection lost contact'),
  notLoggedOn: () => serverError('ORA-01012', 'not logged on'),
  killed: () => serverError('ORA-00028', 'your session has been killed'),
  idleTime: () => serverError('ORA-02396', 'exceeded maximum idle time, please connect again'),
  dpi1080: () => driver.transformErr(new Error('DPI-1080: connection was closed by ORA-3113')),
  unknownService: () => serverError('ORA-12514', 'Cannot connect to database. Service RSH is not registered with the listener'),
  noListener: () => serverError('ORA-12541', 'Cannot connect. No listener at host db port 1521'),
  starting: () => serverError('ORA-01033', 'ORACLE initialization or shutdown in progress'),
  notAvailable: () => serverError('ORA-01034', 'The Oracle instance is not available for use'),
  noTable: () => serverError('ORA-00942', 'table or view "RIS"."PERSON" does not exist'),
  badColumn: () => serverError('ORA-00904', '"GIVEN_NAME": invalid identifier'),
  tooMany: () => serverError('ORA-01795', 'maximum number of expressions in a list is 1000'),
};

describe('classifyOracleError', () => {
  const table: [string, () => unknown, OracleErrorClass][] = [
    ['NJS-500 connection closed or broken', errors.closed, 'retry-once'],
    ['NJS-501 connection terminated unexpectedly', errors.lostContact, 'retry-once'],
    ['NJS-521 end-of-file', errors.eof, 'retry-once'],
    ['ORA-03113 end-of-file (a database restart)', errors.endOfFile, 'retry-once'],
    ['ORA-03114 not connected', errors.notConnected, 'retry-once'],
    ['ORA-03135 connection lost contact', errors.lostContact3135, 'retry-once'],
    ['ORA-01012 not logged on', errors.notLoggedOn, 'retry-once'],
    ['ORA-00028 session killed', errors.killed, 'retry-once'],
    ['ORA-02396 maximum idle time', errors.idleTime, 'retry-once'],
    ['DPI-1080 connection closed by ORA-3113', errors.dpi1080, 'retry-once'],
    ['an unwrapped ECONNRESET socket error', () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'retry-once'],
    ['NJS-040 pool queue timeout', errors.queueTimeout, 'unavailable'],
    ['NJS-065 pool closed', errors.poolClosed, 'unavailable'],
    ['NJS-503 connection refused (ECONNREFUSED)', errors.refused, 'unavailable'],
    ['NJS-510 connect timeout', errors.connectTimeout, 'unavailable'],
    ['NJS-511 listener refused', errors.listenerRefused, 'unavailable'],
    ['NJS-123 call timeout', errors.callTimeout, 'unavailable'],
    ['ORA-12514 unknown service', errors.unknownService, 'unavailable'],
    ['ORA-12541 no listener', errors.noListener, 'unavailable'],
    ['ORA-01033 starting up or shutting down', errors.starting, 'unavailable'],
    ['ORA-01034 not available', errors.notAvailable, 'unavailable'],
    ['ORA-00942 missing table', errors.noTable, 'bug'],
    ['ORA-00904 invalid identifier', errors.badColumn, 'bug'],
    ['ORA-01795 too many IN-list expressions', errors.tooMany, 'bug'],
    ['a TypeError of our own', () => new TypeError("Cannot read properties of undefined (reading 'run')"), 'bug'],
    ['a thrown string', () => 'boom', 'bug'],
    ['null', () => null, 'bug'],
  ];

  test.each(table)('%s → %s', (_name, make, expected) => {
    expect(classifyOracleError(make())).toBe(expected);
  });
});

describe('key bucketing', () => {
  test('a lookup is bucketed to 1, 10, 100 or 1000 binds', () => {
    const counts = [1, 2, 10, 11, 100, 101, 999, 1000];
    expect(counts.map(bucketSize)).toEqual([1, 10, 10, 100, 100, 1000, 1000, 1000]);
  });

  test('0 and 1001 keys are refused naming the limit', () => {
    expect(() => bucketSize(1001)).toThrow(new RangeError("expected from 1 to 1000 keys in one lookup (Oracle's IN-list limit), got 1001"));
    expect(() => bucketSize(0)).toThrow(RangeError);
  });

  test('keys are padded with typed NULLs up to the bucket', () => {
    const binds = keyBinds([5603905, 6014982], 'number');
    expect(Object.keys(binds)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(Object.values(binds).map((bind) => bind.val)).toEqual([5603905, 6014982, null, null, null, null, null, null, null, null]);
    expect(new Set(Object.values(binds).map((bind) => bind.type)).size).toBe(1);
  });

  test('the personsByRun text for 10 keys is exactly this', () => {
    expect(lookupSql('personsByRun', 10)).toBe(
      `SELECT run, given_names AS "givenNames", paternal_surname AS "paternalSurname",
  maternal_surname AS "maternalSurname", birth_date AS "birthDate", sex, nationality, deceased,
  street, street_number AS "streetNumber", unit, commune_code AS "communeCode", email, phone FROM person WHERE run IN (:k0, :k1, :k2, :k3, :k4, :k5, :k6, :k7, :k8, :k9)`,
    );
  });

  test('every lookup has at most four distinct texts for 1 to 1000 keys, each binding every padded key', () => {
    const texts = Object.fromEntries(
      (Object.keys(LOOKUPS) as LookupName[]).map((name) => {
        const distinct = new Set(Array.from({ length: 1000 }, (_, i) => lookupSql(name, bucketSize(i + 1))));
        return [name, distinct.size];
      }),
    );
    expect(Object.values(texts).every((n) => n === KEY_BUCKETS.length)).toBe(true);
    expect(lookupSql('grantsByRun', 1000).match(/:k\d+/g)?.length).toBe(1000);
  });

  test('fetch sizing asks for the expected rows and one more to prefetch', () => {
    expect({
      one: fetchSizing('personsByRun', 37),
      many: fetchSizing('membersByHouseholdId', 100),
      capped: fetchSizing('paymentsByPayee', 1000),
    }).toEqual({
      one: { fetchArraySize: 37, prefetchRows: 38 },
      many: { fetchArraySize: 400, prefetchRows: 401 },
      capped: { fetchArraySize: 10_000, prefetchRows: 10_001 },
    });
  });
});

// ------------------------------------------------------------------------------------------------
// Fake pool and connections: the subset of node-oracledb the store uses.

interface Executed {
  sql: string;
  binds: oracledb.BindParameters;
  options: oracledb.ExecuteOptions;
}

type Answer = Record<string, unknown>[] | Error;

class FakeConnection implements OracleConnection {
  callTimeout?: number;
  readonly executed: Executed[] = [];
  /** How it was given back: 'released', 'dropped', or 'open' while in use. */
  state: 'open' | 'released' | 'dropped' = 'open';

  constructor(private readonly answer: (sql: string) => Answer) {}

  async execute<T>(sql: string, binds: oracledb.BindParameters, options: oracledb.ExecuteOptions): Promise<oracledb.Result<T>> {
    this.executed.push({ sql, binds, options });
    const answer = this.answer(sql);
    if (answer instanceof Error) throw answer;
    return { rows: answer as T[] };
  }

  async executeMany(): Promise<unknown> {
    throw new Error('the store never writes');
  }

  async commit(): Promise<void> {}

  async close(options?: oracledb.CloseConnectionOptions): Promise<void> {
    this.state = options?.drop ? 'dropped' : 'released';
  }
}

/** Hands out connections (or throws) in the order of `script`. */
class FakePool implements OraclePool {
  readonly handedOut: FakeConnection[] = [];
  closed = false;

  constructor(private readonly script: (FakeConnection | Error)[]) {}

  async getConnection(): Promise<FakeConnection> {
    const next = this.script.shift();
    if (!next) throw new Error('test: the fake pool ran out of scripted connections');
    if (next instanceof Error) throw next;
    this.handedOut.push(next);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const personRow = { run: 5603905, givenNames: 'Ana María', paternalSurname: 'Soto', maternalSurname: null, birthDate: 19800101, sex: 'F', nationality: 'CHILENA', deceased: 0, street: 'Av. Matta', streetNumber: '12', unit: null, communeCode: '13101', email: null, phone: null };

const ok = (rows: Record<string, unknown>[] = [personRow]) => new FakeConnection(() => rows);
const failing = (error: Error) => new FakeConnection(() => error);

function storeOver(pool: OraclePool) {
  const logged: string[] = [];
  const store = new OracleStore(pool, { callTimeoutMs: 4321, log: (line) => logged.push(line) });
  return { store, logged };
}

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got an answer');
}

describe('OracleStore on a fake pool', () => {
  test('a lookup sends one bucketed statement with typed padding and per-query fetch sizing, and shapes the rows', async () => {
    const connection = ok();
    const { store } = storeOver(new FakePool([connection]));
    const rows = await store.personsByRun([formatRun(5603905), formatRun(6014982)]);
    expect(rows).toEqual([{ ...personRow, run: '5603905-8', deceased: false }]);
    const [sent] = connection.executed;
    expect(sent.sql).toBe(lookupSql('personsByRun', 10));
    expect(Object.values(sent.binds as Record<string, { val: unknown }>).map((bind) => bind.val)).toEqual([5603905, 6014982, ...Array(8).fill(null)]);
    expect(sent.options).toEqual({ outFormat: oracledb.OUT_FORMAT_OBJECT, fetchArraySize: 2, prefetchRows: 3 });
    expect({ statements: store.statementCount, callTimeout: connection.callTimeout, state: connection.state }).toEqual({ statements: 1, callTimeout: 4321, state: 'released' });
  });

  test('a lookup of no keys answers [] without taking a connection', async () => {
    const pool = new FakePool([]);
    const { store } = storeOver(pool);
    expect(await store.grantsByRun([])).toEqual([]);
    expect({ statements: store.statementCount, connections: pool.handedOut.length }).toEqual({ statements: 0, connections: 0 });
  });

  test('1001 keys are refused before any connection is taken', async () => {
    const pool = new FakePool([]);
    const { store } = storeOver(pool);
    const keys = Array.from({ length: 1001 }, (_, i) => i + 1);
    await expect(store.householdsById(keys)).rejects.toThrow(RangeError);
    expect(pool.handedOut).toEqual([]);
  });

  test('householdsInCommune sends the keyset page and the count on one connection', async () => {
    const household = { id: 12, cseBracket: 40, street: null, streetNumber: null, unit: null, communeCode: '13101', registeredOn: null, updatedOn: null, size: 3 };
    const connection = new FakeConnection((sql) => (sql === SQL.householdsInCommuneCount ? [{ total: 3 }] : [household, { ...household, id: 13 }]));
    const { store } = storeOver(new FakePool([connection]));
    expect(await store.householdsInCommune('13101', 1, 11)).toEqual({ rows: [household], hasNextPage: true, totalCount: 3 });
    expect(connection.executed.map((e) => [e.sql, e.binds])).toEqual([
      [SQL.householdsInCommuneAfter, { commune: '13101', after: 11, n: 2 }],
      [SQL.householdsInCommuneCount, { commune: '13101' }],
    ]);
  });

  test.each([
    ['NJS-500 (connection closed or broken)', errors.closed],
    ['ORA-03113 (end-of-file after a database restart)', errors.endOfFile],
    ['DPI-1080', errors.dpi1080],
    ['ORA-00028 (session killed)', errors.killed],
  ])('after %s the connection is dropped and the lookup retried once on a fresh one', async (_name, make) => {
    const dead = failing(make());
    const fresh = ok();
    const { store, logged } = storeOver(new FakePool([dead, fresh]));
    expect(await store.personsByRun(['5603905-8'])).toHaveLength(1);
    expect({ dead: dead.state, fresh: fresh.state, statements: store.statementCount, logged: logged.length }).toEqual({
      dead: 'dropped',
      fresh: 'released',
      statements: 2,
      logged: 1,
    });
  });

  test('a second dead connection in a row answers UPSTREAM_UNAVAILABLE, both dropped', async () => {
    const first = failing(errors.endOfFile());
    const second = failing(errors.closed());
    const { store } = storeOver(new FakePool([first, second]));
    const error = await rejection(store.personsByRun(['5603905-8']));
    expect(error).toBeInstanceOf(GraphQLError);
    expect({ code: (error as GraphQLError).extensions.code, message: (error as GraphQLError).message, first: first.state, second: second.state }).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      message: UNAVAILABLE_MESSAGE,
      first: 'dropped',
      second: 'dropped',
    });
  });

  test('a retry that cannot get a connection (database still down) answers UPSTREAM_UNAVAILABLE', async () => {
    const { store } = storeOver(new FakePool([failing(errors.endOfFile()), errors.refused()]));
    const error = (await rejection(store.ping())) as GraphQLError;
    expect(error.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  test.each([
    ['NJS-040 (pool exhausted: queueTimeout)', errors.queueTimeout],
    ['NJS-503 (connection refused)', errors.refused],
    ['ORA-12514 (service not registered)', errors.unknownService],
    ['ORA-01033 (starting up)', errors.starting],
    ['NJS-065 (pool closed)', errors.poolClosed],
  ])('getConnection failing with %s answers UPSTREAM_UNAVAILABLE at once, with no ORA-/NJS- text, logging the original', async (_name, make) => {
    const original = make();
    const pool = new FakePool([original]);
    const { store, logged } = storeOver(pool);
    const error = (await rejection(store.communes())) as GraphQLError;
    expect({ code: error.extensions.code, message: error.message }).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: 'the register database is not answering; retry later' });
    expect(JSON.stringify({ message: error.message, extensions: error.extensions })).not.toMatch(/ORA-|NJS-|DPI-/);
    expect(logged.join('\n')).toContain(((original as Error).message).split('\n')[0]);
    expect(store.statementCount).toBe(0);
  });

  test('a call timeout answers UPSTREAM_UNAVAILABLE without retrying and drops the connection', async () => {
    const connection = failing(errors.callTimeout());
    const { store } = storeOver(new FakePool([connection]));
    const error = (await rejection(store.grantsByRun(['5603905-8']))) as GraphQLError;
    expect({ code: error.extensions.code, state: connection.state, statements: store.statementCount }).toEqual({ code: 'UPSTREAM_UNAVAILABLE', state: 'dropped', statements: 1 });
  });

  test('a bug (missing table) is rethrown unchanged, not retried, and the connection goes back to the pool', async () => {
    const original = errors.noTable();
    const connection = failing(original);
    const { store } = storeOver(new FakePool([connection]));
    expect(await rejection(store.personsByRun(['5603905-8']))).toBe(original);
    expect({ state: connection.state, statements: store.statementCount }).toEqual({ state: 'released', statements: 1 });
  });

  test('payments bind open period ends as typed NULLs', async () => {
    const connection = ok([]);
    const { store } = storeOver(new FakePool([connection]));
    await store.paymentsByHousehold([47], { from: 202501, to: null });
    const binds = connection.executed[0].binds as Record<string, { val: unknown }>;
    expect({ from: binds.period_from.val, to: binds.period_to.val, sql: connection.executed[0].sql }).toEqual({
      from: 202501,
      to: null,
      sql: lookupSql('paymentsByHousehold', 1),
    });
  });

  test('close() closes the pool', async () => {
    const pool = new FakePool([]);
    await storeOver(pool).store.close();
    expect(pool.closed).toBe(true);
  });
});

// ------------------------------------------------------------------------------------------------

/** Items of a parenthesised list at depth 0 ("a NUMBER(8, 2), b …" → ["a NUMBER(8, 2)", "b …"]). */
function topLevelItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
      continue;
    }
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    current += ch;
  }
  if (current.trim()) items.push(current.trim());
  return items;
}

/** Table → column names, in order, as the Oracle DDL (CREATE TABLE, then ALTER TABLE … ADD) defines them. */
function oracleColumns(statements: readonly string[]): Record<string, string[]> {
  const tables: Record<string, string[]> = {};
  const columnsOf = (list: string) =>
    topLevelItems(list)
      .map((item) => item.split(/\s+/)[0])
      .filter((word) => !/^(PRIMARY|CHECK|CONSTRAINT|UNIQUE|FOREIGN)$/i.test(word));
  for (const statement of statements) {
    const created = /^CREATE TABLE (\w+) \(([\s\S]*)\)[^)]*$/.exec(statement);
    if (created) tables[created[1]] = columnsOf(created[2]);
    const altered = /^ALTER TABLE (\w+) ADD \(([\s\S]*)\)$/.exec(statement);
    if (altered) tables[altered[1]].push(...columnsOf(altered[2]));
  }
  return Object.fromEntries(Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('Oracle migrations', () => {
  test('statements are split at lines holding only "/" and comments are removed', () => {
    const text = [
      '-- header',
      "CREATE TABLE t (a VARCHAR2(10) DEFAULT '--not a comment') -- trailing",
      '/',
      'BEGIN',
      '  NULL; -- a PL/SQL block keeps its semicolons',
      'END;',
      '  /  ',
      '',
    ].join('\n');
    expect(splitStatements(text)).toEqual(["CREATE TABLE t (a VARCHAR2(10) DEFAULT '--not a comment')", 'BEGIN\n  NULL;\nEND;']);
  });

  test('a statement without its closing "/" line is refused', () => {
    expect(() => splitStatements('CREATE TABLE a (x NUMBER)\n/\nCREATE TABLE b (y NUMBER)\n')).toThrow(
      'expected every statement to end with a line holding only "/", got trailing text: "CREATE TABLE b (y NUMBER)"',
    );
  });

  test('stripComments leaves double-quoted identifiers alone', () => {
    expect(stripComments('SELECT 1 AS "a--b" FROM dual -- x')).toBe('SELECT 1 AS "a--b" FROM dual');
  });

  test('the shipped migrations parse, mirror every SQLite table, and no statement ends in ";" unless it is PL/SQL', () => {
    const migrations = readMigrations();
    const statements = migrations.flatMap((migration) => migration.statements);
    const tables = statements.map((s) => /^CREATE TABLE (\w+)/.exec(s)?.[1]).filter(Boolean);
    expect(migrations.map((migration) => migration.name)).toEqual(expect.arrayContaining(['001_register.sql', '002_audit.sql']));
    expect(tables).toEqual(expect.arrayContaining([
      'region', 'commune', 'person', 'household', 'household_member', 'disability_record', 'indigenous_record', 'health_insurance',
      'street_situation_record', 'emergency_record', 'civil_identity', 'program', 'program_target_group', 'benefit_grant',
      'subsystem_membership', 'payment', 'register_meta', 'audit_record', 'audit_run', 'audit_head',
    ]));
    expect(statements.filter((s) => s.endsWith(';') && !/^(BEGIN|DECLARE)/.test(s))).toEqual([]);
  });

  test('the Oracle migrations define the same tables, columns and indexes as the SQLite ones', () => {
    const sqlite = new Database(':memory:');
    migrateSqlite(sqlite);
    const sqliteTables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migration' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
    const want = {
      columns: Object.fromEntries(sqliteTables.map((table) => [table, (sqlite.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((row) => row.name)])),
      indexes: (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((row) => row.name),
    };
    sqlite.close();
    const statements = readMigrations().flatMap((migration) => migration.statements);
    expect({ columns: oracleColumns(statements), indexes: statements.map((s) => /^CREATE (?:UNIQUE )?INDEX (\w+)/.exec(s)?.[1]).filter(Boolean).sort() }).toEqual(want);
  });

  test('migrate creates schema_migration, applies pending files statement by statement, and records each', async () => {
    const migrations: OracleMigration[] = [
      { name: '001_a.sql', checksum: 'aaa', statements: ['CREATE TABLE a (x NUMBER)', 'CREATE INDEX a_x ON a (x)'] },
      { name: '002_b.sql', checksum: 'bbb', statements: ['CREATE TABLE b (y NUMBER)'] },
    ];
    const connection = new FakeConnection((sql) => {
      if (sql.includes('user_tables')) return [{ n: 0 }];
      if (sql.startsWith('SELECT name')) return [{ name: '001_a.sql', checksum: 'aaa', done: 2, appliedAt: new Date() }];
      return [];
    });
    expect(await migrateOracle(connection, { migrations })).toEqual(['002_b.sql']);
    expect(connection.executed.map((e) => e.sql.split('\n')[0])).toEqual([
      'SELECT count(*) AS "n" FROM user_tables WHERE table_name = :name',
      'CREATE TABLE schema_migration (',
      'SELECT name AS "name", checksum AS "checksum", statements_done AS "done", applied_at AS "appliedAt"',
      'INSERT INTO schema_migration (name, checksum, statements_total, statements_done) VALUES (:name, :checksum, :total, 0)',
      'CREATE TABLE b (y NUMBER)',
      'UPDATE schema_migration SET statements_done = :done WHERE name = :name',
      'UPDATE schema_migration SET applied_at = SYSTIMESTAMP WHERE name = :name',
    ]);
    expect(connection.executed.filter((e) => !e.sql.startsWith('SELECT')).every((e) => e.options.autoCommit === true)).toBe(true);
  });

  test('migrate resumes a file that failed part-way at the statement that failed', async () => {
    const migrations: OracleMigration[] = [{ name: '001_a.sql', checksum: 'aaa', statements: ['CREATE TABLE a (x NUMBER)', 'CREATE INDEX a_x ON a (x)'] }];
    const connection = new FakeConnection((sql) => {
      if (sql.includes('user_tables')) return [{ n: 1 }];
      if (sql.startsWith('SELECT name')) return [{ name: '001_a.sql', checksum: 'aaa', done: 1, appliedAt: null }];
      return [];
    });
    await migrateOracle(connection, { migrations });
    expect(connection.executed.map((e) => e.sql).filter((sql) => sql.startsWith('CREATE'))).toEqual(['CREATE INDEX a_x ON a (x)']);
  });

  test('migrate refuses an applied file whose content changed', async () => {
    const migrations: OracleMigration[] = [{ name: '001_a.sql', checksum: 'new', statements: ['CREATE TABLE a (x NUMBER)'] }];
    const connection = new FakeConnection((sql) => {
      if (sql.includes('user_tables')) return [{ n: 1 }];
      if (sql.startsWith('SELECT name')) return [{ name: '001_a.sql', checksum: 'old', done: 1, appliedAt: new Date() }];
      return [];
    });
    await expect(migrateOracle(connection, { migrations })).rejects.toThrow(
      '001_a.sql: expected the applied migration unchanged (sha256 old), got a different file (sha256 new); add a new migration instead of editing an applied one',
    );
  });

  test('a failing statement names the file, the statement and how to resume', async () => {
    const migrations: OracleMigration[] = [{ name: '001_a.sql', checksum: 'aaa', statements: ['CREATE TABLE a (x NUMBER)', 'CREATE INDEX a_x ON a (x)'] }];
    const connection = new FakeConnection((sql) => {
      if (sql.includes('user_tables')) return [{ n: 1 }];
      if (sql.startsWith('CREATE INDEX')) return serverError('ORA-00955', 'name is already used by an existing object');
      return [];
    });
    await expect(migrateOracle(connection, { migrations })).rejects.toThrow(/^001_a\.sql: statement 2 of 2 failed: ORA-00955.*\nstatements 1 to 1 are applied and recorded .* resume at statement 2$/s);
  });
});

// ------------------------------------------------------------------------------------------------

describe('Oracle configuration (lib/config)', () => {
  test('RIS_ORACLE_URL gives user, password, Easy Connect string and pool defaults', () => {
    expect(loadConfig({ RIS_ORACLE_URL: 'oracle://ris_app:s%40cret@db.example.cl:1522/RSH' }).oracle).toEqual({
      user: 'ris_app',
      password: 's@cret',
      connectString: 'db.example.cl:1522/RSH',
      poolMin: 2,
      poolMax: 16,
      queueTimeoutMs: 2000,
      callTimeoutMs: 5000,
    });
  });

  test('the port defaults to 1521 and no Oracle variables mean no Oracle', () => {
    expect({ port: loadConfig({ RIS_ORACLE_URL: 'oracle://u:p@db/RSH' }).oracle?.connectString, none: loadConfig({}).oracle }).toEqual({ port: 'db:1521/RSH', none: null });
  });

  test('a URL without a service is refused naming the variable', () => {
    expect(() => loadConfig({ RIS_ORACLE_URL: 'oracle://u:p@db:1521' })).toThrow(/^RIS_ORACLE_URL: expected oracle:\/\/user:password@host:port\/service/);
  });

  test('RIS_STORE=oracle without a database is refused', () => {
    expect(() => loadConfig({ RIS_STORE: 'oracle' })).toThrow(/^RIS_STORE=oracle: expected RIS_ORACLE_URL/);
  });

  test('the pool is built from the configuration with queue timeout, ping interval, connect timeouts and a statement cache for the bucketed texts', () => {
    const config = loadConfig({ RIS_ORACLE_URL: 'oracle://u:p@db/RSH', RIS_ORACLE_POOL_MAX: '8', RIS_ORACLE_QUEUE_TIMEOUT_MS: '1500' }).oracle;
    if (!config) throw new Error('expected an Oracle configuration');
    const attributes = poolAttributes(config);
    expect({ ...attributes, sessionCallback: typeof attributes.sessionCallback }).toEqual({
      user: 'u',
      password: 'p',
      connectString: 'db:1521/RSH',
      poolMin: 2,
      poolMax: 8,
      poolIncrement: 1,
      queueTimeout: 1500,
      poolPingInterval: 60,
      transportConnectTimeout: 5,
      connectTimeout: 5,
      expireTime: 2,
      stmtCacheSize: 128,
      sessionCallback: 'function',
    });
    expect(Object.keys(LOOKUPS).length * KEY_BUCKETS.length + Object.keys(SQL).length).toBeLessThanOrEqual(attributes.stmtCacheSize ?? 0);
  });
});

// ------------------------------------------------------------------------------------------------

describe('the loader (ris oracle load) on a fake connection', () => {
  let register: GeneratedRegister;

  beforeAll(() => {
    register = generateRegisterFile(30, 5);
  });

  afterAll(() => register.remove());

  /** An Oracle schema with the SQLite columns; `rowsIn` lists tables that already hold rows. */
  class LoaderConnection implements OracleConnection {
    readonly executed: string[] = [];
    readonly batches: { sql: string; rows: number; defs: oracledb.BindDefinition[] | undefined; autoCommit: boolean | undefined }[] = [];
    commits = 0;

    constructor(private readonly rowsIn: string[] = []) {}

    async execute<T>(sql: string, binds: oracledb.BindParameters): Promise<oracledb.Result<T>> {
      this.executed.push(sql);
      if (sql.includes('user_tab_columns')) {
        const table = (binds as { name: string }).name;
        const columns = register.db.prepare('SELECT name, type FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string; type: string }[];
        const type = (sqlite: string) => (sqlite === 'INTEGER' ? 'NUMBER' : sqlite === 'REAL' ? 'BINARY_DOUBLE' : 'VARCHAR2');
        return { rows: columns.map((c) => ({ name: c.name, type: type(c.type), chars: 100 })) as T[] };
      }
      const probed = /FROM (\w+) FETCH FIRST 1 ROWS ONLY/.exec(sql)?.[1];
      if (probed) return { rows: (this.rowsIn.includes(probed) ? [{ one: 1 }] : []) as T[] };
      return { rows: [] };
    }

    async executeMany(sql: string, binds: oracledb.BindParameters[], options: oracledb.ExecuteManyOptions): Promise<unknown> {
      this.batches.push({ sql, rows: binds.length, defs: options.bindDefs as oracledb.BindDefinition[] | undefined, autoCommit: options.autoCommit });
      return {};
    }

    async commit(): Promise<void> {
      this.commits += 1;
    }

    async close(): Promise<void> {}
  }

  const count = (table: string) => (register.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  test('copies every register table in foreign-key order, in committed executeMany batches with bind definitions', async () => {
    const connection = new LoaderConnection();
    const loads = await loadRegister(register.db, connection, { truncate: false, batchSize: 40 });
    expect(loads.map((load) => [load.table, load.rows])).toEqual(REGISTER_TABLES.map((table) => [table, count(table)]));
    const personBatches = connection.batches.filter((batch) => batch.sql.startsWith('INSERT INTO person '));
    expect(personBatches.map((batch) => batch.rows)).toEqual(
      Array.from({ length: Math.ceil(count('person') / 40) }, (_, i) => Math.min(40, count('person') - i * 40)),
    );
    expect(personBatches[0]).toMatchObject({
      sql: 'INSERT INTO person (run, given_names, paternal_surname, maternal_surname, birth_date, sex, nationality, deceased, street, street_number, unit, commune_code, email, phone) VALUES (:1, :2, :3, :4, :5, :6, :7, :8, :9, :10, :11, :12, :13, :14)',
      autoCommit: true,
    });
    expect(personBatches[0].defs?.slice(0, 2)).toEqual([{ type: oracledb.NUMBER }, { type: oracledb.STRING, maxSize: 400 }]);
  });

  test('refuses a target that already holds rows, naming the tables, and writes nothing', async () => {
    const connection = new LoaderConnection(['person', 'payment']);
    await expect(loadRegister(register.db, connection, { truncate: false })).rejects.toThrow(
      new TargetNotEmptyError('refusing to load: expected empty target tables, got rows in person, payment; pass --truncate to delete them first'),
    );
    expect(connection.batches).toEqual([]);
  });

  test('with truncate, deletes children before parents, commits, then loads', async () => {
    const connection = new LoaderConnection(['person']);
    await loadRegister(register.db, connection, { truncate: true });
    const deletes = connection.executed.filter((sql) => sql.startsWith('DELETE'));
    expect(deletes).toEqual([...REGISTER_TABLES].reverse().map((table) => `DELETE FROM ${table}`));
    expect({ commits: connection.commits, loaded: connection.batches.length > 0 }).toEqual({ commits: 1, loaded: true });
  });

  test('the commands refuse to run without an Oracle configuration, naming the variable', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } };
    const commands = createOracleCommands({ config: () => null, connect: async () => new LoaderConnection() });
    expect(await commands.migrate([], io)).toBe(2);
    expect(err.join('')).toMatch(/^expected RIS_ORACLE_URL=oracle:\/\/user:password@host:1521\/service/);
  });

  test('load with an unknown option is a usage error', async () => {
    const err: string[] = [];
    const io = { out: { write: () => undefined }, err: { write: (t: string) => err.push(t) } };
    const commands = createOracleCommands({ config: () => null, connect: async () => new LoaderConnection() });
    expect(await commands.load(['--form', 'x.db'], io)).toBe(2);
    expect(err.join('')).toContain('expected --from, --truncate or --batch, got "--form"');
  });

  test('migrate applies the shipped migrations through the injected connection and reports them', async () => {
    const out: string[] = [];
    const io = { out: { write: (t: string) => out.push(t) }, err: { write: () => undefined } };
    const connection = new LoaderConnection();
    const config = loadConfig({ RIS_ORACLE_URL: 'oracle://u:p@db/RSH' }).oracle;
    const commands = createOracleCommands({ config: () => config, connect: async () => connection });
    expect(await commands.migrate([], io)).toBe(0);
    expect(out.at(-1)).toBe(`applied ${readMigrations().length} migration(s): ${readMigrations().map((m) => m.name).join(', ')}\n`);
  });
});

test('the session callback sets binary sorting and reports completion through the driver callback', async () => {
  const sent: string[] = [];
  const connection = { execute: async (sql: string) => { sent.push(sql); return { rows: [] }; } } as unknown as Pick<oracledb.Connection, 'execute'>;
  const outcome = await new Promise<unknown>((resolve) => setUpSession(connection, '', (error) => resolve(error ?? 'done')));
  expect({ sent, outcome }).toEqual({ sent: ['ALTER SESSION SET NLS_SORT = BINARY NLS_COMP = BINARY'], outcome: 'done' });
});

test('with the real thin driver and nothing listening, ping answers UPSTREAM_UNAVAILABLE (the driver error is logged, not shown)', async () => {
  const config = loadConfig({ RIS_ORACLE_URL: 'oracle://ris:secret@127.0.0.1:9/RSH', RIS_ORACLE_POOL_MIN: '0' }).oracle;
  if (!config) throw new Error('expected an Oracle configuration');
  const logged: string[] = [];
  const store = await OracleStore.open(config, (line) => logged.push(line));
  try {
    const error = (await rejection(store.ping())) as GraphQLError;
    expect({ code: error.extensions.code, message: error.message, logged: logged.join('\n') }).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      message: UNAVAILABLE_MESSAGE,
      logged: expect.stringMatching(/^oracle store: ping failed \(attempt 1, unavailable\): NJS-503: connection to host 127\.0\.0\.1 port 9 could not be established/),
    });
  } finally {
    await store.close();
  }
});
