import oracledb from 'oracledb';
import type { OracleConfig } from '../../lib/config';
import { formatRun, runBody } from '../../lib/run';
import type {
  CommuneRow, DisabilityRow, EmergencyRow, GrantRow, HealthInsuranceRow, HouseholdPage, HouseholdRow,
  IndigenousRow, MemberRow, PaymentRow, PeriodRange, PersonRow, ProgramRow, RegionRow, Run, Store,
  StreetSituationRow, SubsystemRow, TargetGroupRow,
} from '../types';
import { classifyOracleError, registerUnavailable } from './errors';
import { createOraclePool, type OracleConnection, type OraclePool } from './pool';
import { bucketSize, fetchSizing, keyBinds, LOOKUPS, lookupSql, SQL, type LookupName } from './sql';

/**
 * The production store: Oracle through node-oracledb thin mode, same contract, row shapes and
 * ordering as SqliteStore (test/store-contract.ts holds both to it).
 *
 * Every call takes a connection from the pool, sends its statement(s), and gives the connection
 * back. Failures (store/oracle/errors.ts):
 * - a dead session (database restart, killed session, dropped TCP) → the connection is dropped
 *   from the pool and the call runs ONCE more on a fresh connection: every call here is a read,
 *   so running it again is harmless; a second failure answers UPSTREAM_UNAVAILABLE;
 * - database unreachable, pool queue timeout, call timeout → UPSTREAM_UNAVAILABLE at once, and a
 *   connection that was in use is dropped (its state after a timeout is unknown);
 * - anything else is a bug: rethrown unchanged (logged and hidden by lib/errors formatError),
 *   and the connection goes back to the pool.
 * The original driver error is logged here; the client sees no ORA-/NJS- text.
 */

export interface OracleStoreOptions {
  /** Longest a single round trip may take, in ms (connection.callTimeout). */
  callTimeoutMs: number;
  /** Where the original driver errors go (server-side log). */
  log?: (message: string) => void;
}

/** Rows as Oracle returns them: RUN columns are bodies, booleans are 0/1. */
type Raw<R> = {
  [K in keyof R]: K extends 'run' | 'payeeRun' ? number | Extract<R[K], null> : R[K] extends boolean ? number : R[K];
};

const withRun = <R extends { run: Run }>(row: Raw<R>): R => ({ ...row, run: formatRun(row.run as number) }) as unknown as R;

export class OracleStore implements Store {
  readonly kind = 'oracle' as const;
  private statements = 0;
  private readonly log: (message: string) => void;

  /** The pool is injected so tests can pass a fake; production code uses `OracleStore.open`. */
  constructor(
    private readonly pool: OraclePool,
    private readonly options: OracleStoreOptions,
  ) {
    this.log = options.log ?? ((message) => console.error(message));
  }

  /** Creates the thin-mode pool from the configuration (does not wait for a first connection). */
  static async open(config: OracleConfig, log?: (message: string) => void): Promise<OracleStore> {
    return new OracleStore(await createOraclePool(config), { callTimeoutMs: config.callTimeoutMs, log });
  }

  /** Executes sent since the store was opened, retries included. */
  get statementCount(): number {
    return this.statements;
  }

  /** Runs `work` on a pooled connection, with the drop-and-retry-once rule of the class comment. */
  private async withConnection<T>(what: string, work: (connection: OracleConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      let connection: OracleConnection | undefined;
      let result: T;
      try {
        connection = await this.pool.getConnection();
        connection.callTimeout = this.options.callTimeoutMs;
        result = await work(connection);
      } catch (error) {
        const kind = classifyOracleError(error);
        if (connection) await this.giveBack(connection, kind !== 'bug');
        if (kind === 'bug') throw error;
        this.log(`oracle store: ${what} failed (attempt ${attempt}, ${kind}): ${describeError(error)}`);
        if (kind === 'retry-once' && attempt === 1) continue;
        throw registerUnavailable();
      }
      await this.giveBack(connection, false);
      return result;
    }
  }

  /** Releases (or drops) a connection; a failure to do so is logged, never thrown over an answer. */
  private async giveBack(connection: OracleConnection, drop: boolean): Promise<void> {
    try {
      await (drop ? connection.close({ drop: true }) : connection.close());
    } catch (error) {
      this.log(`oracle store: could not ${drop ? 'drop' : 'release'} a connection: ${describeError(error)}`);
    }
  }

  private async execute<R>(
    connection: OracleConnection,
    sql: string,
    binds: oracledb.BindParameters,
    sizing: { fetchArraySize: number; prefetchRows: number },
  ): Promise<R[]> {
    this.statements += 1;
    const result = await connection.execute<R>(sql, binds, { outFormat: oracledb.OUT_FORMAT_OBJECT, ...sizing });
    return result.rows ?? [];
  }

  private query<R>(what: string, sql: string, binds: oracledb.BindParameters, expectedRows: number): Promise<R[]> {
    const sizing = { fetchArraySize: Math.max(1, expectedRows), prefetchRows: Math.max(1, expectedRows) + 1 };
    return this.withConnection(what, (connection) => this.execute<R>(connection, sql, binds, sizing));
  }

