import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../lib/config';
import type { Listening } from '../../lib/http';
import { buildSubgraph, serveSubgraph, type BuiltSubgraph } from '../../lib/subgraph';
import { startRouter, type RunningRouter } from '../../router/index';
import { SUBGRAPHS } from '../../subgraphs';
import type { TestRegister } from './register';

/**
 * The whole federated API over HTTP for end-to-end tests: the four real subgraphs served
 * in-process on free ports over one test register, and the router in front on a free port.
 */
export interface Stack {
  router: RunningRouter;
  /** POSTs an operation to the router and returns the parsed JSON body and the status. */
  post(body: { query: string; variables?: Record<string, unknown> }, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startStack(register: TestRegister): Promise<Stack> {
  const built: BuiltSubgraph<unknown>[] = [];
  const servers: Listening[] = [];
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const subgraph = await buildSubgraph(SUBGRAPHS[name], register.deps);
    built.push(subgraph);
    const server = await serveSubgraph(subgraph, register.deps, '127.0.0.1', 0);
    servers.push(server);
    subgraphUrls[name] = server.url;
  }
  const config = { ...loadConfig({}), routerPort: 0, subgraphUrls };
  const router = await startRouter({ config, examples: { run: '12345678-5', householdId: '1' } });
  return {
    router,
    post: async (body, headers = {}) => {
      const response = await fetch(router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json(), headers: response.headers };
    },
    stop: async () => {
      await router.stop();
      for (const server of servers) await server.close();
      for (const subgraph of built) await subgraph.stop();
    },
  };
}
