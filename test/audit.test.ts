import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GENESIS_HASH, hashRecord, type AuditRow } from '../audit/chain';
import { auditCommands, type CliIO } from '../audit/cli';
import { auditRecordsOfRequest, readAuditRecords, whoConsulted } from '../audit/query';
import { FailingAuditLog, SqliteAuditLog } from '../audit/sqlite';
import { AuditUnavailableError, type AccessRecord, type AuditEntry, type OperationRecord } from '../audit/types';
import { verifyAudit } from '../audit/verify';
import { projectRoot } from '../lib/paths';

const SUBJECT = {
  agreementId: 'muni-13101',
  agreementVersion: 3,
  institution: '69070100',
  endUser: '11111111-1',
  purpose: 'FICHA-SOCIAL',
  caseRef: 'EXP-2026-17',
};

function access(requestId: string, runs: string[], process = 'persons', at?: Partial<AccessRecord>): AccessRecord {
  return {
    kind: 'access', requestId, ...SUBJECT, process, runs, householdIds: ['42'],
    coordinates: ['Person.givenNames', 'Person.run'], outcome: 'ok', ...at,
  };
}

function operation(requestId: string, extra: Partial<OperationRecord> = {}): OperationRecord {
  return {
    kind: 'operation', requestId, ...SUBJECT, process: 'router', operationName: 'Ficha',
    operationHash: 'a'.repeat(64), outcome: 'ok', durationMs: 12.5, ...extra,
  };
}

/** Five records: one request seen by two subgraphs and the router, then an unauthenticated one. */
const FIVE: AuditEntry[] = [
  access('req-1', ['12345678-5']),
  access('req-1', ['12345678-5', '10000013-K'], 'households'),
  operation('req-1'),
  access('req-2', ['10000013-K'], 'benefits', { coordinates: ['Person.payments'] }),
  {
    kind: 'operation', requestId: 'req-3', agreementId: null, agreementVersion: null, institution: null, endUser: null,
    purpose: null, caseRef: null, process: 'router', operationName: null, operationHash: null, outcome: 'UNAUTHENTICATED', durationMs: 0,
  },
];

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-audit-'));
  file = path.join(dir, 'register.db');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A clock giving each call the next second of 2026-03-05, 14:00:00 UTC onwards. */
function clock(start = Date.UTC(2026, 2, 5, 14, 0, 0)): () => Date {
  let calls = 0;
  return () => new Date(start + 1000 * calls++);
}

async function writeTrail(entries: AuditEntry[], now = clock()): Promise<void> {
  const log = SqliteAuditLog.open(file, { create: true, now });
  try {
    for (const entry of entries) await log.append(entry);
  } finally {
    await log.close();
  }
}

