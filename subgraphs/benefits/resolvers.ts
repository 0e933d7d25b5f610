import { badInput } from '../../lib/errors';
import { isoFromNumber, isoPeriod, periodOf } from '../../lib/dates';
import { householdIdFromInput, runFromInput } from '../../lib/resolve';
import type { SubgraphContext } from '../../lib/subgraph';
import type { PaymentRow, PeriodRange, ProgramRow } from '../../store/types';
import type { BenefitsLoaders } from './loaders';

type Context = SubgraphContext<BenefitsLoaders>;

interface PersonReference {
  run: string;
}
interface HouseholdReference {
  id: number;
}
interface DateRangeArgs {
  from?: number | null;
  to?: number | null;
}

/** The payroll periods (YYYYMM) a from/to date pair covers, inclusive by month. */
export function periodRange(args: DateRangeArgs): PeriodRange {
  const from = args.from ?? null;
  const to = args.to ?? null;
  if (from !== null && to !== null && from > to) {
    throw badInput(`expected \`from\` on or before \`to\`, got from ${isoFromNumber(from)} and to ${isoFromNumber(to)}`);
  }
  return { from: from === null ? null : periodOf(from), to: to === null ? null : periodOf(to) };
}

const programOf = (row: { programCode: string }, _: unknown, { loaders }: Context) =>
  loaders.programByCode.load(row.programCode);

export const resolvers = {
  Query: {
    programs: (_: unknown, args: { ministry?: string | null }, { store }: Context) => store.programs(args.ministry ?? null),
    program: (_: unknown, args: { code: string }, { loaders }: Context) => loaders.programByCode.load(args.code),
  },
  Program: {
    targetGroups: async (program: ProgramRow, _: unknown, { loaders }: Context) =>
      (await loaders.targetGroups.load(program.code)).map((row) => row.targetGroup),
  },
  Person: {
    __resolveReference: async (reference: { run: unknown }, { access }: Context): Promise<PersonReference | null> => {
      const run = runFromInput(reference.run);
      return (await access.person(run)) ? { run } : null;
    },
    benefits: (person: PersonReference, _: unknown, { loaders }: Context) => loaders.grantsByRun.load(person.run),
    payments: (person: PersonReference, args: DateRangeArgs, { loaders }: Context) =>
      loaders.paymentsByPayee(periodRange(args)).load(person.run),
    subsystemMembership: (person: PersonReference, _: unknown, { loaders }: Context) =>
      loaders.subsystemByRun.load(person.run),
  },
  Household: {
    __resolveReference: async (reference: { id: unknown }, { access }: Context): Promise<HouseholdReference | null> => {
      const id = householdIdFromInput(reference.id);
      return (await access.household(id)) ? { id } : null;
    },
    payments: (household: HouseholdReference, args: DateRangeArgs, { loaders }: Context) =>
      loaders.paymentsByHousehold(periodRange(args)).load(household.id),
  },
  BenefitGrant: { program: programOf },
  Payment: {
    period: (payment: PaymentRow) => isoPeriod(payment.period),
    program: programOf,
    household: (payment: PaymentRow) => (payment.householdId === null ? null : { id: payment.householdId }),
    payee: (payment: PaymentRow, _: unknown, { access }: Context) => {
      if (payment.payeeRun === null) return null;
      access.runs.add(payment.payeeRun);
      return { run: payment.payeeRun };
    },
  },
};
