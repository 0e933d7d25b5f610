import fs from 'node:fs';
import { openRegistry } from '../../authz/registry';
import type { Caller } from '../../authz/types';
import type { SubgraphName } from '../../lib/config';
import { loadGeography } from '../../lib/geo';
import { SUPERGRAPH_FILE } from '../../router/index';
import { SqliteStore } from '../../store/sqlite/store';
import { subgraphModule } from '../../subgraphs';
import { buildVariant, NO_AUDIT, type SecurityVariant } from './variants';

/**
 * One subgraph's executor in this process, without HTTP or other processes: the product's
 * Apollo server of the subgraph (or a security variant of it) over a SqliteStore, executing
 * operations as a given caller. Used to time the shield alone, free of network and scheduling noise.
 */
export interface InProcessSubgraph {
  /** Executes the operation; throws when the answer carries errors. Returns elapsed ms. */
  execute(query: string, variables: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

export async function inProcessSubgraph(
  name: Exclude<SubgraphName, 'registers'>,
  variant: SecurityVariant,
  options: { dbPath: string; agreementsDir: string; agreementId: string; purpose: string; endUser: string | null },
): Promise<InProcessSubgraph> {
  const store = SqliteStore.open(options.dbPath);
  const registry = openRegistry({ dir: options.agreementsDir, supergraphSdl: fs.readFileSync(SUPERGRAPH_FILE, 'utf8'), production: false, watch: false });
  const agreement = registry.get(options.agreementId);
  if (!agreement) throw new Error(`expected agreement ${options.agreementId} in ${options.agreementsDir}, got none`);
  // In-process timing never writes the audit trail: `on` here means shield on, audit off.
  const deps = { store, geography: await loadGeography(store), security: { registry, audit: NO_AUDIT, contextSecret: 'unused-in-process' } };
  const built = await buildVariant(variant === 'on' ? 'audit-off' : variant, subgraphModule(name, null), deps);
  let request = 0;
  return {
    async execute(query, variables) {
      const caller: Caller = { agreement, purpose: options.purpose, endUser: options.endUser, caseRef: null, requestId: `in-process-${++request}` };
      const started = performance.now();
      const response = await built.apollo.executeOperation({ query, variables }, { contextValue: built.context(caller) });
      const elapsed = performance.now() - started;
      if (response.body.kind !== 'single' || response.body.singleResult.errors) {
        throw new Error(`expected an answer without errors, got ${JSON.stringify(response.body.kind === 'single' ? response.body.singleResult.errors : 'an incremental answer')}`);
      }
      return elapsed;
    },
    async close() {
      await built.stop();
      registry.close();
      await store.close();
    },
  };
}
