import type http from 'node:http';
import { TLSSocket } from 'node:tls';
import { normaliseFingerprint } from '../authz/keys';
import { isoDay, standingOn, type Agreement, type AgreementRegistry } from '../authz/types';
import type { ErrorCode } from '../lib/errors';
import { parseRun, RunFormatError } from '../lib/run';
import type { RateLimiter } from './ratelimit';

/**
 * Admission of a client request at the router, before its body is read: credentials → agreement
 * in force → rate limit → purpose, end user and case reference. Plain functions over plain
 * values, so that any gateway in front of the same agreements decides the same way.
 */

export const PURPOSE_HEADER = 'x-ris-purpose';
export const END_USER_HEADER = 'x-ris-end-user';
export const CASE_HEADER = 'x-ris-case';

/** A refusal the router answers itself, without executing anything. */
export interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/** What a client presented to prove which agreement it acts under. */
export type Credentials =
  | { kind: 'none' }
  /** An Authorization header that is not "Bearer <key>". */
  | { kind: 'malformed'; scheme: string }
  | { kind: 'apiKey'; key: string }
  /** A client certificate; `authorized` when it verifies against the router's client CA. */
  | { kind: 'certificate'; sha256Fingerprint: string; authorized: boolean };

/** The access-relevant parts of an HTTP request, as plain values. */
export interface AccessRequest {
  credentials: Credentials;
  purpose: string | undefined;
  endUser: string | undefined;
  caseRef: string | undefined;
}

/**
 * The outcome of admission: admitted (an agreement and a purpose), or refused with what was
 * learnt of the caller before or besides the refusal, which the audit record still takes.
 */
export type Admission =
  | { refusal: null; agreement: Agreement; purpose: string; endUser: string | null; caseRef: string | null }
  | { refusal: Refusal; agreement: Agreement | null; purpose: string | null; endUser: string | null; caseRef: string | null };

export interface AdmissionDeps {
  registry: AgreementRegistry;
  limiter: RateLimiter;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Whether the router serves HTTPS with client certificates (only then are they mentioned). */
  tls: boolean;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/**
 * The credentials of a request: the Authorization header when present (a key presented decides,
 * right or wrong), else a client certificate of a TLS connection, else none.
 */
export function credentialsOf(req: http.IncomingMessage): Credentials {
  const authorization = header(req, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+)$/i.exec(authorization);
    return match ? { kind: 'apiKey', key: match[1] } : { kind: 'malformed', scheme: authorization.split(/\s+/)[0] };
  }
  if (req.socket instanceof TLSSocket) {
    const certificate = req.socket.getPeerCertificate();
    if (certificate && typeof certificate.fingerprint256 === 'string' && certificate.fingerprint256 !== '') {
      return { kind: 'certificate', sha256Fingerprint: normaliseFingerprint(certificate.fingerprint256), authorized: req.socket.authorized };
    }
  }
  return { kind: 'none' };
}

export function accessRequestOf(req: http.IncomingMessage): AccessRequest {
  return {
    credentials: credentialsOf(req),
    purpose: header(req, PURPOSE_HEADER),
    endUser: header(req, END_USER_HEADER),
    caseRef: header(req, CASE_HEADER),
  };
}

/**
 * The calendar day (ISO) on which agreements' validity is judged: the UTC day, the same day the
 * subgraphs judge by (lib/subgraph.ts), so the router never admits what a subgraph then refuses.
 */


function unauthenticated(message: string, challenge: string): Refusal {
  return { status: 401, code: 'UNAUTHENTICATED', message, headers: { 'www-authenticate': challenge } };
}

const REALM = 'Bearer realm="RIS Graph"';

/** The agreement the credentials prove, or a 401 saying what was expected and what was received. */
export function authenticate(credentials: Credentials, registry: AgreementRegistry, tls: boolean): Agreement | Refusal {
  const expected = tls
    ? 'an API key of an agreement (Authorization: Bearer <key>) or a client certificate registered in an agreement'
    : 'an API key of an agreement (Authorization: Bearer <key>)';
  switch (credentials.kind) {
    case 'none':
      return unauthenticated(`expected ${expected}, got no credentials`, REALM);
    case 'malformed':
      return unauthenticated(
        `expected the header Authorization: Bearer <key>, got an Authorization header of scheme ${JSON.stringify(credentials.scheme.slice(0, 20))}`,
        `${REALM}, error="invalid_request"`,
      );
    case 'apiKey': {
      const found = registry.byApiKey(credentials.key);
      return found
        ? found.agreement
        : unauthenticated(`expected ${expected}, got an API key that belongs to no agreement`, `${REALM}, error="invalid_token"`);
    }
    case 'certificate': {
      if (!credentials.authorized) {
        return unauthenticated(
          `expected ${expected}, got a client certificate not issued by the certificate authority the RIS accepts`,
          REALM,
        );
      }
      return (
        registry.byCertificate(credentials.sha256Fingerprint) ??
        unauthenticated(
          `expected ${expected}, got a client certificate (SHA-256 fingerprint ${credentials.sha256Fingerprint}) registered in no agreement`,
          REALM,
        )
      );
    }
  }
}

