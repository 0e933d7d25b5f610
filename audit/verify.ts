import type Database from 'better-sqlite3';
import { createProgress, type ProgressStream } from '../lib/progress';
import { formatRun } from '../lib/run';
import { AUDIT_ROW_COLUMNS, GENESIS_HASH, hashRecord, rowFromValues } from './chain';

/**
 * Verification of the audit trail: recomputes the hash chain from the first record and checks
 * the head and the who-consulted index against it.
 *
 * Detected: an edited stored field (its hash no longer recomputes); a deleted record (a seq gap,
 * and a prev_hash that no longer matches); a record inserted by renumbering (the prev_hash and
 * hashes of the records after it); a record rewritten with a recomputed hash (its successor's
 * prev_hash); truncation of the tail, down to deleting every record (the head names a record that
 * is gone); records appended without moving the head; an audit_run row removed or added.
 *
 * Not detected: anyone able to write the file who rewrites the chain from the edit point onwards
 * AND the head can produce a consistent trail — SHA-256 without a secret proves consistency, not
 * authorship. Anchor the head outside the database (the CLI prints it; publish or sign it
 * periodically) to turn that into a detectable rewrite. Also outside its reach: what a process
 * never wrote, and the truth of what it wrote (clocks included).
 */

export interface AuditProblem {
  /** The record the problem shows at (0 when it concerns the whole trail). */
  seq: number;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Records read. */
  records: number;
  /** In seq order: the first names the first broken record. */
  problems: AuditProblem[];
  /** The head as stored (seq and hash of the last record), to anchor outside the database. */
  head: { seq: number; hash: string } | null;
}

export interface VerifyOptions {
  /** Where progress is shown for large trails (the CLI passes stderr). */
  progress?: ProgressStream;
  /** Trails with at least this many records show progress. Default 100,000. */
  progressFrom?: number;
  /** Problems listed before the rest are only counted. Default 1,000. */
  maxProblems?: number;
}

const AUDIT_TABLES = ['audit_record', 'audit_run', 'audit_head'];

const short = (hash: unknown): string => (typeof hash === 'string' ? `${hash.slice(0, 12)}…` : String(hash));

/** Pairs (seq, RUN body) that the chained runs column and the audit_run index disagree on. */
const INDEX_MISSING = `SELECT seq, run FROM (
    SELECT r.seq AS seq, CAST(substr(j.value, 1, instr(j.value, '-') - 1) AS INTEGER) AS run
    FROM audit_record r, json_each(r.runs) j WHERE r.runs IS NOT NULL AND json_valid(r.runs)
    EXCEPT SELECT seq, run FROM audit_run)
  ORDER BY seq, run`;
const INDEX_EXTRA = `SELECT seq, run FROM (
    SELECT seq, run FROM audit_run
    EXCEPT SELECT r.seq, CAST(substr(j.value, 1, instr(j.value, '-') - 1) AS INTEGER)
    FROM audit_record r, json_each(r.runs) j WHERE r.runs IS NOT NULL AND json_valid(r.runs))
  ORDER BY seq, run`;

/**
 * Verifies the audit trail in `db` (a read-only connection is enough). Reads in one transaction,
 * so appends by other processes during verification are not seen half-way.
 */
