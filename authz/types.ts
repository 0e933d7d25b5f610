/**
 * The access model shared by the router, the subgraphs and the officer CLI. An agreement
 * (convenio) is data: a YAML file per agreement in authz/agreements/ (format: DESIGN.md §5),
 * validated at start-up against the composed supergraph and turned into this shape.
 */

export type AgreementKind = 'MUNICIPALITY' | 'INSTITUTION' | 'INTERNAL';

export interface Purpose {
  code: string;
  text: string;
}

export interface Agreement {
  id: string;
  /** Bumped by the officer on every change; cited in every audit record. */
  version: number;
  institution: { code: string; name: string };
  kind: AgreementKind;
  status: 'active' | 'suspended';
  /** ISO dates "YYYY-MM-DD", inclusive. */
  validFrom: string;
  validUntil: string;
  /** Row scope: the communes (CUT codes) whose persons and households are visible; null = every commune. */
  communes: ReadonlySet<string> | null;
  purposes: readonly Purpose[];
  /** When true, every request must name the official (X-RIS-End-User, a valid RUN). */
  requireEndUser: boolean;
  /** Every schema coordinate "Type.field" granted, with `Type.*` and `Type.{a,b}` expanded. */
  grants: ReadonlySet<string>;
  /** The grants as written in the file, for `agreements explain`. */
  grantPatterns: readonly string[];
  credentials: {
    /** SHA-256 (hex, lower case) of each API key; keys are never stored in clear. */
    apiKeys: readonly { id: string; sha256: string }[];
    /** SHA-256 fingerprints (hex, lower case, no colons) of client certificates for mutual TLS. */
    clientCertificates: readonly { sha256Fingerprint: string }[];
  };
  limits: { requestsPerMinute: number };
  /** A demo agreement shipped for the embedded default; refused in production mode. */
  demo: boolean;
  /** The file it was read from (for messages to the officer; never sent to a client). */
  file: string;
}

/** Whether an agreement may be used on a given day (ISO date). */
export type AgreementStanding = 'active' | 'suspended' | 'not-yet-valid' | 'expired';

/**
 * The day agreement validity is judged on: the UTC calendar day of `ms`. One definition for the
 * router and the subgraphs, so the router never admits a request a subgraph then refuses.
 */
export function isoDay(ms: number = Date.now()): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function standingOn(agreement: Agreement, isoDay: string): AgreementStanding {
  if (agreement.status === 'suspended') return 'suspended';
  if (isoDay < agreement.validFrom) return 'not-yet-valid';
  if (isoDay > agreement.validUntil) return 'expired';
  return 'active';
}

/** A validated, consistent set of agreements (the "last good set" while a change is refused). */
export interface AgreementSet {
  readonly agreements: ReadonlyMap<string, Agreement>;
  /** When this set was loaded (ISO timestamp). */
  readonly loadedAt: string;
}

/**
 * The live agreements of a process: the last good set, replaced when the folder changes and the
 * new files validate; an invalid change is refused (reported to listeners) and the set is kept.
 */
export interface AgreementRegistry {
  current(): AgreementSet;
  get(id: string): Agreement | undefined;
  /** The agreement holding this API key (compared by SHA-256 in constant time), if any. */
  byApiKey(key: string): { agreement: Agreement; keyId: string } | undefined;
  /** The agreement holding this client-certificate fingerprint, if any. */
  byCertificate(sha256Fingerprint: string): Agreement | undefined;
  /** Called after every reload attempt: the new set, or the reason it was refused. */
  onChange(listener: (event: { applied: true; set: AgreementSet } | { applied: false; reason: string }) => void): void;
  /** Stops watching the folder. */
  close(): void;
}

/** Who is asking, as the subgraphs learn it from the router's signed context. */
export interface Caller {
  agreement: Agreement;
  purpose: string;
  /** RUN of the official, normalised; null when the agreement does not require one and none was sent. */
  endUser: string | null;
  /** The partner's case reference (X-RIS-Case), if sent. */
  caseRef: string | null;
  requestId: string;
}

/** The claims of the signed context the router sends with every subgraph request. */
export interface ContextClaims {
  agreementId: string;
  agreementVersion: number;
  purpose: string;
  endUser: string | null;
  caseRef: string | null;
  requestId: string;
}
