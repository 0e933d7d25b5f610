import { randomUUID } from 'node:crypto';
import { CONTEXT_HEADER, signContext } from '../authz/context';
import type { Agreement } from '../authz/types';

/**
 * What the router knows about one admitted client request, independent of the gateway library:
 * who asks (agreement), why (purpose, case), on whose behalf (end user), under which request id.
 */
export interface RouterContext {
  /** The client's X-Request-Id when it sent a usable one, else a fresh UUID. */
  requestId: string;
  agreement: Agreement;
  /** A purpose code of the agreement. */
  purpose: string;
  /** RUN of the official in normal form ("12345678-5"); null when none was sent and none is required. */
  endUser: string | null;
  /** The partner's case reference (X-RIS-Case), if sent. */
  caseRef: string | null;
  /**
   * The signed context for this request's subgraph fetches: signed on first use and the same
   * token for every later fetch of the request.
   */
  signedContext(): Promise<string>;
  /**
   * What the gateway reports back for the audit record: the name of the operation it resolved
   * (the client's operationName, or the name of the document's only operation). A nested record
   * because Apollo Server executes with a shallow copy of the context.
   */
  readonly resolved: { operationName: string | null };
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

export interface Signing {
  contextSecret: string;
  contextTtlSeconds: number;
}

/** The context of an admitted request; signs its context lazily, once. */
export function routerContext(
  admitted: { requestId: string; agreement: Agreement; purpose: string; endUser: string | null; caseRef: string | null },
  signing: Signing,
): RouterContext {
  let token: Promise<string> | undefined;
  return {
    ...admitted,
    resolved: { operationName: null },
    signedContext() {
      token ??= signContext(
        {
          agreementId: admitted.agreement.id,
          agreementVersion: admitted.agreement.version,
          purpose: admitted.purpose,
          endUser: admitted.endUser,
          caseRef: admitted.caseRef,
          requestId: admitted.requestId,
        },
        signing.contextSecret,
        signing.contextTtlSeconds,
      );
      return token;
    },
  };
}

/**
 * The complete set of headers of every subgraph request of one client operation. Nothing the
 * client sent is forwarded: the gateway adapter sends exactly these (plus the content type), so
 * a client's own x-ris-context or X-RIS-* headers never reach a subgraph, and any gateway adapter
 * forwards the same set.
 */
export async function subgraphHeaders(ctx: RouterContext): Promise<Record<string, string>> {
  return { [REQUEST_ID_HEADER]: ctx.requestId, [CONTEXT_HEADER]: await ctx.signedContext() };
}
