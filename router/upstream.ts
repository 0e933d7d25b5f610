import { risError } from '../lib/errors';

/**
 * HTTP to the subgraphs, at the level of `fetch` so that any gateway that accepts a fetch
 * function can use it.
 *
 * Connections are kept alive: Node 20's global `fetch` is undici, whose global dispatcher is an
 * Agent that pools keep-alive connections per origin. An idle connection is kept for the time the
 * server's `Keep-Alive: timeout=N` header announces less a 2 s margin (4 s when there is no
 * header). The subgraphs' node:http servers announce 65 s (lib/http.ts), so the router keeps idle
 * connections 63 s and always closes before the server does: a request never lands on a socket the
 * server is closing. Checked on Node 20.20 (undici 6.24): a request 8 s after the previous one
 * reuses its connection. test/router.test.ts counts the connections a subgraph sees over several
 * operations to prove the reuse. (@apollo/gateway's own default fetcher is make-fetch-happen, a
 * second HTTP stack with its own agent; it is replaced so that the router has one.)
 */

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const GRAPHQL_BODY_TYPES = ['application/json', 'application/graphql-response+json'];

function isGraphQLErrorBody(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors);
  } catch {
    return false;
  }
}

function causeCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A fetch for the subgraph `name` with two changes to how its answers reach the gateway:
 *
 * - A subgraph answers request errors (validation, variable coercion such as a RUN with a wrong
 *   check digit, a refused context) with HTTP 4xx/5xx and a GraphQL body, as Apollo Server and the
 *   GraphQL-over-HTTP spec do. @apollo/gateway would replace such an answer by one error
 *   "400: Bad Request" without the subgraph's codes, so a non-2xx answer whose body is a GraphQL
 *   response with `errors` is handed on as a 200: the gateway then passes each error on with its
 *   `extensions.code` (adding `serviceName`).
 * - No answer at all (refused, reset, DNS) becomes UPSTREAM_UNAVAILABLE naming the subgraph,
 *   instead of an internal error.
 */
export function subgraphFetch(name: string, base: Fetch = (url, init) => fetch(url, init)): Fetch {
  return async (url, init) => {
    let response: Response;
    try {
      response = await base(url, init);
    } catch (error) {
      const code = causeCode(error);
      throw risError(
        'UPSTREAM_UNAVAILABLE',
        `expected an answer from the ${name} service, got none${code ? ` (${code})` : ''}; try again later`,
      );
    }
    const type = response.headers.get('content-type') ?? '';
    if (response.ok || !GRAPHQL_BODY_TYPES.some((graphql) => type.startsWith(graphql))) return response;
    const text = await response.text();
    const status = isGraphQLErrorBody(text) ? 200 : response.status;
    return new Response(text, { status, statusText: status === 200 ? 'OK' : response.statusText, headers: response.headers });
  };
}
