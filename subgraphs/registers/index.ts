import { buildSubgraph, type SubgraphDeps, type SubgraphModule } from '../../lib/subgraph';
import { createLoaders, type RegistersLoaders } from './loaders';
import { resolvers } from './resolvers';

/** Registers: sectoral registers of other institutions (disability, CONADI, health, RSH Calle, SISE) on Person. */
export const registersSubgraph: SubgraphModule<RegistersLoaders> = { name: 'registers', resolvers, createLoaders };

export const buildRegistersSubgraph = (deps: SubgraphDeps) => buildSubgraph(registersSubgraph, deps);
