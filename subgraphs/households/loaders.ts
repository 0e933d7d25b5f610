import { manyLoader, oneLoader } from '../../lib/loader';
import type { Store } from '../../store/types';

/** Per-request loaders of the households subgraph. */
export function createLoaders(store: Store) {
  return {
    householdById: oneLoader((ids: readonly number[]) => store.householdsById(ids), (row) => row.id),
    membershipByRun: oneLoader((runs: readonly string[]) => store.membershipsByRun(runs), (row) => row.run),
    membersByHouseholdId: manyLoader((ids: readonly number[]) => store.membersByHouseholdId(ids), (row) => row.householdId),
  };
}

export type HouseholdsLoaders = ReturnType<typeof createLoaders>;
