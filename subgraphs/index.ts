import type { IdentityVerifier } from '../identity/types';
import type { SubgraphName } from '../lib/config';
import type { SubgraphModule } from '../lib/subgraph';
import { benefitsSubgraph } from './benefits';
import { householdsSubgraph } from './households';
import { personsSubgraph } from './persons';
import { createRegistersModule } from './registers';

/**
 * The module of a subgraph by name: what `serve.ts` starts and what the tests build. Only the
 * registers module needs the process's identity verifier (its caches serve every request).
 */
export function subgraphModule(name: SubgraphName, identity: IdentityVerifier | null): SubgraphModule<unknown> {
  switch (name) {
    case 'persons':
      return personsSubgraph as SubgraphModule<unknown>;
    case 'households':
      return householdsSubgraph as SubgraphModule<unknown>;
    case 'benefits':
      return benefitsSubgraph as SubgraphModule<unknown>;
    case 'registers':
      if (!identity) throw new Error('the registers subgraph needs an identity verifier (identity/service.ts)');
      return createRegistersModule(identity) as SubgraphModule<unknown>;
  }
}
