import { buildSubgraph, type SubgraphDeps, type SubgraphModule } from '../../lib/subgraph';
import { createLoaders, type BenefitsLoaders } from './loaders';
import { resolvers } from './resolvers';

/** Benefits: programmes, grants, payroll payments and subsystem membership, on Person and Household. */
export const benefitsSubgraph: SubgraphModule<BenefitsLoaders> = { name: 'benefits', resolvers, createLoaders };

export const buildBenefitsSubgraph = (deps: SubgraphDeps) => buildSubgraph(benefitsSubgraph, deps);
