import { addressOf, addressResolvers, communeResolvers } from '../../lib/geo';
import { ageOn, todayNumber } from '../../lib/dates';
import { assertBatchSize, runFromInput } from '../../lib/resolve';
import type { SubgraphContext } from '../../lib/subgraph';
import type { PersonRow } from '../../store/types';
import type { PersonsLoaders } from './loaders';

type Context = SubgraphContext<PersonsLoaders>;

export const resolvers = {
  Query: {
    person: async (_: unknown, args: { run: string }, { loaders, access }: Context) =>
      access.personRow(await loaders.personByRun.load(args.run)),
    persons: (_: unknown, args: { runs: string[] }, { loaders, access }: Context) => {
      assertBatchSize(args.runs.length, 'RUNs');
      return Promise.all(args.runs.map(async (run) => access.personRow(await loaders.personByRun.load(run))));
    },
  },
  Person: {
    __resolveReference: async (reference: { run: unknown }, { loaders, access }: Context) =>
      access.personRow(await loaders.personByRun.load(runFromInput(reference.run))),
    age: (person: PersonRow) => (person.birthDate === null ? null : ageOn(person.birthDate, todayNumber())),
    address: (person: PersonRow) => addressOf(person),
    contact: (person: PersonRow) =>
      person.email === null && person.phone === null ? null : { email: person.email, phone: person.phone },
  },
  Sex: { FEMALE: 'F', MALE: 'M' },
  ...addressResolvers,
  ...communeResolvers,
};
