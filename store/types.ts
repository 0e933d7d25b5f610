/**
 * The store contract: every read of register data goes through this interface, so nothing outside
 * `store/` knows which database it talks to (SQLite embedded, Oracle in production).
 *
 * Contract of every batched method:
 * - it receives up to `MAX_BATCH` distinct keys (the loaders guarantee both) and sends ONE statement;
 * - it returns the rows it found, in any order; the loader helper puts them in key order;
 * - keys with no row are simply absent (the loader answers null or []).
 * RUNs cross this boundary normalised ("12345678-5"); dates as numbers YYYYMMDD; periods YYYYMM.
 */

/** Largest number of keys one statement is given (Oracle's IN-list limit; DataLoader maxBatchSize). */
export const MAX_BATCH = 1000;

export type Run = string;

export interface RegionRow { code: string; name: string }
export interface CommuneRow { code: string; name: string; provinceCode: string; provinceName: string; regionCode: string }

export interface AddressColumns { street: string | null; streetNumber: string | null; unit: string | null; communeCode: string | null }

export interface PersonRow extends AddressColumns {
  run: Run;
  givenNames: string;
  paternalSurname: string;
  maternalSurname: string | null;
  birthDate: number | null;
  sex: 'F' | 'M' | null;
  nationality: string | null;
  deceased: boolean;
  email: string | null;
  phone: string | null;
}

export interface HouseholdRow extends AddressColumns {
  id: number;
  cseBracket: number | null;
  communeCode: string;
  registeredOn: number | null;
  updatedOn: number | null;
  size: number;
}

export type Relationship =
  | 'HEAD' | 'SPOUSE_OR_PARTNER' | 'CHILD' | 'PARENT' | 'SIBLING' | 'GRANDCHILD' | 'OTHER_RELATIVE' | 'NON_RELATIVE';

export interface MemberRow { householdId: number; run: Run; relationship: Relationship; ordinal: number }

export interface DisabilityRow { run: Run; degree: string; registeredOn: number; source: string; asOf: number }
export interface IndigenousRow { run: Run; people: string; accreditedOn: number; source: string; asOf: number }
export interface HealthInsuranceRow { run: Run; insurer: string; bracket: string | null; source: string; asOf: number }
export interface StreetSituationRow { run: Run; since: number; communeCode: string; source: string; asOf: number }
export interface EmergencyRow { run: Run; event: string; occurredOn: number; communeCode: string; source: string; asOf: number }

export interface ProgramRow { code: string; name: string; ministry: string }
export interface TargetGroupRow { programCode: string; targetGroup: string }
export interface GrantRow { run: Run; programCode: string; status: string; grantedOn: number; endedOn: number | null; amount: number | null }
export interface SubsystemRow { run: Run; subsystem: string; since: number; active: boolean }
export interface PaymentRow {
  id: number;
  period: number;
  programCode: string;
  householdId: number | null;
  payeeRun: Run | null;
  communeCode: string;
  individualAmount: number;
  totalAmount: number;
  method: string;
  bank: string | null;
}

/** Inclusive period range YYYYMM; either end may be open. */
export interface PeriodRange { from: number | null; to: number | null }

export interface HouseholdPage { rows: HouseholdRow[]; hasNextPage: boolean; totalCount: number }

export interface Store {
  /** Which implementation this is, for logs and /readyz. */
  readonly kind: 'sqlite' | 'oracle';
  /** SQL statements sent since the store was opened (for the no-N+1 tests and benchmarks). */
  readonly statementCount: number;

  // reference data: small, read whole once per process
  regions(): Promise<RegionRow[]>;
  communes(): Promise<CommuneRow[]>;

  // persons
  personsByRun(runs: readonly Run[]): Promise<PersonRow[]>;

  // households
  householdsById(ids: readonly number[]): Promise<HouseholdRow[]>;
  /** Membership rows of the given persons (a person is in at most one household). */
  membershipsByRun(runs: readonly Run[]): Promise<MemberRow[]>;
  /** Member rows of the given households, ordered by household then ordinal. */
  membersByHouseholdId(ids: readonly number[]): Promise<MemberRow[]>;
  /** Keyset page of the commune's households with id > afterId, ordered by id. */
  householdsInCommune(communeCode: string, first: number, afterId: number | null): Promise<HouseholdPage>;

  // registers
  disabilityByRun(runs: readonly Run[]): Promise<DisabilityRow[]>;
  indigenousByRun(runs: readonly Run[]): Promise<IndigenousRow[]>;
  healthInsuranceByRun(runs: readonly Run[]): Promise<HealthInsuranceRow[]>;
  streetSituationByRun(runs: readonly Run[]): Promise<StreetSituationRow[]>;
  /** Ordered by run, then occurredOn. */
  emergencyRecordsByRun(runs: readonly Run[]): Promise<EmergencyRow[]>;

  // benefits
  programs(ministry: string | null): Promise<ProgramRow[]>;
  programsByCode(codes: readonly string[]): Promise<ProgramRow[]>;
  targetGroupsByProgram(codes: readonly string[]): Promise<TargetGroupRow[]>;
  /** Ordered by run, then grantedOn. */
  grantsByRun(runs: readonly Run[]): Promise<GrantRow[]>;
  subsystemByRun(runs: readonly Run[]): Promise<SubsystemRow[]>;
  /** Ordered by payee, then period. */
  paymentsByPayee(runs: readonly Run[], range: PeriodRange): Promise<PaymentRow[]>;
  /** Ordered by household, then period. */
  paymentsByHousehold(ids: readonly number[], range: PeriodRange): Promise<PaymentRow[]>;

  // row scope: the commune each person or household belongs to (municipal agreements see one commune)
  communesByRun(runs: readonly Run[]): Promise<{ run: Run; communeCode: string | null }[]>;
  communesByHousehold(ids: readonly number[]): Promise<{ id: number; communeCode: string }[]>;

  /** Cheap round trip proving the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
