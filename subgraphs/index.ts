import type { SubgraphName } from '../lib/config';
import type { SubgraphModule } from '../lib/subgraph';
import { benefitsSubgraph } from './benefits';
import { householdsSubgraph } from './households';
import { personsSubgraph } from './persons';
import { registersSubgraph } from './registers';

/** Every subgraph module by name: what `serve.ts` starts and what the tests build. */
export const SUBGRAPHS: { [N in SubgraphName]: SubgraphModule<unknown> } = {
  persons: personsSubgraph as SubgraphModule<unknown>,
  households: householdsSubgraph as SubgraphModule<unknown>,
  registers: registersSubgraph as SubgraphModule<unknown>,
  benefits: benefitsSubgraph as SubgraphModule<unknown>,
};
