import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { formatRun, runBody } from '../lib/run';
import { openMigratedWriter } from '../store/sqlite/migrate';
import { VERIFICATION_REASONS, type VerificationReason, type Verdict } from './types';

/**
 * The persistent cache (L2) of identity verdicts: table identity_cache (migration
 * 003_identity_cache.sql). Async so that an Oracle implementation fits the same contract.
 *
 * Contract: `get` returns the verdict last `put` for exactly this (RUN, serial), however old (the
 * caller judges freshness from `verifiedAt`), or null; `put` replaces it. RUNs are normalised,
 * serials nine digits.
 */
export interface IdentityCacheStore {
  get(run: string, documentSerial: string): Promise<Verdict | null>;
  put(verdict: Verdict): Promise<void>;
  close(): Promise<void>;
}

interface Row {
  run: number;
  document_serial: string;
  valid: number;
  reason: string | null;
  verified_at: string;
}

const REASONS = new Set<string>(VERIFICATION_REASONS);

function verdictOf(row: Row): Verdict {
  if (row.reason !== null && !REASONS.has(row.reason)) {
    throw new Error(`identity_cache: expected a reason among ${VERIFICATION_REASONS.join(', ')} or null, got ${JSON.stringify(row.reason)}`);
  }
  return {
    run: formatRun(row.run),
    documentSerial: row.document_serial,
    valid: row.valid === 1,
    reason: row.reason as VerificationReason | null,
    verifiedAt: row.verified_at,
  };
}

export interface SqliteIdentityCacheOptions {
  /** Longest wait for another process's write lock, in ms. Default 2000. */
  busyTimeoutMs?: number;
}

/**
 * L2 in the register's SQLite file, through its own read-write connection (the register store is
 * opened read-only). WAL lets the read-only connections of other processes read while this one
 * writes; `synchronous = NORMAL` because a verdict lost in a power cut is only asked again.
 * better-sqlite3 is synchronous: one indexed read or write is a few microseconds.
 */
export class SqliteIdentityCache implements IdentityCacheStore {
  private readonly select: Database.Statement<[number, string], Row>;
  private readonly upsert: Database.Statement;

  private constructor(private readonly db: Database.Database) {
    this.select = db.prepare('SELECT run, document_serial, valid, reason, verified_at FROM identity_cache WHERE run = ? AND document_serial = ?');
    this.upsert = db.prepare(`INSERT INTO identity_cache (run, document_serial, valid, reason, verified_at)
      VALUES (@run, @serial, @valid, @reason, @verifiedAt)
      ON CONFLICT (run, document_serial) DO UPDATE SET valid = excluded.valid, reason = excluded.reason, verified_at = excluded.verified_at`);
  }

  /**
   * Opens the register database `file` (which must exist) and applies pending migrations under a
   * write lock, so subgraph processes starting together apply them once.
   */
  static open(file: string, options: SqliteIdentityCacheOptions = {}): SqliteIdentityCache {
    const resolved = path.resolve(file);
    if (!fs.existsSync(resolved)) {
      throw new Error(`expected the register database holding the identity cache at ${resolved}, got no file`);
    }
    const db = openMigratedWriter(resolved, { busyTimeoutMs: options.busyTimeoutMs ?? 2000, synchronous: 'NORMAL' });
    return new SqliteIdentityCache(db);
  }

  async get(run: string, documentSerial: string): Promise<Verdict | null> {
    const row = this.select.get(runBody(run), documentSerial);
    return row ? verdictOf(row) : null;
  }

  async put(verdict: Verdict): Promise<void> {
    this.upsert.run({
      run: runBody(verdict.run),
      serial: verdict.documentSerial,
      valid: verdict.valid ? 1 : 0,
      reason: verdict.reason,
      verifiedAt: verdict.verifiedAt,
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
