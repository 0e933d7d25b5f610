import { createHash } from 'node:crypto';
import { describe, parseRun } from '../lib/run';
import { AuditUnavailableError, type AuditEntry, type StoredAuditRecord } from './types';

/**
 * The hash chain of the audit trail: the row format of `audit_record`, the canonical serialisation
 * a record's hash is computed over, and the conversions between entries, rows and stored records.
 * Writer (audit/sqlite.ts) and verifier (audit/verify.ts) share these functions, so a record is
 * hashed from exactly the column values stored — whatever a column holds is what is checked.
 */

/** prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag leading every serialisation; a new format would get a new tag, never a silent change. */
export const CHAIN_FORMAT = 'ris-audit/1';

/** One row of `audit_record`, column names as in store/sqlite/migrations/002_audit.sql. */
export interface AuditRow {
  seq: number;
  at: string;
  kind: AuditEntry['kind'];
  process: string;
  request_id: string;
  agreement_id: string | null;
  agreement_version: number | null;
  institution: string | null;
  end_user: string | null;
  purpose: string | null;
  case_ref: string | null;
  operation_name: string | null;
  operation_hash: string | null;
  outcome: string;
  duration_ms: number | null;
  /** JSON arrays as stored (text), null for operation records. */
  runs: string | null;
  household_ids: string | null;
  coordinates: string | null;
  prev_hash: string;
  hash: string;
}

/** The columns an entry decides: everything but the chain position (seq, at, prev_hash, hash). */
export type AuditContent = Omit<AuditRow, 'seq' | 'at' | 'prev_hash' | 'hash'>;

/** The columns in the order of `audit_record`, also the order of the canonical serialisation. */
export const AUDIT_COLUMNS = [
  'seq', 'at', 'kind', 'process', 'request_id', 'agreement_id', 'agreement_version', 'institution', 'end_user',
  'purpose', 'case_ref', 'operation_name', 'operation_hash', 'outcome', 'duration_ms', 'runs', 'household_ids',
  'coordinates', 'prev_hash', 'hash',
] as const satisfies readonly (keyof AuditRow)[];

/**
 * The canonical serialisation of a record: a JSON array of the format tag and then every column
 * of AUDIT_COLUMNS except `hash`, in that order, nulls explicit, JSON arrays as their stored text.
 * Positional, so no key order or omitted field can make two serialisations of one record differ.
 */
export function canonicalRecord(row: Omit<AuditRow, 'hash'>): string {
  return JSON.stringify([
    CHAIN_FORMAT, row.seq, row.at, row.kind, row.process, row.request_id, row.agreement_id, row.agreement_version,
    row.institution, row.end_user, row.purpose, row.case_ref, row.operation_name, row.operation_hash, row.outcome,
    row.duration_ms, row.runs, row.household_ids, row.coordinates, row.prev_hash,
  ]);
}

/** SHA-256 (hex) of the canonical serialisation, UTF-8 encoded. */
export function hashRecord(row: Omit<AuditRow, 'hash'>): string {
  return createHash('sha256').update(canonicalRecord(row), 'utf8').digest('hex');
}

function invalid(field: string, expected: string, value: unknown): AuditUnavailableError {
  return new AuditUnavailableError(`audit entry refused: expected ${field} to be ${expected}, got ${describe(value)}`);
}

/**
 * A string as SQLite will return it: a lone UTF-16 surrogate cannot be stored in UTF-8 and comes
 * back as U+FFFD, which would make the stored record hash differently from the appended one.
 */
function storable(value: string): string {
  return /[\ud800-\udfff]/.test(value) ? Buffer.from(value, 'utf8').toString('utf8') : value;
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid(field, 'a non-empty string', value);
  return storable(value);
}

function optionalText(field: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(field, 'a string or null', value);
  return storable(value);
}

function textList(field: string, value: unknown): string {
  if (!Array.isArray(value)) throw invalid(field, 'a list of strings', value);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw invalid(`${field}[${i}]`, 'a string', item);
  });
  return JSON.stringify(value);
}

/** True when `run` is a valid RUN already in the normal form "12345678-5" (audit_run keys on it). */
function isNormalRun(run: string): boolean {
  try {
    return parseRun(run) === run;
  } catch {
    return false;
  }
}

