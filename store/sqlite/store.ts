import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { formatRun, runBody } from '../../lib/run';
import type {
  CommuneRow, DisabilityRow, EmergencyRow, GrantRow, HealthInsuranceRow, HouseholdPage, HouseholdRow,
  IndigenousRow, MemberRow, PaymentRow, PeriodRange, PersonRow, ProgramRow, RegionRow, Run, Store,
  StreetSituationRow, SubsystemRow, TargetGroupRow,
} from '../types';

/**
 * The embedded store: SQLite through better-sqlite3, opened read-only by the subgraphs.
 * A batch of keys is bound as ONE JSON array parameter and expanded with `json_each`, so every
 * lookup is one prepared statement whatever the number of keys (no IN-list of N placeholders,
 * no statement per batch size). Rows come back with RUNs formatted, everything else as stored.
 */

const PERSON_COLUMNS = `run, given_names AS givenNames, paternal_surname AS paternalSurname,
  maternal_surname AS maternalSurname, birth_date AS birthDate, sex, nationality, deceased,
  street, street_number AS streetNumber, unit, commune_code AS communeCode, email, phone`;

const HOUSEHOLD_COLUMNS = `h.id, h.cse_bracket AS cseBracket, h.street, h.street_number AS streetNumber, h.unit,
  h.commune_code AS communeCode, h.registered_on AS registeredOn, h.updated_on AS updatedOn,
  (SELECT count(*) FROM household_member m WHERE m.household_id = h.id) AS size`;

const MEMBER_COLUMNS = 'household_id AS householdId, run, relationship, ordinal';

const PAYMENT_COLUMNS = `id, period, program_code AS programCode, household_id AS householdId, payee_run AS payeeRun,
  commune_code AS communeCode, individual_amount AS individualAmount, total_amount AS totalAmount, method, bank`;

const PERIOD_FILTER = '(@from IS NULL OR period >= @from) AND (@to IS NULL OR period <= @to)';

const KEYS = '(SELECT value FROM json_each(@keys))';

const SQL = {
  regions: 'SELECT code, name FROM region ORDER BY code',
  communes: `SELECT code, name, province_code AS provinceCode, province_name AS provinceName, region_code AS regionCode
    FROM commune ORDER BY code`,
  personsByRun: `SELECT ${PERSON_COLUMNS} FROM person WHERE run IN ${KEYS}`,
  householdsById: `SELECT ${HOUSEHOLD_COLUMNS} FROM household h WHERE h.id IN ${KEYS}`,
  membershipsByRun: `SELECT ${MEMBER_COLUMNS} FROM household_member WHERE run IN ${KEYS}`,
  membersByHouseholdId: `SELECT ${MEMBER_COLUMNS} FROM household_member WHERE household_id IN ${KEYS}
    ORDER BY household_id, ordinal`,
  householdsInCommune: `SELECT ${HOUSEHOLD_COLUMNS} FROM household h
    WHERE h.commune_code = @commune AND (@after IS NULL OR h.id > @after) ORDER BY h.id LIMIT @limit`,
  householdsInCommuneCount: 'SELECT count(*) AS total FROM household WHERE commune_code = @commune',
  disabilityByRun: `SELECT run, degree, registered_on AS registeredOn, source, as_of AS asOf
    FROM disability_record WHERE run IN ${KEYS}`,
  indigenousByRun: `SELECT run, people, accredited_on AS accreditedOn, source, as_of AS asOf
    FROM indigenous_record WHERE run IN ${KEYS}`,
  healthInsuranceByRun: `SELECT run, insurer, bracket, source, as_of AS asOf FROM health_insurance WHERE run IN ${KEYS}`,
  streetSituationByRun: `SELECT run, since, commune_code AS communeCode, source, as_of AS asOf
    FROM street_situation_record WHERE run IN ${KEYS}`,
  emergencyRecordsByRun: `SELECT run, event, occurred_on AS occurredOn, commune_code AS communeCode, source, as_of AS asOf
    FROM emergency_record WHERE run IN ${KEYS} ORDER BY run, occurred_on, id`,
  programs: 'SELECT code, name, ministry FROM program WHERE (@ministry IS NULL OR ministry = @ministry) ORDER BY code',
  programsByCode: `SELECT code, name, ministry FROM program WHERE code IN ${KEYS}`,
  targetGroupsByProgram: `SELECT program_code AS programCode, target_group AS targetGroup FROM program_target_group
    WHERE program_code IN ${KEYS} ORDER BY program_code, target_group`,
  grantsByRun: `SELECT run, program_code AS programCode, status, granted_on AS grantedOn, ended_on AS endedOn, amount
    FROM benefit_grant WHERE run IN ${KEYS} ORDER BY run, granted_on, id`,
  subsystemByRun: `SELECT run, subsystem, since, active FROM subsystem_membership WHERE run IN ${KEYS}`,
  paymentsByPayee: `SELECT ${PAYMENT_COLUMNS} FROM payment WHERE payee_run IN ${KEYS} AND ${PERIOD_FILTER}
    ORDER BY payee_run, period, id`,
  paymentsByHousehold: `SELECT ${PAYMENT_COLUMNS} FROM payment WHERE household_id IN ${KEYS} AND ${PERIOD_FILTER}
    ORDER BY household_id, period, id`,
  communesByRun: `SELECT run, commune_code AS communeCode FROM person WHERE run IN ${KEYS}`,
  communesByHousehold: `SELECT id, commune_code AS communeCode FROM household WHERE id IN ${KEYS}`,
  ping: 'SELECT 1 AS ok',
} as const;

