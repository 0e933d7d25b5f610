import oracledb from 'oracledb';
import { MAX_BATCH } from '../types';

/**
 * Every SQL text the Oracle store and loader send, in one place.
 *
 * Batched key lookups bind their keys as an IN-list of bind variables whose length is BUCKETED to
 * 1, 10, 100 or 1,000, padded with NULL (NULL never satisfies `IN`, so padding adds no rows).
 * Each lookup therefore has at most four distinct texts, all hits in the statement cache and in the
 * shared pool after first use. Chosen over binding one collection
 * (`IN (SELECT column_value FROM TABLE(:keys))` with SYS.ODCINUMBERLIST) because:
 * - the optimizer sees an IN-list of known length and plans an index (INLIST) iterator; a
 *   TABLE() collection gets a fixed cardinality guess (8,168 rows) that can tip plans into full
 *   scans of 10 TB tables unless every statement carries a CARDINALITY hint;
 * - scalar binds need no object types: no grants on SYS types, no type metadata round trip to
 *   build a DbObject in thin mode, the same code on every Oracle version, and fake connections in
 *   tests see plain values;
 * - Oracle's 1,000-element IN-list limit (ORA-01795) is MAX_BATCH, so one bucket always fits.
 * The cost is up to ~10x padding on the smallest batch of a bucket (2 keys bind 10), which is a
 * few bytes per key on a round trip that dominates anyway.
 */

/** The IN-list lengths a lookup is sent with. */
export const KEY_BUCKETS = [1, 10, 100, 1000] as const;
export type KeyBucket = (typeof KEY_BUCKETS)[number];

/** The smallest bucket holding `count` keys; refuses 0 and more than MAX_BATCH keys. */
export function bucketSize(count: number): KeyBucket {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH) {
    throw new RangeError(`expected from 1 to ${MAX_BATCH} keys in one lookup (Oracle's IN-list limit), got ${count}`);
  }
  return KEY_BUCKETS.find((bucket) => bucket >= count) as KeyBucket;
}

/** "(:k0, :k1, …)" with `bucket` bind variables. */
export function inList(bucket: KeyBucket): string {
  return `(${Array.from({ length: bucket }, (_, i) => `:k${i}`).join(', ')})`;
}

export type KeyType = 'number' | 'string';

export interface TypedBind {
  type: oracledb.DbType;
  val: number | string | null;
}

const BIND_TYPE: Record<KeyType, oracledb.DbType> = { number: oracledb.NUMBER, string: oracledb.STRING };

/**
 * Binds k0…k(bucket-1): the keys, then NULLs up to the bucket. Every bind carries its type, so the
 * padding NULLs bind as the key type and the cursor is shared (no bind-mismatch child cursors).
 */
export function keyBinds(keys: readonly (number | string)[], type: KeyType): Record<string, TypedBind> {
  const bucket = bucketSize(keys.length);
  const binds: Record<string, TypedBind> = {};
  for (let i = 0; i < bucket; i += 1) binds[`k${i}`] = { type: BIND_TYPE[type], val: i < keys.length ? keys[i] : null };
  return binds;
}

// Column lists alias to the row shapes of store/types.ts; quoted aliases keep their case.
const PERSON_COLUMNS = `run, given_names AS "givenNames", paternal_surname AS "paternalSurname",
  maternal_surname AS "maternalSurname", birth_date AS "birthDate", sex, nationality, deceased,
  street, street_number AS "streetNumber", unit, commune_code AS "communeCode", email, phone`;

const HOUSEHOLD_COLUMNS = `h.id, h.cse_bracket AS "cseBracket", h.street, h.street_number AS "streetNumber", h.unit,
  h.commune_code AS "communeCode", h.registered_on AS "registeredOn", h.updated_on AS "updatedOn",
  (SELECT count(*) FROM household_member m WHERE m.household_id = h.id) AS "size"`;

const MEMBER_COLUMNS = 'household_id AS "householdId", run, relationship, ordinal';

const PAYMENT_COLUMNS = `id, period, program_code AS "programCode", household_id AS "householdId", payee_run AS "payeeRun",
  commune_code AS "communeCode", individual_amount AS "individualAmount", total_amount AS "totalAmount", method, bank`;

/** Open ends bind NULL. (`from` is reserved in Oracle, hence period_from.) */
const PERIOD_FILTER = '(:period_from IS NULL OR period >= :period_from) AND (:period_to IS NULL OR period <= :period_to)';

/** Where a lookup's IN-list goes in its template. */
const KEYS = '{keys}';