/**
 * The row content of an entry, validated. Refusals are AuditUnavailableErrors (the caller then
 * withholds the data) whose messages never quote a RUN or other personal data.
 */
export function contentOf(entry: AuditEntry): AuditContent {
  const subject = {
    process: text('process', entry.process),
    request_id: text('requestId', entry.requestId),
    agreement_id: optionalText('agreementId', entry.agreementId),
    agreement_version: entry.agreementVersion,
    institution: optionalText('institution', entry.institution),
    end_user: optionalText('endUser', entry.endUser),
    purpose: optionalText('purpose', entry.purpose),
    case_ref: optionalText('caseRef', entry.caseRef),
    outcome: text('outcome', entry.outcome),
  };
  if (subject.agreement_version !== null && !Number.isSafeInteger(subject.agreement_version)) {
    throw invalid('agreementVersion', 'a whole number or null', subject.agreement_version);
  }
  if (entry.kind === 'operation') {
    if (typeof entry.durationMs !== 'number' || !Number.isFinite(entry.durationMs) || entry.durationMs < 0) {
      throw invalid('durationMs', 'a finite number >= 0', entry.durationMs);
    }
    return {
      kind: 'operation', ...subject,
      operation_name: optionalText('operationName', entry.operationName),
      operation_hash: optionalText('operationHash', entry.operationHash),
      duration_ms: entry.durationMs,
      runs: null, household_ids: null, coordinates: null,
    };
  }
  if (entry.kind === 'access') {
    const runs = textList('runs', entry.runs);
    entry.runs.forEach((run, i) => {
      if (!isNormalRun(run)) {
        throw new AuditUnavailableError(`audit entry refused: expected runs[${i}] to be a RUN in normal form like 12345678-5, got another value`);
      }
    });
    return {
      kind: 'access', ...subject,
      operation_name: null, operation_hash: null, duration_ms: null,
      runs, household_ids: textList('householdIds', entry.householdIds), coordinates: textList('coordinates', entry.coordinates),
    };
  }
  throw invalid('kind', '"operation" or "access"', (entry as { kind: unknown }).kind);
}

/** A JSON list column (runs, household ids, coordinates) parsed; [] when null. */
export function list(column: string | null): string[] {
  return column === null ? [] : (JSON.parse(column) as string[]);
}

/** The columns every record has, as a row of audit_record or a query joining it returns them. */
type SubjectColumns = Pick<AuditRow, 'request_id' | 'agreement_id' | 'agreement_version' | 'institution' | 'end_user' | 'purpose' | 'case_ref' | 'process' | 'outcome'>;

/** Who asked, for what, from which process, with which outcome: the subject fields of a stored row. */
export function subjectOfRow(row: SubjectColumns) {
  return {
    requestId: row.request_id,
    agreementId: row.agreement_id,
    agreementVersion: row.agreement_version,
    institution: row.institution,
    endUser: row.end_user,
    purpose: row.purpose,
    caseRef: row.case_ref,
    process: row.process,
    outcome: row.outcome,
  };
}

/** A stored row as the contract's StoredAuditRecord (JSON columns parsed). */
export function recordFromRow(row: AuditRow): StoredAuditRecord {
  const subject = subjectOfRow(row);
  const chain = { seq: row.seq, at: row.at, prevHash: row.prev_hash, hash: row.hash };
  if (row.kind === 'operation') {
    return {
      kind: 'operation', ...subject,
      operationName: row.operation_name, operationHash: row.operation_hash, durationMs: row.duration_ms ?? 0, ...chain,
    };
  }
  return {
    kind: 'access', ...subject,
    runs: list(row.runs), householdIds: list(row.household_ids), coordinates: list(row.coordinates), ...chain,
  };
}

/** The SELECT list reading AuditRows from `audit_record`. */
export const AUDIT_ROW_COLUMNS = AUDIT_COLUMNS.join(', ');

/**
 * An AuditRow from the values of a raw (array) result of SELECT AUDIT_ROW_COLUMNS: raw results
 * halve better-sqlite3's per-row cost when a whole trail is read (verify).
 */
export function rowFromValues(values: unknown[]): AuditRow {
  const row: Record<string, unknown> = {};
  AUDIT_COLUMNS.forEach((column, i) => {
    row[column] = values[i];
  });
  return row as unknown as AuditRow;
}
