import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import type { ContextClaims } from './types';

/**
 * The signed context: a compact JWS (HS256) that the router attaches to every subgraph request,
 * carrying who asks and why (agreement id and version, purpose, end user, case, request id) with
 * a short expiry. Subgraphs refuse any request without a valid one, so a client that reaches a
 * subgraph directly gets nothing, and any Federation 2 router that forwards this header works.
 */

/** The request header that carries the signed context. Only the router may set it. */
export const CONTEXT_HEADER = 'x-ris-context';

const ISSUER = 'ris-graph-router';
const AUDIENCE = 'ris-graph-subgraphs';

/** Why a signed context was refused; the message is safe to show to the caller. */
export class ContextError extends Error {}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function signContext(claims: ContextClaims, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({
    agr: claims.agreementId,
    ver: claims.agreementVersion,
    pur: claims.purpose,
    eu: claims.endUser,
    cas: claims.caseRef,
    rid: claims.requestId,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keyOf(secret));
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Verifies signature, issuer, audience and expiry; returns the claims or throws ContextError. */
export async function verifyContext(token: string | undefined, secret: string): Promise<ContextClaims> {
  if (!token) throw new ContextError('expected a signed context from the RIS router (header x-ris-context), got none');
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.agr !== 'string' || typeof payload.ver !== 'number' || typeof payload.pur !== 'string' || typeof payload.rid !== 'string') {
      throw new ContextError('expected a signed context naming agreement, version, purpose and request id, got an incomplete one');
    }
    return {
      agreementId: payload.agr,
      agreementVersion: payload.ver,
      purpose: payload.pur,
      endUser: stringOrNull(payload.eu),
      caseRef: stringOrNull(payload.cas),
      requestId: payload.rid,
    };
  } catch (error) {
    if (error instanceof ContextError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new ContextError('expected a current signed context, got an expired one');
    throw new ContextError('expected a signed context from the RIS router, got one that does not verify');
  }
}