export function verifyAudit(db: Database.Database, options: VerifyOptions = {}): AuditVerification {
  const maxProblems = options.maxProblems ?? 1000;
  const problems: AuditProblem[] = [];
  let unlisted = 0;
  const report = (seq: number, problem: string): void => {
    if (problems.length < maxProblems) problems.push({ seq, problem });
    else unlisted += 1;
  };

  const present = new Set(
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${AUDIT_TABLES.map((t) => `'${t}'`).join(', ')})`)
      .all() as { name: string }[]).map((row) => row.name),
  );
  const missing = AUDIT_TABLES.filter((table) => !present.has(table));
  if (missing.length > 0) {
    return {
      ok: false,
      records: 0,
      problems: [{ seq: 0, problem: `expected the audit tables (migration 002_audit.sql), got none named ${missing.join(', ')}` }],
      head: null,
    };
  }

  const ownTransaction = !db.inTransaction;
  if (ownTransaction) db.exec('BEGIN');
  try {
    const heads = db.prepare('SELECT seq, hash FROM audit_head').all() as { seq: number; hash: string }[];
    const head = heads.length === 1 ? heads[0] : null;
    if (head === null) {
      report(0, `expected one audit_head row (seq and hash of the last record), got ${heads.length}: truncation of the tail cannot be ruled out`);
    }
    const total = (db.prepare('SELECT count(*) AS n FROM audit_record').get() as { n: number }).n;
    const progress =
      options.progress && total >= (options.progressFrom ?? 100_000) ? createProgress('audit verify', total, options.progress) : null;

    let records = 0;
    let expectedSeq = 1;
    let previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
    const all = db.prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_record ORDER BY seq`).raw(true);
    for (const values of all.iterate() as IterableIterator<unknown[]>) {
      const row = rowFromValues(values);
      records += 1;
      if (row.seq !== expectedSeq) {
        const gone = row.seq - 1 === expectedSeq ? `record ${expectedSeq} is` : `records ${expectedSeq}–${row.seq - 1} are`;
        report(row.seq, `deleted: expected record ${expectedSeq} next, found ${row.seq} (${gone} missing)`);
      } else if (row.prev_hash !== previous.hash) {
        const before = previous.seq === 0 ? 'the genesis hash (64 zeros)' : `the hash of record ${previous.seq} (${short(previous.hash)})`;
        report(row.seq, `chain broken: expected prev_hash ${before}, got ${short(row.prev_hash)}; a record before it was inserted, deleted or rewritten`);
      }
      const recomputed = hashRecord(row);
      if (recomputed !== row.hash) {
        report(row.seq, `edited: stored hash ${short(row.hash)} differs from the hash of its content ${short(recomputed)}`);
      }
      previous = { seq: row.seq, hash: row.hash };
      expectedSeq = row.seq + 1;
      if (records % 10_000 === 0) progress?.tick(records);
    }
    progress?.done();

    if (head !== null) {
      if (head.seq > previous.seq) {
        const gone = head.seq - 1 === previous.seq ? `record ${head.seq} is` : `records ${previous.seq + 1}–${head.seq} are`;
        report(head.seq, `truncated: the head names record ${head.seq} (${short(head.hash)}), the last record is ${previous.seq} (${gone} missing)`);
      } else if (head.seq < previous.seq) {
        const extra = head.seq + 1 === previous.seq ? `record ${previous.seq} follows` : `records ${head.seq + 1}–${previous.seq} follow`;
        report(head.seq + 1, `appended outside the log: ${extra} the head (record ${head.seq})`);
      } else if (head.hash !== previous.hash) {
        report(head.seq, `replaced: the head holds hash ${short(head.hash)}, record ${head.seq} holds ${short(previous.hash)}`);
      }
    }

    for (const { seq, run } of db.prepare(INDEX_MISSING).all() as { seq: number; run: number }[]) {
      report(seq, `index altered: the record lists RUN ${formatRun(run)}, audit_run has no row for it`);
    }
    for (const { seq, run } of db.prepare(INDEX_EXTRA).all() as { seq: number; run: number }[]) {
      report(seq, `index altered: audit_run has a row for RUN ${formatRun(run)}, the record does not list it`);
    }

    problems.sort((a, b) => a.seq - b.seq);
    if (unlisted > 0) problems.push({ seq: 0, problem: `${unlisted} more problems not listed (limit ${maxProblems})` });
    return { ok: problems.length === 0, records, problems, head };
  } finally {
    if (ownTransaction && db.inTransaction) db.exec('COMMIT');
  }
}
