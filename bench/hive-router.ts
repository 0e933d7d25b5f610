import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, getOperationAST, type DocumentNode } from 'graphql';
import { createGatewayRuntime, type GatewayPlugin, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
// The HTTP transport is @graphql-mesh/transport-http (not installed here); it is a thin wrapper
// around this executor, reproduced in `httpTransport` below.
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { AgreementError } from '../authz/agreement';
import { openRegistry } from '../authz/registry';
import type { AgreementRegistry } from '../authz/types';
import { SqliteAuditLog } from '../audit/sqlite';
import type { AuditLog } from '../audit/types';
import { AuditUnavailableError } from '../audit/types';
import { ConfigError, loadConfig, type Config } from '../lib/config';
import { formatError } from '../lib/errors';
import { sendJson, errorBody, type Exchange, type OperationText } from '../lib/http';
import { routerExchange } from '../router/exchange';
import { subgraphHeaders, type RouterContext } from '../router/context';
import { checkSubgraphs } from '../router/health';
import { RateLimiter } from '../router/ratelimit';
import { SUPERGRAPH_FILE } from '../router/index';

/**
 * The RIS router on Hive Gateway instead of @apollo/gateway, for the router decision (S2 of the
 * performance issue): `node dist/bench/hive-router.js`, configured like `dist/router/main.js`
 * (RIS_ROUTER_PORT, RIS_<SUBGRAPH>_URL, RIS_DB_PATH, RIS_AGREEMENTS_DIR, RIS_CONTEXT_SECRET …).
 *
 * The router's own decisions are the same plain functions the Apollo router uses, unchanged:
 * router/exchange.ts `routerExchange` (request id → admission by router/access.ts: key →
 * agreement in force → rate limit → purpose, end user, case → signed context by router/context.ts,
 * and the operation record of router/audit.ts written before the answer leaves, or
 * AUDIT_UNAVAILABLE), router/context.ts `subgraphHeaders` for every subgraph request, and
 * lib/errors.ts `formatError` for what errors may say. Only the wiring to the gateway library
 * differs — this file's `risPlugin`, the counterpart of router/gateway.ts:
 *
 * - onRequest  (before the body is read): `exchange.admit()`; a refusal ends the request.
 * - onParams   : keeps the operation text for the audit record.
 * - onExecute  : the resolved operation name, for the audit record.
 * - onFetch    : every subgraph request carries exactly x-request-id and x-ris-context (Hive sends
 *                no client header to subgraphs unless `propagateHeaders` says so; none is set).
 * - onResponse (before anything is written): `exchange.settle()` on the complete answer.
 *
 * Gateway settings: inbound request deduplication off (`deduplicateInflightRequests: false` on the
 * HTTP transport: two clients' identical queries must not share a subgraph answer signed for one
 * of them), no response cache (not configured), no batching, keep-alive to subgraphs (a
 * keep-alive http.Agent for every subgraph fetch), no landing page or GraphiQL, error masking
 * through formatError. Not covered (not needed by the benchmark): the IDE at GET /, mutual TLS.
 */

/** Per-request state, keyed by the Fetch Request the gateway passes to every hook. */
interface RequestState {
  exchange: Exchange<RouterContext>;
  context: RouterContext | null;
  operation: OperationText | null;
}

/** The Node request the whatwg-node adapter hands the gateway as server context. */
interface NodeServerContext {
  req?: http.IncomingMessage;
}

function plainHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    const out: Record<string, string> = {};
    (headers as Headers).forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  return { ...(headers as Record<string, string>) };
}

/** The adapter: our exchange as Hive Gateway (whatwg-node server / Yoga / envelop) hooks. */
export function risPlugin(exchangeOf: (req: http.IncomingMessage) => Exchange<RouterContext>, graphqlPath = '/graphql'): GatewayPlugin {
  const states = new WeakMap<Request, RequestState>();
  const contextOf = (request: Request | undefined) => (request ? (states.get(request)?.context ?? null) : null);
  const plugin: GatewayPlugin & Record<string, unknown> = {
    async onRequest({ request, serverContext, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlPath) return;
      const req = (serverContext as NodeServerContext).req;
      if (!req) {
        endResponse(new fetchAPI.Response(JSON.stringify(errorBody('INTERNAL_SERVER_ERROR', 'internal error: the request could not be completed')), { status: 500 }));
        return;
      }
      const exchange = exchangeOf(req);
      const state: RequestState = { exchange, context: null, operation: null };
      states.set(request, state);
      const admitted = await exchange.admit();
      if ('refusal' in admitted) {
        const { refusal } = admitted;
        // Settled (audited) in onResponse like every other answer.
        endResponse(new fetchAPI.Response(refusal.body, { status: refusal.status, headers: refusal.headers }));
        return;
      }
      state.context = await admitted.context();
    },
    onParams({ params, request }: { params: { query?: unknown; operationName?: unknown }; request: Request }) {
      const state = states.get(request);
      if (!state) return;
      state.operation = {
        query: typeof params.query === 'string' ? params.query : null,
        operationName: typeof params.operationName === 'string' ? params.operationName : null,
      };
    },
    onExecute({ args }: { args: { contextValue: { request?: Request }; document: DocumentNode; operationName?: string | null } }) {
      const context = contextOf(args.contextValue.request);
      if (!context) return;
      context.resolved.operationName = getOperationAST(args.document, args.operationName ?? undefined)?.name?.value ?? null;
    },
    async onFetch({ context, options, setOptions }) {
      const request = 'request' in context ? (context as { request?: Request }).request : undefined;
      const routerContext = contextOf(request);
      // Schema loads and health checks carry no client context (as in router/gateway.ts).
      if (!routerContext) return;
      // Exactly the router's headers and the library's content negotiation; nothing from the client.
      const library = plainHeaders(options.headers);
      const kept: Record<string, string> = {};
      for (const name of ['content-type', 'accept']) if (library[name] !== undefined) kept[name] = library[name];
      setOptions({ ...options, headers: { ...kept, ...(await subgraphHeaders(routerContext)) } });
    },
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const state = states.get(request);
      if (!state) return;
      const body = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const answer = await state.exchange.settle({ status: response.status, headers, body }, state.operation);
      setResponse(
        new fetchAPI.Response(answer.body, {
          status: answer.status,
          headers: { ...answer.headers, ...state.exchange.headers, 'content-length': String(Buffer.byteLength(answer.body)) },
        }),
      );
    },
  };
  return plugin;
}

