import { buildSubgraph, type SubgraphDeps, type SubgraphModule } from '../../lib/subgraph';
import type { IdentityVerifier } from '../../identity/types';
import { createLoaders, type RegistersLoaders } from './loaders';
import { createResolvers } from './resolvers';

/**
 * Registers: sectoral registers of other institutions (disability, CONADI, health, RSH Calle, SISE)
 * on Person, and the Civil Registry identity check (Query.verifyIdentity).
 *
 * `identity` is the process's one IdentityService (identity/service.ts): its caches are shared by
 * every request, so it is given to the module once, not created per request like the loaders.
 */
export function createRegistersModule(identity: IdentityVerifier): SubgraphModule<RegistersLoaders> {
  return { name: 'registers', resolvers: createResolvers(identity), createLoaders };
}

export const buildRegistersSubgraph = (deps: SubgraphDeps, identity: IdentityVerifier) => buildSubgraph(createRegistersModule(identity), deps);
