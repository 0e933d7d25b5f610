import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { runBody } from '../lib/run';
import { openMigratedWriter } from '../store/sqlite/migrate';
import { contentOf, hashRecord, type AuditContent } from './chain';
import { AuditUnavailableError, type AuditEntry, type AuditLog } from './types';

/**
 * The audit trail in the register's SQLite file (table audit_record, migration 002_audit.sql),
 * written through its own read-write connection; the register store's connection stays read-only.
 *
 * Several processes (router and subgraphs) append to one file. Each commit is one
 * `BEGIN IMMEDIATE` transaction — read the head, insert the records chained to it, move the head —
 * so the write lock serialises writers and the chain stays linear; a writer waits up to
 * `busyTimeoutMs` for the lock. WAL with `synchronous = FULL` makes a commit durable (the WAL is
 * fsynced) before `append` resolves.
 *
 * Group commit: appends made in the same turn of the event loop (and those arriving while a commit
 * blocks it) are written in one transaction, one fsync for all; each promise settles only after
 * that transaction committed or failed. better-sqlite3 is synchronous, so a commit blocks this
 * process's event loop for the fsync (and for a lock wait); the AuditLog interface is async so the
 * writer can move to a worker thread without changing callers.
 */

export interface SqliteAuditLogOptions {
  /** Longest wait for another process's write lock before an append fails, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Most records in one transaction; 1 turns group commit off. Default 256. */
  maxBatch?: number;
  /** Create the database file when missing (tests, tools). Servers open the generated register. */
  create?: boolean;
  /** The clock stamping `at` (tests). */
  now?: () => Date;
}

interface Pending {
  content: AuditContent;
  resolve: () => void;
  reject: (error: AuditUnavailableError) => void;
}

interface Head {
  seq: number;
  hash: string;
}

const SQL = {
  head: 'SELECT seq, hash FROM audit_head WHERE id = 1',
  insert: `INSERT INTO audit_record (seq, at, kind, process, request_id, agreement_id, agreement_version, institution,
      end_user, purpose, case_ref, operation_name, operation_hash, outcome, duration_ms, runs, household_ids, coordinates,
      prev_hash, hash)
    VALUES (@seq, @at, @kind, @process, @request_id, @agreement_id, @agreement_version, @institution, @end_user, @purpose,
      @case_ref, @operation_name, @operation_hash, @outcome, @duration_ms, @runs, @household_ids, @coordinates, @prev_hash,
      @hash)`,
  insertRun: 'INSERT OR IGNORE INTO audit_run (run, seq) VALUES (?, ?)',
  moveHead: 'UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1',
} as const;

/** A log-safe reason for a storage failure: SQLite's result code, never SQL text or a path. */
function reason(error: unknown, busyTimeoutMs: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    return error instanceof TypeError && /not open/.test(error.message) ? 'the audit database is closed' : 'unexpected storage error';
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `the audit database stayed locked by another writer for more than ${busyTimeoutMs} ms (${code})`;
  }
  if (code === 'SQLITE_FULL') return 'the disk holding the audit database is full (SQLITE_FULL)';
  if (code.startsWith('SQLITE_IOERR')) return `I/O error on the audit database (${code})`;
  if (code.startsWith('SQLITE_READONLY')) return `the audit database is not writable (${code})`;
  return `storage error (${code})`;
}

export class SqliteAuditLog implements AuditLog {
  private readonly insert: Database.Statement;
  private readonly insertRun: Database.Statement;
  private readonly readHead: Database.Statement;
  private readonly moveHead: Database.Statement;
  private readonly busyTimeoutMs: number;
  private readonly maxBatch: number;
  private readonly now: () => Date;
  private pending: Pending[] = [];
  private scheduled = false;
  private closed = false;

  private constructor(private readonly db: Database.Database, options: SqliteAuditLogOptions) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.maxBatch = options.maxBatch ?? 256;
    this.now = options.now ?? (() => new Date());
    this.insert = db.prepare(SQL.insert);
    this.insertRun = db.prepare(SQL.insertRun);
    this.readHead = db.prepare(SQL.head);
    this.moveHead = db.prepare(SQL.moveHead);
  }

  /**
   * Opens the audit trail in the database `file`: WAL, synchronous FULL, the busy timeout, and
   * pending migrations applied under a write lock (so processes starting together apply them once).
   * Throws AuditUnavailableError when the file cannot be opened or prepared.
   */
  static open(file: string, options: SqliteAuditLogOptions = {}): SqliteAuditLog {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new RangeError(`expected busyTimeoutMs to be a whole number >= 0, got ${String(busyTimeoutMs)}`);
    }
    if (options.maxBatch !== undefined && (!Number.isInteger(options.maxBatch) || options.maxBatch < 1)) {
      throw new RangeError(`expected maxBatch to be a whole number >= 1, got ${String(options.maxBatch)}`);
    }
    const resolved = path.resolve(file);
    if (!options.create && !fs.existsSync(resolved)) {
      throw new AuditUnavailableError(`expected the register database holding the audit trail at ${resolved}, got no file`);
    }
    try {
      const db = openMigratedWriter(resolved, { busyTimeoutMs, synchronous: 'FULL', create: options.create });
      return new SqliteAuditLog(db, options);
    } catch (error) {
      throw new AuditUnavailableError(`could not open the audit trail in ${resolved}: ${reason(error, busyTimeoutMs)}`, { cause: error });
    }
  }

  append(entry: AuditEntry): Promise<void> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('audit record not written: the audit log is closed'));
    let content: AuditContent;
    try {
      content = contentOf(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ content, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes what is pending, then closes the connection; later appends reject. */
  close(): Promise<void> {
    if (!this.closed) {
      this.flush();
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        this.commit(batch.map((item) => item.content));
      } catch (error) {
        const records = batch.length === 1 ? '1 audit record' : `${batch.length} audit records`;
        const failure = new AuditUnavailableError(`${records} not written: ${reason(error, this.busyTimeoutMs)}`, { cause: error });
        for (const item of batch) item.reject(failure);
        continue;
      }
      for (const item of batch) item.resolve();
    }
  }

  /** One transaction: chain `contents` after the current head, then move the head. */
  private commit(contents: AuditContent[]): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const head = this.readHead.get() as Head | undefined;
      if (!head) throw new Error('audit_head row missing');
      const at = this.now().toISOString();
      let { seq, hash } = head;
      for (const content of contents) {
        seq += 1;
        const row = { ...content, seq, at, prev_hash: hash };
        hash = hashRecord(row);
        this.insert.run({ ...row, hash });
        if (content.runs !== null) {
          for (const run of JSON.parse(content.runs) as string[]) this.insertRun.run(runBody(run), seq);
        }
      }
      this.moveHead.run(seq, hash);
      this.db.exec('COMMIT');
    } finally {
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    }
  }
}

/**
 * An audit log whose storage always fails: for tests proving that a failing trail yields
 * AUDIT_UNAVAILABLE and no data. Keeps the entries it was asked to append.
 */
export class FailingAuditLog implements AuditLog {
  readonly attempted: AuditEntry[] = [];

  constructor(private readonly message = 'audit record not written: audit storage unavailable (injected failure)') {}

  append(entry: AuditEntry): Promise<void> {
    this.attempted.push(entry);
    return Promise.reject(new AuditUnavailableError(this.message));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