/** The HTTP transport (what @graphql-mesh/transport-http does for plain queries). */
const httpTransport = {
  getSubgraphExecutor(payload: { transportEntry: { location?: string; options?: Record<string, unknown> }; fetch?: unknown; getDisposeReason?: unknown }) {
    return buildHTTPExecutor({
      endpoint: payload.transportEntry.location,
      ...payload.transportEntry.options,
      getDisposeReason: payload.getDisposeReason,
      fetch: payload.fetch,
    } as Parameters<typeof buildHTTPExecutor>[0]);
  },
};

/** lib/errors.ts formatError as Hive's error masking: the same codes and messages leave. */
function maskError(error: unknown, message: string): Error {
  const graphQLError = error instanceof GraphQLError ? error : new GraphQLError(message, { originalError: error instanceof Error ? error : undefined });
  const formatted = formatError(graphQLError.toJSON(), graphQLError);
  if (formatted === graphQLError.toJSON()) return graphQLError;
  return new GraphQLError(formatted.message, {
    nodes: graphQLError.nodes,
    source: graphQLError.source,
    positions: graphQLError.positions,
    path: formatted.path ?? graphQLError.path,
    extensions: formatted.extensions,
  });
}

/**
 * With RIS_HIVE_ROUTER_RUNTIME=1, Hive Gateway plans with Hive Router's Rust query planner
 * (`unifiedGraphHandler` of @graphql-hive/router-runtime) instead of its default JavaScript
 * stitching runtime. That package is not a dependency yet: without it this refuses to start.
 */
function routerRuntime(): { unifiedGraphHandler?: never } {
  if (!process.env.RIS_HIVE_ROUTER_RUNTIME) return {};
  let runtime: { unifiedGraphHandler?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    runtime = require('@graphql-hive/router-runtime') as { unifiedGraphHandler?: unknown };
  } catch {
    throw new Error('RIS_HIVE_ROUTER_RUNTIME: expected the package @graphql-hive/router-runtime to be installed, got none');
  }
  return { unifiedGraphHandler: runtime.unifiedGraphHandler as never };
}

export interface HiveRouterOptions {
  config: Pick<Config, 'host' | 'routerPort' | 'subgraphUrls' | 'contextSecret' | 'contextTtlSeconds'>;
  registry: AgreementRegistry;
  audit: AuditLog;
  supergraphSdl?: string;
  clock?: () => number;
}

export interface RunningHiveRouter {
  url: string;
  port: number;
  gateway: GatewayRuntime;
  stop(): Promise<void>;
}

export async function startHiveRouter(options: HiveRouterOptions): Promise<RunningHiveRouter> {
  const { config } = options;
  const supergraphSdl = options.supergraphSdl ?? fs.readFileSync(SUPERGRAPH_FILE, 'utf8');
  const exchangeOf = routerExchange({
    registry: options.registry,
    audit: options.audit,
    limiter: new RateLimiter(),
    signing: { contextSecret: config.contextSecret, contextTtlSeconds: config.contextTtlSeconds },
    now: options.clock ?? (() => Date.now()),
    tls: false,
  });
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000 });
  const transportEntries: Record<string, { location: string }> = {};
  for (const [name, url] of Object.entries(config.subgraphUrls)) transportEntries[name] = { location: url };
  const gateway = createGatewayRuntime({
    ...routerRuntime(),
    supergraph: () => supergraphSdl,
    transports: { http: httpTransport } as never,
    transportEntries: {
      ...transportEntries,
      '*.http': { options: { deduplicateInflightRequests: false } },
    },
    customAgent: () => agent,
    plugins: () => [risPlugin(exchangeOf)],
    maskedErrors: { maskError },
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: 'error',
  });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      void checkSubgraphs(config.subgraphUrls).then((readiness) =>
        sendJson(res, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'unready', subgraphs: readiness.subgraphs }),
      );
      return;
    }
    if (path !== '/graphql') {
      sendJson(res, 404, errorBody('NOT_FOUND', `expected a request to /graphql, got ${req.method} ${path}`));
      return;
    }
    void gateway(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.routerPort, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    gateway,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await gateway.dispose();
      agent.destroy();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const supergraphSdl = fs.readFileSync(SUPERGRAPH_FILE, 'utf8');
  const registry = openRegistry({ dir: config.agreementsDir, supergraphSdl, production: config.production, watch: true });
  const audit = SqliteAuditLog.open(config.dbPath);
  const running = await startHiveRouter({ config, registry, audit, supergraphSdl });
  console.log(`hive-router: GraphQL at ${running.url}`);
  const stop = () => {
    void running
      .stop()
      .finally(() => registry.close())
      .then(() => audit.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const prefix = error instanceof ConfigError ? 'config' : error instanceof AgreementError ? 'agreements' : error instanceof AuditUnavailableError ? 'audit' : 'hive-router';
    console.error(`${prefix}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
