import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readAuditRecords } from '../audit/query';
import { ThreadedAuditLog } from '../audit/threaded';
import { AuditUnavailableError, type AccessRecord } from '../audit/types';
import { verifyAudit } from '../audit/verify';

/** The audit trail written from a worker thread keeps the SqliteAuditLog contract. */

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-audit-thread-'));
  file = path.join(dir, 'register.db');
  new Database(file).close();
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const entry = (i: number): AccessRecord => ({
  kind: 'access',
  process: 'persons',
  requestId: `request-${i}`,
  agreementId: 'mds-internal',
  agreementVersion: 1,
  institution: '60105000',
  endUser: '11111111-1',
  purpose: 'GESTION-BENEFICIOS',
  caseRef: null,
  runs: ['12345678-5'],
  householdIds: ['42'],
  coordinates: ['Person.run', 'Query.person'],
  outcome: 'ok',
});

test('records appended concurrently from the writer thread are all durable, in one intact chain, when append resolves', async () => {
  const log = await ThreadedAuditLog.open(file);
  await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(entry(i))));
  const db = new Database(file, { readonly: true });
  try {
    const stored = readAuditRecords(db, { limit: 1000 }).map((record) => (record as { requestId: string }).requestId).sort();
    expect({ verify: verifyAudit(db).ok, count: stored.length, ids: new Set(stored).size }).toEqual({ verify: true, count: 300, ids: 300 });
  } finally {
    db.close();
    await log.close();
  }
});

test('opening on a file that does not exist fails with AuditUnavailableError', async () => {
  await expect(ThreadedAuditLog.open(path.join(dir, 'missing.db'))).rejects.toBeInstanceOf(AuditUnavailableError);
});

test('an append after close is refused with AuditUnavailableError', async () => {
  const log = await ThreadedAuditLog.open(file);
  await log.close();
  await expect(log.append(entry(1))).rejects.toBeInstanceOf(AuditUnavailableError);
});
