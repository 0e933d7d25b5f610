import type Database from 'better-sqlite3';
import { describe, parseRun, runBody } from '../lib/run';
import { AUDIT_ROW_COLUMNS, list, recordFromRow, subjectOfRow, type AuditRow } from './chain';
import type { StoredAuditRecord } from './types';

/**
 * Questions the officers ask of the audit trail. Read-only; any connection to the database works.
 */

/** One subgraph's access to a person's data, with the router's record of the operation. */
export interface Consultation {
  seq: number;
  at: string;
  requestId: string;
  agreementId: string | null;
  agreementVersion: number | null;
  institution: string | null;
  endUser: string | null;
  purpose: string | null;
  caseRef: string | null;
  /** The subgraph that returned the data. */
  process: string;
  /** Schema coordinates resolved in that request by that subgraph. */
  coordinates: string[];
  outcome: string;
  /** The router's operation record under the same request id, when there is one. */
  operation: { seq: number; name: string | null; hash: string | null; outcome: string; durationMs: number | null } | null;
}

export interface PeriodOptions {
  /** First day included, "YYYY-MM-DD" (UTC, as the stored timestamps). */
  from?: string;
  /** Last day included, "YYYY-MM-DD" (UTC). */
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Start of `day` (UTC) as the stored ISO timestamps spell it, `plusDays` later. RangeError naming
 * `name` when `day` is not a real date written YYYY-MM-DD.
 */
export function dayStart(name: string, day: string, plusDays = 0): string {
  const start = new Date(`${day}T00:00:00.000Z`);
  if (!DAY.test(day) || Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== day) {
    throw new RangeError(`expected ${name} as a date YYYY-MM-DD, got ${describe(day)}`);
  }
  return new Date(start.getTime() + plusDays * 86_400_000).toISOString();
}

/**
 * The operation record of the same request: request ids are not unique (clients may choose
 * theirs), so the nearest operation record with that id in seq order is taken.
 */
const WHO_CONSULTED = `
  SELECT a.seq, a.at, a.request_id, a.agreement_id, a.agreement_version, a.institution, a.end_user, a.purpose,
    a.case_ref, a.process, a.coordinates, a.outcome,
    o.seq AS op_seq, o.operation_name AS op_name, o.operation_hash AS op_hash, o.outcome AS op_outcome,
    o.duration_ms AS op_duration
  FROM audit_run r
  JOIN audit_record a ON a.seq = r.seq
  LEFT JOIN audit_record o ON o.seq = (
    SELECT x.seq FROM audit_record x WHERE x.request_id = a.request_id AND x.kind = 'operation'
    ORDER BY abs(x.seq - a.seq) LIMIT 1)
  WHERE r.run = @run AND (@from IS NULL OR a.at >= @from) AND (@until IS NULL OR a.at < @until)
  ORDER BY a.seq`;

interface ConsultationRow {
  seq: number;
  at: string;
  request_id: string;
  agreement_id: string | null;
  agreement_version: number | null;
  institution: string | null;
  end_user: string | null;
  purpose: string | null;
  case_ref: string | null;
  process: string;
  coordinates: string | null;
  outcome: string;
  op_seq: number | null;
  op_name: string | null;
  op_hash: string | null;
  op_outcome: string | null;
  op_duration: number | null;
}

/**
 * Every access to the data of `run` (any written form; RunFormatError when invalid), oldest first,
 * optionally within days `from`–`to` inclusive (RangeError when not YYYY-MM-DD).
 */
export function whoConsulted(db: Database.Database, run: string, options: PeriodOptions = {}): Consultation[] {
  const body = runBody(parseRun(run));
  const from = options.from === undefined ? null : dayStart('from', options.from);
  const until = options.to === undefined ? null : dayStart('to', options.to, 1);
  const rows = db.prepare(WHO_CONSULTED).all({ run: body, from, until }) as ConsultationRow[];
  return rows.map((row) => ({
    seq: row.seq,
    at: row.at,
    ...subjectOfRow(row),
    coordinates: list(row.coordinates),
    operation:
      row.op_seq === null
        ? null
        : { seq: row.op_seq, name: row.op_name, hash: row.op_hash, outcome: row.op_outcome ?? '', durationMs: row.op_duration },
  }));
}

/** Every record under `requestId` (router and subgraphs), in seq order. */
export function auditRecordsOfRequest(db: Database.Database, requestId: string): StoredAuditRecord[] {
  const rows = db.prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_record WHERE request_id = ? ORDER BY seq`).all(requestId) as AuditRow[];
  return rows.map(recordFromRow);
}

/** Records after `afterSeq` (default: from the first), at most `limit` (default 1000), in seq order. */
export function readAuditRecords(db: Database.Database, options: { afterSeq?: number; limit?: number } = {}): StoredAuditRecord[] {
  const rows = db
    .prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_record WHERE seq > ? ORDER BY seq LIMIT ?`)
    .all(options.afterSeq ?? 0, options.limit ?? 1000) as AuditRow[];
  return rows.map(recordFromRow);
}
