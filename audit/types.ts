/**
 * The audit trail (DESIGN.md §6): one operation record per request at the router, and per
 * subgraph request one access record of the entity keys returned and coordinates resolved, under
 * the same request id. Records are hash-chained; `append` returns only once the record is durable,
 * and throws when it cannot be written, so the caller can withhold the data (AUDIT_UNAVAILABLE).
 */

/** Who asked, for what: common to both kinds of record. */
export interface AuditSubject {
  requestId: string;
  /** null when the request could not be authenticated. */
  agreementId: string | null;
  agreementVersion: number | null;
  institution: string | null;
  endUser: string | null;
  purpose: string | null;
  caseRef: string | null;
}

export interface OperationRecord extends AuditSubject {
  kind: 'operation';
  /** "router" */
  process: string;
  operationName: string | null;
  /** SHA-256 (hex) of the operation text as received. */
  operationHash: string | null;
  /** "ok", or the error codes returned, e.g. "FORBIDDEN", "UNAUTHENTICATED,RATE_LIMITED". */
  outcome: string;
  durationMs: number;
}

export interface AccessRecord extends AuditSubject {
  kind: 'access';
  /** The subgraph: persons, households, registers or benefits. */
  process: string;
  /** RUNs (normalised) of the persons whose data this subgraph returned. */
  runs: string[];
  /** Household ids whose data this subgraph returned. */
  householdIds: string[];
  /** Schema coordinates resolved ("Person.givenNames"), sorted, distinct. */
  coordinates: string[];
  outcome: string;
}

export type AuditEntry = OperationRecord | AccessRecord;

/** A stored record: the entry plus its position and chain. */
export type StoredAuditRecord = AuditEntry & {
  seq: number;
  /** ISO timestamp of writing. */
  at: string;
  prevHash: string;
  hash: string;
};

/** Thrown by `append` when the record could not be made durable. */
export class AuditUnavailableError extends Error {}

export interface AuditLog {
  /** Appends the record durably (hash-chained). Throws AuditUnavailableError on any failure. */
  append(entry: AuditEntry): Promise<void>;
  close(): Promise<void>;
}