type Statement = keyof typeof SQL;

/** Rows as SQLite returns them: RUN columns are bodies, booleans are 0/1. */
type Raw<R> = {
  [K in keyof R]: K extends 'run' | 'payeeRun' ? number | Extract<R[K], null> : R[K] extends boolean ? number : R[K];
};

const withRun = <R extends { run: Run }>(row: Raw<R>): R => ({ ...row, run: formatRun(row.run as number) }) as unknown as R;

export interface SqliteStoreOptions {
  /** Open read-write (the generator and importers); subgraphs open read-only. */
  readonly?: boolean;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private statements = 0;
  private readonly prepared = new Map<Statement, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  /** Opens the database file, which must exist and hold a generated register. */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    if (!fs.existsSync(file)) {
      throw new Error(`expected the embedded database at ${path.resolve(file)}; create it with \`npm run generate\` (or \`npm start\`)`);
    }
    const db = new Database(file, { readonly: options.readonly ?? true, fileMustExist: true });
    return new SqliteStore(db);
  }

  get statementCount(): number {
    return this.statements;
  }

  private all<R>(name: Statement, params: Record<string, unknown> = {}): R[] {
    let statement = this.prepared.get(name);
    if (!statement) {
      statement = this.db.prepare(SQL[name]);
      this.prepared.set(name, statement);
    }
    this.statements += 1;
    return statement.all(params) as R[];
  }

  private byRuns<R extends { run: Run }>(name: Statement, runs: readonly Run[]): Promise<R[]> {
    const rows = this.all<Raw<R>>(name, { keys: JSON.stringify(runs.map(runBody)) });
    return Promise.resolve(rows.map((row) => withRun<R>(row)));
  }

  private byKeys<R>(name: Statement, keys: readonly (string | number)[], extra: Record<string, unknown> = {}): R[] {
    return this.all<R>(name, { keys: JSON.stringify(keys), ...extra });
  }

  async regions(): Promise<RegionRow[]> {
    return this.all<RegionRow>('regions');
  }

  async communes(): Promise<CommuneRow[]> {
    return this.all<CommuneRow>('communes');
  }

  async personsByRun(runs: readonly Run[]): Promise<PersonRow[]> {
    const rows = await this.byRuns<PersonRow>('personsByRun', runs);
    return rows.map((row) => ({ ...row, deceased: Boolean(row.deceased) }));
  }

  async householdsById(ids: readonly number[]): Promise<HouseholdRow[]> {
    return this.byKeys<HouseholdRow>('householdsById', ids);
  }

  membershipsByRun(runs: readonly Run[]): Promise<MemberRow[]> {
    return this.byRuns<MemberRow>('membershipsByRun', runs);
  }

  async membersByHouseholdId(ids: readonly number[]): Promise<MemberRow[]> {
    return this.byKeys<Raw<MemberRow>>('membersByHouseholdId', ids).map((row) => withRun<MemberRow>(row));
  }

  async householdsInCommune(communeCode: string, first: number, afterId: number | null): Promise<HouseholdPage> {
    const rows = this.all<HouseholdRow>('householdsInCommune', { commune: communeCode, after: afterId, limit: first + 1 });
    const [{ total }] = this.all<{ total: number }>('householdsInCommuneCount', { commune: communeCode });
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: total };
  }

  disabilityByRun(runs: readonly Run[]): Promise<DisabilityRow[]> {
    return this.byRuns<DisabilityRow>('disabilityByRun', runs);
  }

  indigenousByRun(runs: readonly Run[]): Promise<IndigenousRow[]> {
    return this.byRuns<IndigenousRow>('indigenousByRun', runs);
  }

  healthInsuranceByRun(runs: readonly Run[]): Promise<HealthInsuranceRow[]> {
    return this.byRuns<HealthInsuranceRow>('healthInsuranceByRun', runs);
  }

  streetSituationByRun(runs: readonly Run[]): Promise<StreetSituationRow[]> {
    return this.byRuns<StreetSituationRow>('streetSituationByRun', runs);
  }

  emergencyRecordsByRun(runs: readonly Run[]): Promise<EmergencyRow[]> {
    return this.byRuns<EmergencyRow>('emergencyRecordsByRun', runs);
  }

  async programs(ministry: string | null): Promise<ProgramRow[]> {
    return this.all<ProgramRow>('programs', { ministry });
  }

  async programsByCode(codes: readonly string[]): Promise<ProgramRow[]> {
    return this.byKeys<ProgramRow>('programsByCode', codes);
  }

  async targetGroupsByProgram(codes: readonly string[]): Promise<TargetGroupRow[]> {
    return this.byKeys<TargetGroupRow>('targetGroupsByProgram', codes);
  }

  grantsByRun(runs: readonly Run[]): Promise<GrantRow[]> {
    return this.byRuns<GrantRow>('grantsByRun', runs);
  }

  async subsystemByRun(runs: readonly Run[]): Promise<SubsystemRow[]> {
    const rows = await this.byRuns<SubsystemRow>('subsystemByRun', runs);
    return rows.map((row) => ({ ...row, active: Boolean(row.active) }));
  }

  async paymentsByPayee(runs: readonly Run[], range: PeriodRange): Promise<PaymentRow[]> {
    return this.byKeys<Raw<PaymentRow>>('paymentsByPayee', runs.map(runBody), { ...range }).map(paymentRow);
  }

  async paymentsByHousehold(ids: readonly number[], range: PeriodRange): Promise<PaymentRow[]> {
    return this.byKeys<Raw<PaymentRow>>('paymentsByHousehold', ids, { ...range }).map(paymentRow);
  }

  communesByRun(runs: readonly Run[]): Promise<{ run: Run; communeCode: string | null }[]> {
    return this.byRuns<{ run: Run; communeCode: string | null }>('communesByRun', runs);
  }

  async communesByHousehold(ids: readonly number[]): Promise<{ id: number; communeCode: string }[]> {
    return this.byKeys<{ id: number; communeCode: string }>('communesByHousehold', ids);
  }

  async ping(): Promise<void> {
    this.all('ping');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function paymentRow(row: Raw<PaymentRow>): PaymentRow {
  return { ...row, payeeRun: row.payeeRun === null ? null : formatRun(row.payeeRun) };
}
