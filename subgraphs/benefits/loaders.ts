import { manyLoader, oneLoader, perArguments } from '../../lib/loader';
import type { PeriodRange, Store } from '../../store/types';

const rangeKey = (range: PeriodRange) => `${range.from ?? ''}..${range.to ?? ''}`;

/** Per-request loaders of the benefits subgraph; payment loaders are kept one per period range. */
export function createLoaders(store: Store) {
  return {
    programByCode: oneLoader((codes: readonly string[]) => store.programsByCode(codes), (row) => row.code),
    targetGroups: manyLoader((codes: readonly string[]) => store.targetGroupsByProgram(codes), (row) => row.programCode),
    grantsByRun: manyLoader((runs: readonly string[]) => store.grantsByRun(runs), (row) => row.run),
    subsystemByRun: oneLoader((runs: readonly string[]) => store.subsystemByRun(runs), (row) => row.run),
    paymentsByPayee: perArguments(
      (range: PeriodRange) =>
        manyLoader((runs: readonly string[]) => store.paymentsByPayee(runs, range), (row) => row.payeeRun as string),
      rangeKey,
    ),
    paymentsByHousehold: perArguments(
      (range: PeriodRange) =>
        manyLoader((ids: readonly number[]) => store.paymentsByHousehold(ids, range), (row) => row.householdId as number),
      rangeKey,
    ),
  };
}

export type BenefitsLoaders = ReturnType<typeof createLoaders>;
