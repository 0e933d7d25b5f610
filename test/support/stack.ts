import fs from 'node:fs';
import { openRegistry } from '../../authz/registry';
import { SqliteAuditLog } from '../../audit/sqlite';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../lib/config';
import type { Listening } from '../../lib/http';
import { buildSubgraph, serveSubgraph, type BuiltSubgraph } from '../../lib/subgraph';
import { startRouter, SUPERGRAPH_FILE, type RunningRouter } from '../../router/index';
import { subgraphModule } from '../../subgraphs';
import { startTestIdentity } from './identity';
import type { TestRegister } from './register';

/**
 * The whole federated API over HTTP for end-to-end tests, as in production: the four real
 * subgraphs served in-process on free ports over one test register, the router in front, the
 * shipped demo agreements, and the real hash-chained audit trail in the register's database.
 */
export interface Stack {
  router: RunningRouter;
  /** Where each subgraph listens (for calls that bypass the router). */
  subgraphUrls: Record<SubgraphName, string>;
  audit: SqliteAuditLog;
  /**
   * POSTs an operation to the router as `agreement` (a demo agreement id: its demo key, first
   * purpose and a valid end user), or with exactly `headers` when agreement is null.
   */
  post(
    body: { query: string; variables?: Record<string, unknown>; operationName?: string },
    options?: { agreement?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}


/** Headers a partner of a demo agreement sends: its demo key, purpose and an official's RUN. */
export function demoHeaders(agreement: string, purpose: string): Record<string, string> {
  return { authorization: `Bearer demo-${agreement}`, 'x-ris-purpose': purpose, 'x-ris-end-user': '12345678-5' };
}

export async function startStack(register: TestRegister): Promise<Stack> {
  const config = { ...loadConfig({}), routerPort: 0 };
  const supergraphSdl = fs.readFileSync(SUPERGRAPH_FILE, 'utf8');
  const registry = openRegistry({ dir: config.agreementsDir, supergraphSdl, production: false, watch: false });
  const audit = SqliteAuditLog.open(register.file);
  const security = { registry, audit, contextSecret: config.contextSecret };
  const deps = { ...register.deps, security };
  const identity = await startTestIdentity(register);
  const built: BuiltSubgraph<unknown>[] = [];
  const servers: Listening[] = [];
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const subgraph = await buildSubgraph(subgraphModule(name, identity.service), deps);
    built.push(subgraph);
    const server = await serveSubgraph(subgraph, deps, '127.0.0.1', 0);
    servers.push(server);
    subgraphUrls[name] = server.url;
  }
  const router = await startRouter({ config: { ...config, subgraphUrls }, registry, audit, supergraphSdl, examples: config.ideExamples });
  return {
    router,
    subgraphUrls,
    audit,
    post: async (body, options = {}) => {
      const agreement = options.agreement === undefined ? 'mds-internal' : options.agreement;
      const identity = agreement === null ? {} : demoHeaders(agreement, registry.get(agreement)?.purposes[0].code ?? '');
      const response = await fetch(router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...identity, ...options.headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json(), headers: response.headers };
    },
    stop: async () => {
      await router.stop();
      for (const server of servers) await server.close();
      for (const subgraph of built) await subgraph.stop();
      registry.close();
      await audit.close();
      await identity.close();
    },
  };
}
