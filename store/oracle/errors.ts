import type { GraphQLError } from 'graphql';
import { risError } from '../../lib/errors';

/**
 * What the Oracle store does with an error the driver raised:
 * - 'retry-once': the session is dead but the database may well be up (a restart, a killed
 *   session, a dropped TCP connection, a failover). Discard the connection from the pool
 *   (`close({ drop: true })`) and run the same read once more on a fresh connection.
 * - 'unavailable': the database cannot be reached or is saturated now (down, refusing, starting or
 *   shutting down, pool queue timeout, call timeout). The client gets UPSTREAM_UNAVAILABLE.
 * - 'bug': anything else (missing table, invalid SQL, a type error in our code). Retrying cannot
 *   help; it is rethrown and ends as an INTERNAL_SERVER_ERROR that is logged server-side.
 *
 * Classification is by code, never by message wording. node-oracledb thin mode wraps the server
 * errors that mean "session gone" (ORA-03113, ORA-03114, ORA-03135, ORA-01012, ORA-00028,
 * ORA-02396, DPI-1080, …) as NJS-500 and marks them `isRecoverable`, keeping the ORA- code in
 * `errorNum` and the message; the lists below also name those ORA- codes so thick mode, older
 * drivers and hand-built errors classify the same.
 */
export type OracleErrorClass = 'retry-once' | 'unavailable' | 'bug';

/** The session died; the database may be fine: drop the connection and retry once. */
const RETRY_ONCE = new Set([
  'NJS-500', // connection to Oracle Database was closed or broken (thin mode wrapper of the below)
  'NJS-501', // connection terminated unexpectedly
  'NJS-521', // end-of-file on communication channel
  'NJS-003', // invalid or closed connection
  'DPI-1080', // connection was closed by ORA-%d
  'DPI-1010', // not connected
  'ORA-00022', // invalid session id
  'ORA-00028', // your session has been killed
  'ORA-00031', // session marked for kill
  'ORA-00045', // session terminated: resource limits
  'ORA-01012', // not logged on
  'ORA-01041', // internal error, hostdef extension doesn't exist
  'ORA-02396', // exceeded maximum idle time
  'ORA-03113', // end-of-file on communication channel (typically an instance restart)
  'ORA-03114', // not connected to ORACLE
  'ORA-03135', // connection lost contact
  'ORA-12537', // TNS: connection closed
  'ORA-12547', // TNS: lost contact
  'ORA-12570', // TNS: packet reader failure
  'ORA-12583', // TNS: no reader
  'ORA-25408', // can not safely replay call (failover)
]);

/** The database does not answer now; a retry on another connection would fail the same way. */
const UNAVAILABLE = new Set([
  'NJS-040', // connection request timeout: exceeded queueTimeout (pool exhausted)
  'NJS-076', // connection request rejected: pool queue length queueMax reached
  'NJS-065', // connection pool was closed (process shutting down)
  'NJS-064', // connection pool is closing
  'NJS-123', // call timeout exceeded (callTimeout)
  'DPI-1067', // call timeout exceeded (thick mode)
  'NJS-503', // connection could not be established (host down, ECONNREFUSED)
  'NJS-510', // connection timed out (connectTimeout / transportConnectTimeout)
  'NJS-511', // listener refused the connection
  'NJS-513', // error received through in-band notification
  'NJS-530', // host not found
  'ORA-01033', // initialization or shutdown in progress
  'ORA-01034', // ORACLE not available
  'ORA-01089', // immediate shutdown or close in progress
  'ORA-01090', // shutdown in progress
  'ORA-01092', // instance terminated, disconnection forced
  'ORA-12153', // TNS: not connected
  'ORA-12170', // TNS: connect timeout
  'ORA-12514', // listener does not currently know of the service
  'ORA-12516', // listener could not find an available handler
  'ORA-12519', // no appropriate service handler found
  'ORA-12520', // no available handler for the server type
  'ORA-12521', // listener does not know of the instance
  'ORA-12526', // all instances are in restricted mode
  'ORA-12528', // all instances are blocking new connections
  'ORA-12541', // no listener
  'ORA-12543', // destination host unreachable
  'ORA-00018', // maximum number of sessions exceeded
  'ORA-00020', // maximum number of processes exceeded
  'ORA-00257', // archiver stuck: connections refused until space is freed
  'ORA-04031', // unable to allocate shared memory
]);

/** Node socket errors that reach us unwrapped (rare: thin mode wraps them in NJS-50x). */
const RETRY_ONCE_SYSCALL = new Set(['ECONNRESET', 'EPIPE']);
const UNAVAILABLE_SYSCALL = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const CODE_IN_TEXT = /\b(?:ORA|NJS|DPI)-\d{3,5}\b/g;

/** Every driver/server code an error carries: its `code`, `ORA-` of its `errorNum`, and codes in its message. */
export function oracleErrorCodes(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const { code, errorNum, message } = error as { code?: unknown; errorNum?: unknown; message?: unknown };
  const codes: string[] = [];
  if (typeof code === 'string') codes.push(code);
  if (typeof errorNum === 'number' && errorNum > 0) codes.push(`ORA-${String(errorNum).padStart(5, '0')}`);
  if (typeof message === 'string') codes.push(...(message.match(CODE_IN_TEXT) ?? []));
  return [...new Set(codes)];
}

/** The pure classification behind the store's error handling (see OracleErrorClass). */
export function classifyOracleError(error: unknown): OracleErrorClass {
  const codes = oracleErrorCodes(error);
  if ((error as { isRecoverable?: unknown } | null)?.isRecoverable === true) return 'retry-once';
  if (codes.some((code) => RETRY_ONCE.has(code) || RETRY_ONCE_SYSCALL.has(code))) return 'retry-once';
  if (codes.some((code) => UNAVAILABLE.has(code) || UNAVAILABLE_SYSCALL.has(code))) return 'unavailable';
  return 'bug';
}

/** What the client reads: no ORA-/NJS- text, no host, no SQL. */
export const UNAVAILABLE_MESSAGE = 'the register database is not answering; retry later';

export function registerUnavailable(): GraphQLError {
  return risError('UPSTREAM_UNAVAILABLE', UNAVAILABLE_MESSAGE);
}
