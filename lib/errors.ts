import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The one errors module. Every error a client can see carries `extensions.code`, one of the codes
 * of the API contract; messages state what was expected and what was received. Anything else that
 * escapes a resolver is an internal error: logged server-side, and shown to the client only as
 * INTERNAL_SERVER_ERROR with a generic message, so no stack trace, SQL, ORA- text or path leaks.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'LIMIT_EXCEEDED',
  'UPSTREAM_UNAVAILABLE',
  'AUDIT_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes produced by graphql-js / Apollo Server themselves for malformed operations. */
const PROTOCOL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

const PUBLIC_CODES = new Set<string>([...ERROR_CODES, ...PROTOCOL_CODES]);

export function risError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badInput = (message: string) => risError('BAD_USER_INPUT', message);
export const limitExceeded = (message: string) => risError('LIMIT_EXCEEDED', message);
export const notFound = (message: string) => risError('NOT_FOUND', message);

/** Message given to the client for any error that is not one of ours. */
export const INTERNAL_MESSAGE = 'internal error: the request could not be completed; quote the request id to the RIS help desk';

/**
 * Apollo Server `formatError`: keeps our coded errors and graphql-js validation errors, replaces
 * anything else with a generic INTERNAL_SERVER_ERROR (the original goes to `log`).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: (message: string) => void = (message) => console.error(message),
): GraphQLFormattedError {
  let code = formatted.extensions?.code;
  // A scalar refusing an inline literal surfaces as a validation failure; keep the scalar's own code.
  const cause = (error as { originalError?: unknown } | null)?.originalError;
  if (code === 'GRAPHQL_VALIDATION_FAILED' && cause instanceof GraphQLError && PUBLIC_CODES.has(String(cause.extensions.code))) {
    code = cause.extensions.code;
  }
  if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
    // serviceName (added by the gateway) and stack traces describe our internals, not the client's request.
    const { stacktrace: _stack, exception: _exception, serviceName: _service, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code } };
  }
  const original = error instanceof Error ? ((error as { originalError?: Error }).originalError ?? error) : error;
  log(`internal error: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`);
  return {
    message: INTERNAL_MESSAGE,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