export interface Lookup {
  /** The text with `{keys}` where the IN-list goes. */
  template: string;
  keyType: KeyType;
  /**
   * Rows expected per key, to size fetchArraySize/prefetchRows so that a whole answer arrives in
   * the execute round trip: 1 for one-row lookups, an estimate from the register for the others.
   */
  rowsPerKey: number;
}

export const LOOKUPS = {
  personsByRun: { template: `SELECT ${PERSON_COLUMNS} FROM person WHERE run IN ${KEYS}`, keyType: 'number', rowsPerKey: 1 },
  householdsById: { template: `SELECT ${HOUSEHOLD_COLUMNS} FROM household h WHERE h.id IN ${KEYS}`, keyType: 'number', rowsPerKey: 1 },
  membershipsByRun: { template: `SELECT ${MEMBER_COLUMNS} FROM household_member WHERE run IN ${KEYS}`, keyType: 'number', rowsPerKey: 1 },
  membersByHouseholdId: {
    template: `SELECT ${MEMBER_COLUMNS} FROM household_member WHERE household_id IN ${KEYS} ORDER BY household_id, ordinal`,
    keyType: 'number',
    rowsPerKey: 4,
  },
  disabilityByRun: {
    template: `SELECT run, degree, registered_on AS "registeredOn", source, as_of AS "asOf" FROM disability_record WHERE run IN ${KEYS}`,
    keyType: 'number',
    rowsPerKey: 1,
  },
  indigenousByRun: {
    template: `SELECT run, people, accredited_on AS "accreditedOn", source, as_of AS "asOf" FROM indigenous_record WHERE run IN ${KEYS}`,
    keyType: 'number',
    rowsPerKey: 1,
  },
  healthInsuranceByRun: {
    template: `SELECT run, insurer, bracket, source, as_of AS "asOf" FROM health_insurance WHERE run IN ${KEYS}`,
    keyType: 'number',
    rowsPerKey: 1,
  },
  streetSituationByRun: {
    template: `SELECT run, since, commune_code AS "communeCode", source, as_of AS "asOf" FROM street_situation_record WHERE run IN ${KEYS}`,
    keyType: 'number',
    rowsPerKey: 1,
  },
  emergencyRecordsByRun: {
    template: `SELECT run, event, occurred_on AS "occurredOn", commune_code AS "communeCode", source, as_of AS "asOf"
    FROM emergency_record WHERE run IN ${KEYS} ORDER BY run, occurred_on, id`,
    keyType: 'number',
    rowsPerKey: 1,
  },
  programsByCode: { template: `SELECT code, name, ministry FROM program WHERE code IN ${KEYS}`, keyType: 'string', rowsPerKey: 1 },
  targetGroupsByProgram: {
    template: `SELECT program_code AS "programCode", target_group AS "targetGroup" FROM program_target_group
    WHERE program_code IN ${KEYS} ORDER BY program_code, target_group`,
    keyType: 'string',
    rowsPerKey: 2,
  },
  grantsByRun: {
    template: `SELECT run, program_code AS "programCode", status, granted_on AS "grantedOn", ended_on AS "endedOn", amount
    FROM benefit_grant WHERE run IN ${KEYS} ORDER BY run, granted_on, id`,
    keyType: 'number',
    rowsPerKey: 2,
  },
  subsystemByRun: { template: `SELECT run, subsystem, since, active FROM subsystem_membership WHERE run IN ${KEYS}`, keyType: 'number', rowsPerKey: 1 },
  paymentsByPayee: {
    template: `SELECT ${PAYMENT_COLUMNS} FROM payment WHERE payee_run IN ${KEYS} AND ${PERIOD_FILTER} ORDER BY payee_run, period, id`,
    keyType: 'number',
    rowsPerKey: 12,
  },
  paymentsByHousehold: {
    template: `SELECT ${PAYMENT_COLUMNS} FROM payment WHERE household_id IN ${KEYS} AND ${PERIOD_FILTER} ORDER BY household_id, period, id`,
    keyType: 'number',
    rowsPerKey: 12,
  },
  communesByRun: { template: `SELECT run, commune_code AS "communeCode" FROM person WHERE run IN ${KEYS}`, keyType: 'number', rowsPerKey: 1 },
  communesByHousehold: { template: `SELECT id, commune_code AS "communeCode" FROM household WHERE id IN ${KEYS}`, keyType: 'number', rowsPerKey: 1 },
} as const satisfies Record<string, Lookup>;

export type LookupName = keyof typeof LOOKUPS;

const lookupTexts = new Map<string, string>();

