import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { formatError } from '../lib/errors';
import { REQUEST_ID_HEADER, subgraphHeaders, type RouterContext } from './context';
import { subgraphFetch } from './upstream';

/**
 * The thin adapter to @apollo/gateway: query planning and execution are the library's; everything
 * the router decides itself (request id, headers to forward, upstream error handling, readiness,
 * IDE) lives in plain functions in the other router files, so that moving to another Federation 2
 * gateway means rewriting this file only.
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

/** Sends each subgraph request with the router's forwarded headers. */
class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    // Only operations of a client carry a router context (health checks and schema loads do not).
    if (!('incomingRequestContext' in options)) return;
    const headers = options.request.http?.headers;
    if (!headers) return;
    for (const [name, value] of Object.entries(subgraphHeaders(options.context))) headers.set(name, value);
  }
}

/** Echoes the request id on every GraphQL response, including error responses. */
const requestIdPlugin: ApolloServerPlugin<RouterContext> = {
  async requestDidStart({ contextValue, response }) {
    response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
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
    plugins: [requestIdPlugin, landingPagePlugin(options.landingPageHtml)],
  });
}