function withDb<T>(use: (db: Database.Database) => T, readonly = true): T {
  const db = new Database(file, { readonly });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

function tamper(sql: string, ...params: unknown[]): void {
  withDb((db) => db.prepare(sql).run(...params), false);
}

function rowOf(db: Database.Database, seq: number): AuditRow {
  return db.prepare('SELECT * FROM audit_record WHERE seq = ?').get(seq) as AuditRow;
}

describe('appending and reading back', () => {
  test('records appended one after another verify as intact and read back exactly as appended', async () => {
    await writeTrail(FIVE);
    const records = withDb((db) => readAuditRecords(db));
    const at = (i: number) => new Date(Date.UTC(2026, 2, 5, 14, 0, i)).toISOString();
    expect(records).toEqual(
      FIVE.map((entry, i) => ({
        ...entry,
        seq: i + 1,
        at: at(i),
        prevHash: i === 0 ? GENESIS_HASH : records[i - 1].hash,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      })),
    );
    expect(withDb((db) => verifyAudit(db))).toEqual({
      ok: true, records: 5, problems: [], head: { seq: 5, hash: records[4].hash },
    });
  });

  test('a record hash is SHA-256 over the documented positional serialisation, nulls explicit', async () => {
    await writeTrail([FIVE[4]]);
    const stored = withDb((db) => rowOf(db, 1));
    const serialisation = JSON.stringify([
      'ris-audit/1', 1, '2026-03-05T14:00:00.000Z', 'operation', 'router', 'req-3', null, null, null, null, null, null,
      null, null, 'UNAUTHENTICATED', 0, null, null, null, GENESIS_HASH,
    ]);
    expect(stored.hash).toBe(createHash('sha256').update(serialisation, 'utf8').digest('hex'));
  });

  test('appends made in the same tick commit together, in call order, with consecutive seqs', async () => {
    const log = SqliteAuditLog.open(file, { create: true, now: clock() });
    await Promise.all(FIVE.map((entry) => log.append(entry)));
    await log.close();
    const records = withDb((db) => readAuditRecords(db));
    expect(records.map((r) => [r.seq, r.requestId, r.process, r.at])).toEqual([
      [1, 'req-1', 'persons', '2026-03-05T14:00:00.000Z'],
      [2, 'req-1', 'households', '2026-03-05T14:00:00.000Z'],
      [3, 'req-1', 'router', '2026-03-05T14:00:00.000Z'],
      [4, 'req-2', 'benefits', '2026-03-05T14:00:00.000Z'],
      [5, 'req-3', 'router', '2026-03-05T14:00:00.000Z'],
    ]);
  });

  test('the records of one request come back together by request id', async () => {
    await writeTrail(FIVE);
    expect(withDb((db) => auditRecordsOfRequest(db, 'req-1')).map((r) => [r.seq, r.kind, r.process])).toEqual([
      [1, 'access', 'persons'],
      [2, 'access', 'households'],
      [3, 'operation', 'router'],
    ]);
  });
});

describe('tampering is detected by verify', () => {
  test('editing a field of a middle record names that record as edited', async () => {
    await writeTrail(FIVE);
    tamper("UPDATE audit_record SET end_user = '22222222-2' WHERE seq = 3");
    expect(withDb((db) => verifyAudit(db))).toEqual({
      ok: false,
      records: 5,
      problems: [{ seq: 3, problem: expect.stringMatching(/^edited: stored hash \w+… differs from the hash of its content \w+…$/) }],
      head: expect.objectContaining({ seq: 5 }),
    });
  });

  test('rewriting a record together with its hash is detected at its successor', async () => {
    await writeTrail(FIVE);
    withDb((db) => {
      const row = { ...rowOf(db, 2), outcome: 'FORBIDDEN' };
      db.prepare('UPDATE audit_record SET outcome = ?, hash = ? WHERE seq = 2').run(row.outcome, hashRecord(row));
    }, false);
    expect(withDb((db) => verifyAudit(db)).problems).toEqual([
      { seq: 3, problem: expect.stringMatching(/^chain broken: expected prev_hash the hash of record 2 /) },
    ]);
  });

  test('deleting a middle record is detected as a seq gap at the next record', async () => {
    await writeTrail(FIVE);
    tamper('DELETE FROM audit_run WHERE seq = 2');
    tamper('DELETE FROM audit_record WHERE seq = 2');
    expect(withDb((db) => verifyAudit(db))).toEqual({
      ok: false,
      records: 4,
      problems: [{ seq: 3, problem: 'deleted: expected record 2 next, found 3 (record 2 is missing)' }],
      head: expect.objectContaining({ seq: 5 }),
    });
  });

  test('inserting a forged record with a valid hash, renumbering the rest, is detected after it', async () => {
    await writeTrail(FIVE);
    withDb((db) => {
      db.pragma('foreign_keys = OFF');
      for (let seq = 5; seq >= 3; seq -= 1) {
        db.prepare('UPDATE audit_record SET seq = seq + 1 WHERE seq = ?').run(seq);
        db.prepare('UPDATE audit_run SET seq = seq + 1 WHERE seq = ?').run(seq);
      }
      const forged = { ...rowOf(db, 4), seq: 3, outcome: 'ok', prev_hash: rowOf(db, 2).hash };
      db.prepare(`INSERT INTO audit_record SELECT 3, at, kind, process, request_id, agreement_id, agreement_version, institution,
        end_user, purpose, case_ref, operation_name, operation_hash, outcome, duration_ms, runs, household_ids, coordinates, ?, ?
        FROM audit_record WHERE seq = 4`).run(forged.prev_hash, hashRecord(forged));
    }, false);
    const result = withDb((db) => verifyAudit(db));
    expect(result).toEqual({
      ok: false,
      records: 6,
      problems: [
        { seq: 4, problem: expect.stringMatching(/^chain broken: expected prev_hash the hash of record 3 /) },
        { seq: 4, problem: expect.stringMatching(/^edited: /) },
        { seq: 5, problem: expect.stringMatching(/^edited: /) },
        { seq: 6, problem: expect.stringMatching(/^edited: /) },
        { seq: 6, problem: 'appended outside the log: record 6 follows the head (record 5)' },
      ],
      head: expect.objectContaining({ seq: 5 }),
    });
  });

  test('truncating the last record is detected through the head', async () => {
    await writeTrail(FIVE);
    tamper('DELETE FROM audit_record WHERE seq = 5');
    expect(withDb((db) => verifyAudit(db))).toEqual({
      ok: false,
      records: 4,
      problems: [{ seq: 5, problem: expect.stringMatching(/^truncated: the head names record 5 \(\w+…\), the last record is 4 \(record 5 is missing\)$/) }],
      head: expect.objectContaining({ seq: 5 }),
    });
  });

  test('deleting every record is detected through the head', async () => {
    await writeTrail(FIVE);
    tamper('DELETE FROM audit_run');
    tamper('DELETE FROM audit_record');
    expect(withDb((db) => verifyAudit(db)).problems).toEqual([
      { seq: 5, problem: expect.stringMatching(/^truncated: .*\(records 1–5 are missing\)$/) },
    ]);
  });

  test('removing a who-consulted index row to hide a consultation is detected', async () => {
    await writeTrail(FIVE);
    tamper('DELETE FROM audit_run WHERE seq = 2 AND run = 10000013');
    expect(withDb((db) => verifyAudit(db)).problems).toEqual([
      { seq: 2, problem: 'index altered: the record lists RUN 10000013-K, audit_run has no row for it' },
    ]);
  });

  test('a database without the audit tables is reported, not taken as an empty trail', () => {
    withDb((db) => db.exec('CREATE TABLE person (run INTEGER PRIMARY KEY)'), false);
    expect(withDb((db) => verifyAudit(db))).toEqual({
      ok: false,
      records: 0,
      problems: [{ seq: 0, problem: 'expected the audit tables (migration 002_audit.sql), got none named audit_record, audit_run, audit_head' }],
      head: null,
    });
  });
});

/**
 * A child process appending through the real SqliteAuditLog: the TypeScript sources are loaded by
 * a transpile-only require hook (typescript is a dev dependency), so nothing depends on `dist/`.
 */
const CHILD = `
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
const { SqliteAuditLog } = require('./audit/sqlite.ts');
const [file, name, count] = process.argv.slice(1);
const log = SqliteAuditLog.open(file, { busyTimeoutMs: 20000 });
const entry = (i) => ({ kind: 'access', process: name, requestId: name + '-' + i, agreementId: 'mds-internal', agreementVersion: 1,
  institution: '60101000', endUser: null, purpose: 'ESTUDIO', caseRef: null, runs: ['12345678-5'], householdIds: [],
  coordinates: ['Person.run'], outcome: 'ok' });
(async () => {
  for (let i = 0; i < Number(count); i += 8) {
    await Promise.all(Array.from({ length: 8 }, (_, j) => log.append(entry(i + j))));
  }
  await log.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

function runChild(name: string, count: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', CHILD, file, name, String(count)], { cwd: projectRoot });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('several processes', () => {
  test('concurrent appends from four processes keep one unbroken chain holding every record', async () => {
    await writeTrail([]);
    const names = ['router', 'persons', 'households', 'benefits'];
    const results = await Promise.all(names.map((name) => runChild(name, 200)));
    expect(results).toEqual(names.map(() => ({ code: 0, stderr: '' })));
    const perProcess = withDb(
      (db) => db.prepare('SELECT process, count(DISTINCT request_id) AS n FROM audit_record GROUP BY process ORDER BY process').all(),
    );
    expect(perProcess).toEqual([...names].sort().map((process) => ({ process, n: 200 })));
    expect(withDb((db) => verifyAudit(db))).toEqual({ ok: true, records: 800, problems: [], head: expect.objectContaining({ seq: 800 }) });
  });
});

describe('who consulted a RUN', () => {
  test('whoConsulted lists the accesses to that RUN with the router operation record, and none for another RUN', async () => {
    await writeTrail(FIVE);
    const consultations = withDb((db) => whoConsulted(db, '12.345.678-5'));
    const common = {
      requestId: 'req-1', ...SUBJECT, outcome: 'ok', coordinates: ['Person.givenNames', 'Person.run'],
      operation: { seq: 3, name: 'Ficha', hash: 'a'.repeat(64), outcome: 'ok', durationMs: 12.5 },
    };
    expect(consultations).toEqual([
      { seq: 1, at: '2026-03-05T14:00:00.000Z', process: 'persons', ...common },
      { seq: 2, at: '2026-03-05T14:00:01.000Z', process: 'households', ...common },
    ]);
    expect(withDb((db) => whoConsulted(db, '11111111-1'))).toEqual([]);
  });

  test('whoConsulted keeps only the days from–to, both included', async () => {
    const times = [Date.UTC(2026, 2, 4, 23, 59, 59), Date.UTC(2026, 2, 5, 0, 0, 0), Date.UTC(2026, 2, 6, 23, 59, 59), Date.UTC(2026, 2, 7)];
    let i = 0;
    await writeTrail(times.map((_, n) => access(`req-${n}`, ['12345678-5'])), () => new Date(times[i++]));
    const within = withDb((db) => whoConsulted(db, '12345678-5', { from: '2026-03-05', to: '2026-03-06' }));
    expect(within.map((c) => [c.requestId, c.at])).toEqual([
      ['req-1', '2026-03-05T00:00:00.000Z'],
      ['req-2', '2026-03-06T23:59:59.000Z'],
    ]);
  });
});

describe('failures', () => {
  test('append on a closed log rejects with AuditUnavailableError', async () => {
    const log = SqliteAuditLog.open(file, { create: true });
    await log.close();
    await expect(log.append(FIVE[0])).rejects.toEqual(new AuditUnavailableError('audit record not written: the audit log is closed'));
  });

  test('append rejects with AuditUnavailableError when another writer holds the lock past the busy timeout, and writes nothing', async () => {
    const log = SqliteAuditLog.open(file, { create: true, busyTimeoutMs: 50 });
    const blocker = new Database(file);
    blocker.exec('BEGIN IMMEDIATE');
    const failure = await log.append(FIVE[0]).catch((error: unknown) => error);
    blocker.exec('ROLLBACK');
    blocker.close();
    await log.close();
    expect(failure).toBeInstanceOf(AuditUnavailableError);
    expect((failure as Error).message).toBe(
      '1 audit record not written: the audit database stayed locked by another writer for more than 50 ms (SQLITE_BUSY)',
    );
    expect(withDb((db) => verifyAudit(db))).toEqual({ ok: true, records: 0, problems: [], head: { seq: 0, hash: GENESIS_HASH } });
  });

  test('opening the log on a missing database file fails with AuditUnavailableError', () => {
    expect(() => SqliteAuditLog.open(file)).toThrow(
      new AuditUnavailableError(`expected the register database holding the audit trail at ${file}, got no file`),
    );
  });

  test('an access record whose RUN is not in normal form is refused without quoting it', async () => {
    const log = SqliteAuditLog.open(file, { create: true });
    await expect(log.append(access('req-9', ['12.345.678-5']))).rejects.toEqual(
      new AuditUnavailableError('audit entry refused: expected runs[0] to be a RUN in normal form like 12345678-5, got another value'),
    );
    await log.close();
  });

  test('FailingAuditLog rejects every append with AuditUnavailableError and keeps the attempted entries', async () => {
    const log = new FailingAuditLog();
    await expect(log.append(FIVE[0])).rejects.toBeInstanceOf(AuditUnavailableError);
    expect(log.attempted).toEqual([FIVE[0]]);
  });
});

/** Runs one audit command with captured output. */
async function cli(command: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } };
  const code = await auditCommands[command](args, io);
  return { code, out, err };
}

describe('CLI', () => {
  test('verify prints the record count and head of an intact trail and exits 0', async () => {
    await writeTrail(FIVE);
    const head = withDb((db) => rowOf(db, 5).hash);
    expect(await cli('verify', ['--db', file])).toEqual({
      code: 0, out: `audit trail intact: 5 records\nhead: record 5, hash ${head}\n`, err: '',
    });
  });

  test('verify prints each problem of a broken trail and exits 1', async () => {
    await writeTrail(FIVE);
    tamper('DELETE FROM audit_record WHERE seq = 5');
    const result = await cli('verify', ['--db', file]);
    expect(result).toEqual({
      code: 1,
      out: expect.stringMatching(
        /^audit trail BROKEN: 1 problem in 4 records \(the first is the first broken record\)\n {2}record 5: truncated: .*\nhead: record 5, hash \w{64}\n$/,
      ),
      err: '',
    });
  });

  test('who-consulted prints a table of the accesses to the RUN', async () => {
    await writeTrail(FIVE);
    const result = await cli('who-consulted', ['10.000.013-k', '--db', file]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out.split('\n').map((line) => line.trimEnd())).toEqual([
      '2 consultations of 10000013-K:',
      'AT (UTC)              REQUEST  AGREEMENT      INSTITUTION  END USER    PURPOSE       CASE         SUBGRAPH    OPERATION              COORDINATES',
      '2026-03-05 14:00:01Z  req-1    muni-13101 v3  69070100     11111111-1  FICHA-SOCIAL  EXP-2026-17  households  Ficha → ok             Person.givenNames, Person.run',
      '2026-03-05 14:00:03Z  req-2    muni-13101 v3  69070100     11111111-1  FICHA-SOCIAL  EXP-2026-17  benefits    (no operation record)  Person.payments',
      '',
    ]);
  });

  test('who-consulted says so when nobody consulted the RUN in the period', async () => {
    await writeTrail(FIVE);
    expect(await cli('who-consulted', ['12345678-5', '--db', file, '--from', '2026-03-06'])).toEqual({
      code: 0, out: 'no recorded consultations of 12345678-5 from 2026-03-06\n', err: '',
    });
  });

  test('who-consulted refuses a RUN with a wrong check digit and exits 2', async () => {
    await writeTrail(FIVE);
    expect(await cli('who-consulted', ['12.345.678-9', '--db', file])).toEqual({
      code: 2,
      out: '',
      err: 'expected a RUN like 12.345.678-5 with a valid check digit, got "12.345.678-9" (the check digit of 12345678 is 5)\n',
    });
  });

  test('who-consulted refuses a date not written YYYY-MM-DD and exits 2', async () => {
    await writeTrail(FIVE);
    expect(await cli('who-consulted', ['12345678-5', '--db', file, '--to', '05/03/2026'])).toEqual({
      code: 2, out: '', err: 'expected --to as a date YYYY-MM-DD, got "05/03/2026"\n',
    });
  });
});
