import type DataLoader from 'dataloader';
import { oneLoader } from '../lib/loader';
import type { Store } from '../store/types';
import type { Caller } from './types';

/**
 * What one subgraph request may see and what it returned, created anew for every request (never
 * shared, so one caller's decision cannot serve another's).
 *
 * Row scope: an agreement with communes (every MUNICIPALITY, optionally an INSTITUTION) sees only
 * persons and households of those communes; anything else is treated exactly like a row that does
 * not exist (null), on every path. Agreements without communes see every row and cost no lookup.
 *
 * Audit: every entity that passes the scope check is recorded here, with every coordinate the
 * shield let through; the subgraph writes the record before its response leaves.
 */
export class RequestAccess {
  readonly runs = new Set<string>();
  readonly householdIds = new Set<number>();
  readonly coordinates = new Set<string>();
  /**
   * Whether this request's field resolutions must go through the graphql-shield rules. Starts
   * true (safe); set false only when the operation was proved to select nothing the agreement
   * does not grant (authz/shield.ts, before execution).
   */
  fieldRulesNeeded = true;
  private readonly personCommune: DataLoader<string, { run: string; communeCode: string | null } | null> | undefined;
  private readonly householdCommune: DataLoader<number, { id: number; communeCode: string } | null> | undefined;

  constructor(
    readonly caller: Caller,
    store: Store,
  ) {
    if (caller.agreement.communes !== null) {
      this.personCommune = oneLoader((runs: readonly string[]) => store.communesByRun(runs), (row) => row.run);
      this.householdCommune = oneLoader((ids: readonly number[]) => store.communesByHousehold(ids), (row) => row.id);
    }
  }

  /** Whether a row of this commune is inside the caller's scope. A row with no commune is not. */
  allowsCommune(code: string | null): boolean {
    const communes = this.caller.agreement.communes;
    return communes === null || (code !== null && communes.has(code));
  }

  /** A person row the subgraph holds (with its commune): the row when visible, else null. */
  personRow<R extends { run: string; communeCode: string | null }>(row: R | null): R | null {
    if (row === null || !this.allowsCommune(row.communeCode)) return null;
    this.runs.add(row.run);
    return row;
  }

  /** A household row the subgraph holds: the row when visible, else null. */
  householdRow<R extends { id: number; communeCode: string }>(row: R | null): R | null {
    if (row === null || !this.allowsCommune(row.communeCode)) return null;
    this.householdIds.add(row.id);
    return row;
  }

  /** A person known only by RUN (an entity this subgraph extends): visible or not. */
  async person(run: string): Promise<boolean> {
    if (this.personCommune) {
      const row = await this.personCommune.load(run);
      if (row === null || !this.allowsCommune(row.communeCode)) return false;
    }
    this.runs.add(run);
    return true;
  }

  /** A household known only by id (an entity this subgraph extends): visible or not. */
  async household(id: number): Promise<boolean> {
    if (this.householdCommune) {
      const row = await this.householdCommune.load(id);
      if (row === null || !this.allowsCommune(row.communeCode)) return false;
    }
    this.householdIds.add(id);
    return true;
  }
}
