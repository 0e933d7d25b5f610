import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { formatError } from '../lib/errors';
import { subgraphHeaders, type RouterContext } from './context';
import { subgraphFetch } from './upstream';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';

/**
 * The thin adapter to @apollo/gateway: query planning and execution are the library's; everything
 * the router decides itself (admission, request id, signed context and headers to send, upstream
 * error handling, operation audit, readiness, IDE) lives in plain functions in the other router
 * files, so that moving to another Federation 2 gateway means rewriting this file only.
 */

export interface GatewayOptions {
  /** The composed supergraph SDL (schema/supergraph.graphql). */
  supergraphSdl: string;
  /** Where to reach each subgraph, by subgraph name; replaces the supergraph's routing URLs. */
  subgraphUrls: Record<string, string>;
  /** The page GET /graphql shows to a browser: the IDE (instead of Apollo's CDN-hosted Sandbox). */
  landingPageHtml: string;
}

/** The fetch signature @apollo/gateway's data sources take. */
type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** The only header the library's own choice is kept for: the body it sends is JSON. */
const LIBRARY_HEADERS = new Set(['content-type']);

/**
 * Sends each subgraph request with exactly the router's headers (subgraphHeaders) and the content
 * type: whatever else is on the request (the library's trace header today, anything a future
 * version might copy from the client) is removed, so no client header can reach a subgraph.
 */
class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override async willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<void> {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const names = Array.from(headers, ([name]) => name);
    for (const name of names) if (!LIBRARY_HEADERS.has(name.toLowerCase())) headers.delete(name);
    // Only operations of a client carry a router context (health checks and schema loads do not).
    if (!('incomingRequestContext' in options)) return;
    for (const [name, value] of Object.entries(await subgraphHeaders(options.context))) headers.set(name, value);
  }
}

/** Tells the router context the name of the operation the gateway resolved, for the audit record. */
const operationNamePlugin: ApolloServerPlugin<RouterContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operationName }) {
        contextValue.resolved.operationName = operationName ?? null;
      },
    };
  },
};

function landingPagePlugin(html: string): ApolloServerPlugin<RouterContext> {
  return {
    async serverWillStart() {
      return { async renderLandingPage() { return { html }; } };
    },
  };
}

/**
 * The ApolloServer of the router (not started). Refuses a supergraph that names a subgraph
 * without a URL in `subgraphUrls`.
 */
export function createGatewayServer(options: GatewayOptions): ApolloServer<RouterContext> {
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }) => {
      const url = options.subgraphUrls[name];
      if (!url) {
        throw new Error(
          `subgraph "${name}" of the supergraph: expected its URL among the configured subgraphs (${Object.keys(options.subgraphUrls).join(', ')}), got none`,
        );
      }
      // Global fetch (undici, keep-alive) instead of the library's make-fetch-happen; see upstream.ts.
      const send = subgraphFetch(name);
      const fetcher: Fetcher = (target, init) =>
        send(target, init && { ...init, body: init.body === undefined || typeof init.body === 'string' ? init.body : new Uint8Array(init.body) });
      return new SubgraphDataSource({ url, fetcher });
    },
  });
  return new ApolloServer<RouterContext>({
    gateway,
    formatError: (formatted, error) => formatError(formatted, error),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // No cache hints are used: the cache-control plugin would only add work per request.
    plugins: [operationNamePlugin, landingPagePlugin(options.landingPageHtml), ApolloServerPluginCacheControlDisabled()],
  });
}