/** null when the agreement is in force on `day`; else a 403 naming the agreement and why. */
export function checkStanding(agreement: Agreement, day: string): Refusal | null {
  const forbidden = (message: string): Refusal => ({ status: 403, code: 'FORBIDDEN', message });
  switch (standingOn(agreement, day)) {
    case 'active':
      return null;
    case 'suspended':
      return forbidden(`agreement ${agreement.id} is suspended: expected an agreement in force, got one its officer has suspended`);
    case 'expired':
      return forbidden(`agreement ${agreement.id} is expired: it was valid until ${agreement.validUntil}, today is ${day}`);
    case 'not-yet-valid':
      return forbidden(`agreement ${agreement.id} is not yet valid: it is valid from ${agreement.validFrom}, today is ${day}`);
  }
}

/** The purpose code of the request: the header's, or the agreement's only purpose when none is sent. */
export function checkPurpose(agreement: Agreement, given: string | undefined): string | Refusal {
  const codes = agreement.purposes.map((purpose) => purpose.code);
  if (given === undefined) {
    if (codes.length === 1) return codes[0];
    return {
      status: 403,
      code: 'FORBIDDEN',
      message: `agreement ${agreement.id} has several purposes: expected the header X-RIS-Purpose with one of ${codes.join(', ')}, got none`,
    };
  }
  if (codes.includes(given)) return given;
  return {
    status: 403,
    code: 'FORBIDDEN',
    message: `agreement ${agreement.id} does not cover the purpose ${JSON.stringify(given.slice(0, 100))}: expected X-RIS-Purpose to be one of ${codes.join(', ')}`,
  };
}

/**
 * The official on whose behalf the request is made, normalised. Missing where the agreement
 * requires one is a 403 (the request is outside the agreement); a malformed RUN is a 400.
 * A RUN sent where none is required is still checked and recorded.
 */
export function checkEndUser(agreement: Agreement, given: string | undefined): string | null | Refusal {
  if (given === undefined) {
    if (!agreement.requireEndUser) return null;
    return {
      status: 403,
      code: 'FORBIDDEN',
      message: `agreement ${agreement.id} requires the header X-RIS-End-User with the RUN of the official making the consultation (like 12.345.678-5), got none`,
    };
  }
  try {
    return parseRun(given);
  } catch (error) {
    if (!(error instanceof RunFormatError)) throw error;
    return { status: 400, code: 'BAD_USER_INPUT', message: `X-RIS-End-User: ${error.message}` };
  }
}

/** Longest case reference accepted, in characters. */
export const MAX_CASE_LENGTH = 100;
const PRINTABLE = /^[\x20-\x7e]+$/;

/** The partner's case reference: up to 100 printable ASCII characters, or none. */
export function checkCaseRef(given: string | undefined): string | null | Refusal {
  if (given === undefined) return null;
  if (given.length > MAX_CASE_LENGTH) {
    return { status: 400, code: 'BAD_USER_INPUT', message: `X-RIS-Case: expected at most ${MAX_CASE_LENGTH} printable characters, got ${given.length}` };
  }
  if (!PRINTABLE.test(given)) {
    return {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'X-RIS-Case: expected printable ASCII characters (letters, digits, spaces, punctuation), got a control or non-ASCII character',
    };
  }
  return given;
}

function isRefusal<T>(value: T | Refusal): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value;
}

/**
 * Decides about a request before its body is read. Order: credentials (401), agreement in force
 * (403), rate limit (429; spent by every authenticated request, so a client sending malformed
 * headers is limited too), then purpose, end user and case; when several of the last three are
 * wrong, the first in that order is reported, and the valid ones are still kept for the audit.
 */
export function admit(request: AccessRequest, deps: AdmissionDeps): Admission {
  const none = { agreement: null, purpose: null, endUser: null, caseRef: null };
  const agreement = authenticate(request.credentials, deps.registry, deps.tls);
  if (isRefusal(agreement)) return { ...none, refusal: agreement };
  const now = deps.now();
  const standing = checkStanding(agreement, isoDay(now));
  if (standing) return { ...none, agreement, refusal: standing };
  const limited = deps.limiter.take(agreement.id, agreement.limits.requestsPerMinute, now);
  if (limited !== null) {
    return {
      ...none,
      agreement,
      refusal: {
        status: 429,
        code: 'RATE_LIMITED',
        message: `agreement ${agreement.id} allows ${agreement.limits.requestsPerMinute} requests a minute: expected the next request in ${limited} s, got it now`,
        headers: { 'retry-after': String(limited) },
        extensions: { retryAfterSeconds: limited },
      },
    };
  }
  const purpose = checkPurpose(agreement, request.purpose);
  const endUser = checkEndUser(agreement, request.endUser);
  const caseRef = checkCaseRef(request.caseRef);
  if (!isRefusal(purpose) && !isRefusal(endUser) && !isRefusal(caseRef)) return { refusal: null, agreement, purpose, endUser, caseRef };
  return {
    refusal: [purpose, endUser, caseRef].find(isRefusal) as Refusal,
    agreement,
    purpose: isRefusal(purpose) ? null : purpose,
    endUser: isRefusal(endUser) ? null : endUser,
    caseRef: isRefusal(caseRef) ? null : caseRef,
  };
}
