import { buildSubgraph, type SubgraphDeps, type SubgraphModule } from '../../lib/subgraph';
import { createLoaders, type PersonsLoaders } from './loaders';
import { resolvers } from './resolvers';

/** Persons: master data of the people of the RSH, keyed by RUN (owner of the Person entity). */
export const personsSubgraph: SubgraphModule<PersonsLoaders> = { name: 'persons', resolvers, createLoaders };

export const buildPersonsSubgraph = (deps: SubgraphDeps) => buildSubgraph(personsSubgraph, deps);