/** The text of `name` for an IN-list of `bucket` binds (built once, then the same string). */
export function lookupSql(name: LookupName, bucket: KeyBucket): string {
  const cacheKey = `${name}/${bucket}`;
  let text = lookupTexts.get(cacheKey);
  if (text === undefined) {
    text = LOOKUPS[name].template.replace(KEYS, inList(bucket));
    lookupTexts.set(cacheKey, text);
  }
  return text;
}

/** Largest fetch buffer a lookup asks for, in rows (memory is allocated per row of it). */
export const MAX_FETCH_ROWS = 10_000;

/**
 * fetchArraySize and prefetchRows for a lookup of `keyCount` keys, following the driver's tuning
 * guide: fetchArraySize = the expected rows, prefetchRows one more, so the rows and the
 * end-of-fetch arrive with the execute itself (one round trip).
 */
export function fetchSizing(name: LookupName, keyCount: number): { fetchArraySize: number; prefetchRows: number } {
  const expected = Math.min(MAX_FETCH_ROWS, Math.max(1, keyCount * LOOKUPS[name].rowsPerKey));
  return { fetchArraySize: expected, prefetchRows: expected + 1 };
}

/** Statements that are not key lookups. */
export const SQL = {
  regions: 'SELECT code, name FROM region ORDER BY code',
  communes: `SELECT code, name, province_code AS "provinceCode", province_name AS "provinceName", region_code AS "regionCode"
    FROM commune ORDER BY code`,
  programsAll: 'SELECT code, name, ministry FROM program ORDER BY code',
  programsOfMinistry: 'SELECT code, name, ministry FROM program WHERE ministry = :ministry ORDER BY code',
  /** Keyset pages: the first page and the following ones are separate texts so both use the (commune_code, id) index range. */
  householdsInCommuneFirst: `SELECT ${HOUSEHOLD_COLUMNS} FROM household h
    WHERE h.commune_code = :commune ORDER BY h.id FETCH FIRST :n ROWS ONLY`,
  householdsInCommuneAfter: `SELECT ${HOUSEHOLD_COLUMNS} FROM household h
    WHERE h.commune_code = :commune AND h.id > :after ORDER BY h.id FETCH FIRST :n ROWS ONLY`,
  householdsInCommuneCount: 'SELECT count(*) AS "total" FROM household WHERE commune_code = :commune',
  ping: 'SELECT 1 AS "ok" FROM dual',
  /**
   * Set on every new pooled session: comparisons and ORDER BY on text are binary (byte order of
   * UTF-8), exactly as SQLite's default collation, whatever NLS defaults the database has.
   */
  sessionSetup: 'ALTER SESSION SET NLS_SORT = BINARY NLS_COMP = BINARY',
} as const;

// ------------------------------------------------------------------------------------------------
// Migrations and the loader (data/oracle.ts)

export const MIGRATION_SQL = {
  tableExists: 'SELECT count(*) AS "n" FROM user_tables WHERE table_name = :name',
  createMigrationTable: `CREATE TABLE schema_migration (
  name VARCHAR2(200 CHAR) PRIMARY KEY,
  checksum VARCHAR2(64 CHAR) NOT NULL,
  statements_total NUMBER(6) NOT NULL,
  statements_done NUMBER(6) NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE
)`,
  applied: `SELECT name AS "name", checksum AS "checksum", statements_done AS "done", applied_at AS "appliedAt"
    FROM schema_migration ORDER BY name`,
  start: `INSERT INTO schema_migration (name, checksum, statements_total, statements_done) VALUES (:name, :checksum, :total, 0)`,
  progress: 'UPDATE schema_migration SET statements_done = :done WHERE name = :name',
  finish: 'UPDATE schema_migration SET applied_at = SYSTIMESTAMP WHERE name = :name',
} as const;

/** Oracle names are upper case in the dictionary; the loader matches them to SQLite's lower case. */
export const LOADER_SQL = {
  columns: `SELECT lower(column_name) AS "name", data_type AS "type", char_length AS "chars"
    FROM user_tab_columns WHERE table_name = upper(:name) ORDER BY column_id`,
  /** Table names are from the fixed list REGISTER_TABLES, never user input. */
  anyRow: (table: string) => `SELECT 1 AS "one" FROM ${table} FETCH FIRST 1 ROWS ONLY`,
  insert: (table: string, columns: readonly string[]) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `:${i + 1}`).join(', ')})`,
  /** DELETE, not TRUNCATE: TRUNCATE of a parent table fails (ORA-02266) while foreign keys reference it, even from empty children. */
  clear: (table: string) => `DELETE FROM ${table}`,
} as const;
