import { oneLoader } from '../../lib/loader';
import type { Store } from '../../store/types';

/** Per-request loaders of the persons subgraph. */
export function createLoaders(store: Store) {
  return {
    personByRun: oneLoader((runs: readonly string[]) => store.personsByRun(runs), (row) => row.run),
  };
}

export type PersonsLoaders = ReturnType<typeof createLoaders>;
