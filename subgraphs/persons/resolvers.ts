import { addressOf, addressResolvers, communeResolvers } from '../../lib/geo';
import { ageOn, todayNumber } from '../../lib/dates';
import { assertBatchSize, runFromInput } from '../../lib/resolve';
import type { SubgraphContext } from '../../lib/subgraph';
import type { PersonRow } from '../../store/types';
import type { PersonsLoaders } from './loaders';

type Context = SubgraphContext<PersonsLoaders>;

export const resolvers = {
  Query: {
    person: (_: unknown, args: { run: string }, { loaders }: Context) => loaders.personByRun.load(args.run),
    persons: (_: unknown, args: { runs: string[] }, { loaders }: Context) => {
      assertBatchSize(args.runs.length, 'RUNs');
      return loaders.personByRun.loadMany(args.runs);
    },
  },
  Person: {
    __resolveReference: (reference: { run: unknown }, { loaders }: Context) =>
      loaders.personByRun.load(runFromInput(reference.run)),
    age: (person: PersonRow) => (person.birthDate === null ? null : ageOn(person.birthDate, todayNumber())),
    address: (person: PersonRow) => addressOf(person),
    contact: (person: PersonRow) =>
      person.email === null && person.phone === null ? null : { email: person.email, phone: person.phone },
  },
  Sex: { FEMALE: 'F', MALE: 'M' },
  ...addressResolvers,
  ...communeResolvers,
};
