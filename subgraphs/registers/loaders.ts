import { manyLoader, oneLoader } from '../../lib/loader';
import type { Store } from '../../store/types';

type Runs = readonly string[];
const byRun = (row: { run: string }) => row.run;

/** Per-request loaders of the registers subgraph: one per sectoral register, keyed by RUN. */
export function createLoaders(store: Store) {
  return {
    disability: oneLoader((runs: Runs) => store.disabilityByRun(runs), byRun),
    indigenous: oneLoader((runs: Runs) => store.indigenousByRun(runs), byRun),
    healthInsurance: oneLoader((runs: Runs) => store.healthInsuranceByRun(runs), byRun),
    streetSituation: oneLoader((runs: Runs) => store.streetSituationByRun(runs), byRun),
    emergencyRecords: manyLoader((runs: Runs) => store.emergencyRecordsByRun(runs), byRun),
  };
}

export type RegistersLoaders = ReturnType<typeof createLoaders>;