  /** One statement for up to MAX_BATCH keys; no round trip for none. */
  private async lookup<R>(name: LookupName, keys: readonly (number | string)[], extra: Record<string, oracledb.BindParameter> = {}): Promise<R[]> {
    if (keys.length === 0) return [];
    const sql = lookupSql(name, bucketSize(keys.length));
    const binds = { ...keyBinds(keys, LOOKUPS[name].keyType), ...extra };
    const sizing = fetchSizing(name, keys.length);
    return this.withConnection(name, (connection) => this.execute<R>(connection, sql, binds, sizing));
  }

  private async byRuns<R extends { run: Run }>(name: LookupName, runs: readonly Run[]): Promise<R[]> {
    const rows = await this.lookup<Raw<R>>(name, runs.map(runBody));
    return rows.map((row) => withRun<R>(row));
  }

  regions(): Promise<RegionRow[]> {
    return this.query<RegionRow>('regions', SQL.regions, {}, 20);
  }

  communes(): Promise<CommuneRow[]> {
    return this.query<CommuneRow>('communes', SQL.communes, {}, 400);
  }

  async personsByRun(runs: readonly Run[]): Promise<PersonRow[]> {
    const rows = await this.byRuns<PersonRow>('personsByRun', runs);
    return rows.map((row) => ({ ...row, deceased: Boolean(row.deceased) }));
  }

  householdsById(ids: readonly number[]): Promise<HouseholdRow[]> {
    return this.lookup<HouseholdRow>('householdsById', ids);
  }

  membershipsByRun(runs: readonly Run[]): Promise<MemberRow[]> {
    return this.byRuns<MemberRow>('membershipsByRun', runs);
  }

  async membersByHouseholdId(ids: readonly number[]): Promise<MemberRow[]> {
    return (await this.lookup<Raw<MemberRow>>('membersByHouseholdId', ids)).map((row) => withRun<MemberRow>(row));
  }

  householdsInCommune(communeCode: string, first: number, afterId: number | null): Promise<HouseholdPage> {
    const sizing = { fetchArraySize: first + 1, prefetchRows: first + 2 };
    const page = afterId === null
      ? { sql: SQL.householdsInCommuneFirst, binds: { commune: communeCode, n: first + 1 } }
      : { sql: SQL.householdsInCommuneAfter, binds: { commune: communeCode, after: afterId, n: first + 1 } };
    return this.withConnection('householdsInCommune', async (connection) => {
      const rows = await this.execute<HouseholdRow>(connection, page.sql, page.binds, sizing);
      const [{ total }] = await this.execute<{ total: number }>(connection, SQL.householdsInCommuneCount, { commune: communeCode }, { fetchArraySize: 1, prefetchRows: 2 });
      return { rows: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: total };
    });
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

  programs(ministry: string | null): Promise<ProgramRow[]> {
    return ministry === null
      ? this.query<ProgramRow>('programs', SQL.programsAll, {}, 200)
      : this.query<ProgramRow>('programs', SQL.programsOfMinistry, { ministry }, 50);
  }

  programsByCode(codes: readonly string[]): Promise<ProgramRow[]> {
    return this.lookup<ProgramRow>('programsByCode', codes);
  }

  targetGroupsByProgram(codes: readonly string[]): Promise<TargetGroupRow[]> {
    return this.lookup<TargetGroupRow>('targetGroupsByProgram', codes);
  }

  grantsByRun(runs: readonly Run[]): Promise<GrantRow[]> {
    return this.byRuns<GrantRow>('grantsByRun', runs);
  }

  async subsystemByRun(runs: readonly Run[]): Promise<SubsystemRow[]> {
    const rows = await this.byRuns<SubsystemRow>('subsystemByRun', runs);
    return rows.map((row) => ({ ...row, active: Boolean(row.active) }));
  }

  async paymentsByPayee(runs: readonly Run[], range: PeriodRange): Promise<PaymentRow[]> {
    return (await this.lookup<Raw<PaymentRow>>('paymentsByPayee', runs.map(runBody), periodBinds(range))).map(paymentRow);
  }

  async paymentsByHousehold(ids: readonly number[], range: PeriodRange): Promise<PaymentRow[]> {
    return (await this.lookup<Raw<PaymentRow>>('paymentsByHousehold', ids, periodBinds(range))).map(paymentRow);
  }

  communesByRun(runs: readonly Run[]): Promise<{ run: Run; communeCode: string | null }[]> {
    return this.byRuns<{ run: Run; communeCode: string | null }>('communesByRun', runs);
  }

  communesByHousehold(ids: readonly number[]): Promise<{ id: number; communeCode: string }[]> {
    return this.lookup<{ id: number; communeCode: string }>('communesByHousehold', ids);
  }

  async ping(): Promise<void> {
    await this.query('ping', SQL.ping, {}, 1);
  }

  /** Closes the pool, giving in-use connections up to 10 s to come back. */
  async close(): Promise<void> {
    await this.pool.close(10);
  }
}

/** Typed so that an open end binds a NUMBER NULL (one cursor for every range). */
function periodBinds(range: PeriodRange): Record<string, oracledb.BindParameter> {
  return {
    period_from: { type: oracledb.NUMBER, val: range.from },
    period_to: { type: oracledb.NUMBER, val: range.to },
  };
}

function paymentRow(row: Raw<PaymentRow>): PaymentRow {
  return { ...row, payeeRun: row.payeeRun === null ? null : formatRun(row.payeeRun) };
}

/** For the server-side log only: the driver's code and first message line. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n').slice(0, 2).join(' | ');
  return String(error);
}
