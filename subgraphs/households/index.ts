import { buildSubgraph, type SubgraphDeps, type SubgraphModule } from '../../lib/subgraph';
import { createLoaders, type HouseholdsLoaders } from './loaders';
import { resolvers } from './resolvers';

/** Households: RSH households, their members, CSE bracket and address (owner of the Household entity). */
export const householdsSubgraph: SubgraphModule<HouseholdsLoaders> = { name: 'households', resolvers, createLoaders };

export const buildHouseholdsSubgraph = (deps: SubgraphDeps) => buildSubgraph(householdsSubgraph, deps);
