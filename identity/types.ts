import { badInput } from '../lib/errors';
import { describe } from '../lib/run';

/**
 * The Civil Registry identity check (the "COW" service): does the identity card (cédula) with
 * this document serial belong to this RUN, and is it in force? Shared by the upstream client,
 * both caches and the registers subgraph.
 */

/**
 * Why a document is not valid, most decisive first (the upstream client applies this order):
 * - RUN_NOT_FOUND: the Civil Registry holds no identity document for the RUN;
 * - SERIAL_MISMATCH: the RUN's current document has another serial (an old, lost or forged card);
 * - DOCUMENT_BLOCKED: the document is blocked (reported lost or stolen, or cancelled);
 * - DOCUMENT_EXPIRED: the document is past its expiry date.
 */
export const VERIFICATION_REASONS = ['RUN_NOT_FOUND', 'SERIAL_MISMATCH', 'DOCUMENT_BLOCKED', 'DOCUMENT_EXPIRED'] as const;
export type VerificationReason = (typeof VERIFICATION_REASONS)[number];

/** The upstream's verdict on one (RUN, serial), as both cache levels keep it. */
export interface Verdict {
  /** Normalised RUN, "12345678-5". */
  run: string;
  /** Normalised serial: nine digits, no dots. */
  documentSerial: string;
  /** True exactly when `reason` is null. */
  valid: boolean;
  reason: VerificationReason | null;
  /** When the Civil Registry gave this verdict: ISO timestamp (UTC). */
  verifiedAt: string;
}

/** Where an answer came from: a cache level, or the Civil Registry during this request. */
export type VerificationSource = 'CACHE' | 'REGISTRY';

/** What `verifyIdentity` returns (the GraphQL type IdentityVerification). */
export interface IdentityVerification extends Verdict {
  source: VerificationSource;
}

/** Anything that answers identity checks; the registers subgraph depends on this, not on the service class. */
export interface IdentityVerifier {
  /** The deadline a request starting now gets: the latest moment its upstream call may start. */
  deadline(): number;
  /**
   * Verifies `documentSerial` (any written form) against the normalised `run`. Fails with
   * BAD_USER_INPUT for a malformed serial and UPSTREAM_UNAVAILABLE when no cache holds an answer
   * and the Civil Registry cannot be asked before `deadline` (a `Clock.now()` value).
   */
  verify(run: string, documentSerial: string, deadline: number): Promise<IdentityVerification>;
}

const SERIAL_FORM = /^(?:\d{3}\.\d{3}\.\d{3}|\d{9})$/;

/**
 * The serial number (número de documento) printed on a Chilean identity card: nine digits, written
 * "123.456.789" or "123456789". Returns the nine digits; BAD_USER_INPUT otherwise.
 */
export function parseDocumentSerial(input: unknown): string {
  const written = typeof input === 'string' ? input.trim() : input;
  if (typeof written !== 'string' || !SERIAL_FORM.test(written)) {
    throw badInput(`expected a document serial of nine digits like "123.456.789" or "123456789", got ${describe(input)}`);
  }
  return written.replace(/\./g, '');
}
