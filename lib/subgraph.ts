import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { parse, type GraphQLSchema } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { Store } from '../store/types';
import type { SubgraphName } from './config';
import { formatError } from './errors';
import type { Geography } from './geo';
import { listen, sendJson, type Listening } from './http';
import { fromRoot } from './paths';
import { DateScalar, RunScalar } from './scalars';

/**
 * The one shape every subgraph has (DESIGN.md §8.1): a folder with `schema.graphql`, `resolvers.ts`,
 * `loaders.ts` and `index.ts` exporting a SubgraphModule. This file turns a module into a running
 * Apollo server; the process entry (`subgraphs/serve.ts`) and the tests use the same builder.
 */

/** What every resolver receives. `loaders` are created anew for each request. */
export interface SubgraphContext<L> {
  store: Store;
  geography: Geography;
  loaders: L;
  /** The router's X-Request-Id, or a fresh one for a direct call. */
  requestId: string;
}

export interface SubgraphModule<L> {
  name: SubgraphName;
  resolvers: GraphQLResolverMap<SubgraphContext<L>>;
  /** Builds this subgraph's per-request loaders. */
  createLoaders(store: Store): L;
}

export interface SubgraphDeps {
  store: Store;
  geography: Geography;
}

export interface BuiltSubgraph<L> {
  name: SubgraphName;
  schema: GraphQLSchema;
  apollo: ApolloServer<SubgraphContext<L>>;
  /** A fresh per-request context. */
  context(requestId?: string): SubgraphContext<L>;
  stop(): Promise<void>;
}

/** The SDL file of a subgraph, parsed. */
export function subgraphTypeDefs(name: SubgraphName) {
  return parse(fs.readFileSync(fromRoot('subgraphs', name, 'schema.graphql'), 'utf8'));
}

export async function buildSubgraph<L>(module: SubgraphModule<L>, deps: SubgraphDeps): Promise<BuiltSubgraph<L>> {
  const schema = buildSubgraphSchema({
    typeDefs: subgraphTypeDefs(module.name),
    resolvers: { RUN: RunScalar, Date: DateScalar, ...module.resolvers } as GraphQLResolverMap<unknown>,
  });
  const apollo = new ApolloServer<SubgraphContext<L>>({
    schema,
    formatError: (formatted, error) => formatError(formatted, error),
    includeStacktraceInErrorResponses: false,
    // The router does not report traces to Apollo Studio; computing them would be wasted work.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  return {
    name: module.name,
    schema,
    apollo,
    context: (requestId = randomUUID()) => ({ ...deps, loaders: module.createLoaders(deps.store), requestId }),
    stop: () => apollo.stop(),
  };
}

function requestIdOf(req: http.IncomingMessage): string | undefined {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && header.length > 0 && header.length <= 128 ? header : undefined;
}

/** Serves a built subgraph at `/graphql` with a `/healthz` that checks the store answers. */
export function serveSubgraph<L>(built: BuiltSubgraph<L>, deps: SubgraphDeps, host: string, port: number): Promise<Listening> {
  return listen({
    apollo: built.apollo,
    context: async (req) => built.context(requestIdOf(req)),
    host,
    port,
    routes: {
      '/healthz': async (_req, res) => {
        try {
          await deps.store.ping();
          sendJson(res, 200, { status: 'ok', subgraph: built.name });
        } catch {
          sendJson(res, 503, { status: 'unavailable', subgraph: built.name, reason: 'store does not answer' });
        }
      },
    },
  });
}
