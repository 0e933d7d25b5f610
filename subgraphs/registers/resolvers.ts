import { communeByCode, communeResolvers } from '../../lib/geo';
import { runFromInput } from '../../lib/resolve';
import type { SubgraphContext } from '../../lib/subgraph';
import type { IdentityVerifier } from '../../identity/types';
import type { RegistersLoaders } from './loaders';

type Context = SubgraphContext<RegistersLoaders>;

interface PersonReference {
  run: string;
}

interface VerifyIdentityArgs {
  /** Normalised by the RUN scalar. */
  run: string;
  documentSerial: string;
}

const inCommune = (record: { communeCode: string }, _: unknown, context: Context) =>
  communeByCode(record.communeCode, context);

/**
 * verifyIdentity records the RUN as consulted (audit) whatever the verdict, and is not limited to
 * the caller's communes: the check is about a Civil Registry document, typically of a person not
 * yet in the RSH, and reveals no register data. The deadline bounds the wait for an upstream turn.
 */
export function createResolvers(identity: IdentityVerifier) {
  return {
    Query: {
      verifyIdentity: (_: unknown, { run, documentSerial }: VerifyIdentityArgs, { access }: Context) => {
        access.runs.add(run);
        return identity.verify(run, documentSerial, identity.deadline());
      },
    },
    Person: {
      __resolveReference: async (reference: { run: unknown }, { access }: Context): Promise<PersonReference | null> => {
        const run = runFromInput(reference.run);
        return (await access.person(run)) ? { run } : null;
      },
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
}
