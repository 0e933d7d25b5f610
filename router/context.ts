import { randomUUID } from 'node:crypto';

/**
 * What the router knows about one client request, independent of the gateway library. Today the
 * request id; authentication will add the agreement, purpose, end user and case reference here.
 */
export interface RouterContext {
  /** The client's X-Request-Id when it sent a usable one, else a fresh UUID. */
  requestId: string;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Request ids a client may choose: 1 to 128 visible ASCII characters without spaces, so that the
 * id is safe in a header, a log line and an audit record.
 */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The request id of a request: the client's X-Request-Id when usable, otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Builds the router context of one request from its headers. */
export function routerContext(headers: Record<string, string | string[] | undefined>): RouterContext {
  return { requestId: requestIdFrom(headers[REQUEST_ID_HEADER]) };
}

/**
 * The headers the router adds to every subgraph request of one client operation. This is the hook
 * for authorization: the signed context header (agreement, purpose, end user, case, request id,
 * expiry) will be added here, and only here, so that any gateway adapter forwards the same set.
 */
export function subgraphHeaders(ctx: RouterContext): Record<string, string> {
  return { [REQUEST_ID_HEADER]: ctx.requestId };
}
