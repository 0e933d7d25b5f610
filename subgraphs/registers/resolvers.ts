import { communeByCode, communeResolvers } from '../../lib/geo';
import { runFromInput } from '../../lib/resolve';
import type { SubgraphContext } from '../../lib/subgraph';
import type { RegistersLoaders } from './loaders';

type Context = SubgraphContext<RegistersLoaders>;

interface PersonReference {
  run: string;
}

const inCommune = (record: { communeCode: string }, _: unknown, context: Context) =>
  communeByCode(record.communeCode, context);

export const resolvers = {
  Person: {
    __resolveReference: (reference: { run: unknown }): PersonReference => ({ run: runFromInput(reference.run) }),
    disability: (person: PersonReference, _: unknown, { loaders }: Context) => loaders.disability.load(person.run),
    indigenousStatus: (person: PersonReference, _: unknown, { loaders }: Context) => loaders.indigenous.load(person.run),
    healthInsurance: (person: PersonReference, _: unknown, { loaders }: Context) => loaders.healthInsurance.load(person.run),
    streetSituation: (person: PersonReference, _: unknown, { loaders }: Context) => loaders.streetSituation.load(person.run),
    emergencyRecords: (person: PersonReference, _: unknown, { loaders }: Context) => loaders.emergencyRecords.load(person.run),
  },
  StreetSituationRecord: { commune: inCommune },
  EmergencyRecord: { commune: inCommune },
  ...communeResolvers,
};
