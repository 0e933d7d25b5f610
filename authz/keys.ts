import crypto from 'node:crypto';

/**
 * API keys. A key is shown once, to the officer who creates it, and only its SHA-256 is stored in
 * the agreement file. Keys are random (256 bits), so a plain SHA-256 is enough: there is nothing
 * to guess that a slow password hash would protect.
 */

/** SHA-256 of a text (UTF-8), as 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Prefix of every key this system issues, so a leaked key is recognisable (e.g. by secret scanners). */
export const API_KEY_PREFIX = 'ris_';

/** A new API key: "ris_" and 32 random bytes in base64url (43 characters). */
export function newApiKey(): string {
  return API_KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/**
 * The published demo keys of the demo agreements (DESIGN.md §5), key → agreement id. They ship
 * for the embedded default only: production mode refuses any agreement holding one of them.
 */
export const DEMO_API_KEYS: Readonly<Record<string, string>> = {
  'demo-mds-internal': 'mds-internal',
  'demo-muni-13101': 'muni-13101',
  'demo-muni-05101': 'muni-05101',
  'demo-ips': 'ips',
  'demo-fosis': 'fosis',
};

/** SHA-256 of each published demo key → the demo key. */
export const DEMO_KEY_HASHES: ReadonlyMap<string, string> = new Map(
  Object.keys(DEMO_API_KEYS).map((key) => [sha256Hex(key), key]),
);

/** A stored digest (SHA-256 of a key, or a certificate fingerprint) and what it stands for. */
export interface DigestEntry<T> {
  /** 64 lower-case hex digits. */
  digest: string;
  value: T;
}

/**
 * Finds the entry whose digest equals `digest` (64 hex digits) comparing against EVERY entry with
 * crypto.timingSafeEqual and no early exit, so the time taken does not tell how many entries there
 * are before the match or how much of a digest matched. Returns undefined when none matches or
 * `digest` is not 64 hex digits.
 */
export function createDigestMatcher<T>(entries: readonly DigestEntry<T>[]): (digest: string) => T | undefined {
  const stored = entries.map((entry) => ({ bytes: Buffer.from(entry.digest, 'hex'), value: entry.value }));
  return (digest) => {
    if (!/^[0-9a-fA-F]{64}$/.test(digest)) return undefined;
    const presented = Buffer.from(digest, 'hex');
    let found: T | undefined;
    for (const entry of stored) {
      const equal = entry.bytes.length === presented.length && crypto.timingSafeEqual(entry.bytes, presented);
      if (equal && found === undefined) found = entry.value;
    }
    return found;
  };
}

/**
 * Matches a presented API key against stored SHA-256 hashes: hashes the key, then compares in
 * constant time against every stored hash (see createDigestMatcher).
 */
export function createApiKeyMatcher<T>(entries: readonly { sha256: string; value: T }[]): (key: string) => T | undefined {
  const match = createDigestMatcher(entries.map((entry) => ({ digest: entry.sha256, value: entry.value })));
  return (key) => match(sha256Hex(key));
}

/**
 * A client-certificate fingerprint in the stored form: lower-case hex without colons. Accepts the
 * "AB:CD:…" form Node gives in `getPeerCertificate().fingerprint256`.
 */
export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}
