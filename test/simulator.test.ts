import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateRegister } from '../data/generate';
import { formatRun } from '../lib/run';
import { migrate } from '../store/sqlite/migrate';
import { startSimulator, type RunningSimulator } from '../simulator/civil-registry';

/** The civil-registry simulator: the stand-in for the external Civil Registry the identity client is tested against. */

let dir: string;
let file: string;
let db: Database.Database;
const running: RunningSimulator[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-simulator-'));
  file = path.join(dir, 'register.db');
  db = new Database(file);
  migrate(db);
  generateRegister(db, { households: 200, seed: 3 });
});

afterEach(async () => {
  for (const simulator of running.splice(0)) await simulator.close();
});

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function simulator(ratePerSecond = 100, latencyMs = 0): Promise<RunningSimulator> {
  const started = await startSimulator({ dbPath: file, port: 0, ratePerSecond, latencyMs });
  running.push(started);
  return started;
}

async function get(url: string): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get('retry-after') };
}

interface IdentityRow { run: number; document_serial: string; document_status: string; expires_on: number }

const identityRow = (status: string) =>
  db.prepare('SELECT * FROM civil_identity WHERE document_status = ? ORDER BY run LIMIT 1').get(status) as IdentityRow;

const iso = (value: number) => `${String(value).slice(0, 4)}-${String(value).slice(4, 6)}-${String(value).slice(6, 8)}`;

test('it answers a RUN and serial with the document facts of civil_identity', async () => {
  const sim = await simulator();
  const row = identityRow('BLOCKED');
  const run = formatRun(row.run);
  expect(await get(`${sim.url}/identity/${run}?serial=${row.document_serial}`)).toEqual({
    status: 200,
    retryAfter: null,
    body: { run, documentSerial: row.document_serial, found: true, documentStatus: 'BLOCKED', serialMatches: true, expiresOn: iso(row.expires_on) },
  });
});

test('it says serialMatches false for a serial that is not the current document', async () => {
  const sim = await simulator();
  const row = identityRow('VALID');
  const run = formatRun(row.run);
  const other = row.document_serial === '100000000' ? '100000001' : '100000000';
  expect(await get(`${sim.url}/identity/${run}?serial=${other}`)).toMatchObject({ status: 200, body: { found: true, serialMatches: false, documentStatus: 'VALID' } });
});

test('it answers found false for a RUN the Civil Registry does not hold', async () => {
  const sim = await simulator();
  const { body } = db.prepare('SELECT max(run) + 1 AS body FROM civil_identity').get() as { body: number };
  const run = formatRun(body);
  expect(await get(`${sim.url}/identity/${run}?serial=123456789`)).toEqual({
    status: 200,
    retryAfter: null,
    body: { run, documentSerial: '123456789', found: false, documentStatus: null, serialMatches: false, expiresOn: null },
  });
});

test('it refuses requests above its rate with 429 and Retry-After, and counts every arrival', async () => {
  const sim = await simulator(2);
  const row = identityRow('VALID');
  const url = `${sim.url}/identity/${formatRun(row.run)}?serial=${row.document_serial}`;
  const statuses = [];
  for (let i = 0; i < 3; i += 1) statuses.push((await get(url)).status);
  const refused = await get(url);
  expect({ statuses, refused: { status: refused.status, retryAfter: refused.retryAfter }, stats: { arrivals: sim.stats.arrivals.length, answered: sim.stats.answered, rejected: sim.stats.rejected } }).toEqual({
    statuses: [200, 200, 429],
    refused: { status: 429, retryAfter: '1' },
    stats: { arrivals: 4, answered: 2, rejected: 2 },
  });
});

test('it takes latencyMs to answer', async () => {
  const sim = await simulator(100, 120);
  const row = identityRow('VALID');
  const started = performance.now();
  const { status } = await get(`${sim.url}/identity/${formatRun(row.run)}?serial=${row.document_serial}`);
  expect({ status, atLeastLatency: performance.now() - started >= 115 }).toEqual({ status: 200, atLeastLatency: true });
});

test('it refuses a malformed RUN or serial with 400 saying what it expected', async () => {
  const sim = await simulator();
  const badRun = await get(`${sim.url}/identity/12345678-9?serial=123456789`);
  const badSerial = await get(`${sim.url}/identity/12345678-5?serial=12`);
  expect([badRun, badSerial]).toEqual([
    { status: 400, retryAfter: null, body: { error: expect.stringContaining('expected a RUN like 12.345.678-5 with a valid check digit') } },
    { status: 400, retryAfter: null, body: { error: 'expected ?serial= with nine digits, got "12"' } },
  ]);
});

test('it answers /healthz without spending its rate', async () => {
  const sim = await simulator(1);
  const answers = [await get(`${sim.url}/healthz`), await get(`${sim.url}/healthz`)];
  expect({ answers, arrivals: sim.stats.arrivals.length }).toEqual({
    answers: [0, 1].map(() => ({ status: 200, retryAfter: null, body: { status: 'ok', service: 'civil-registry simulator' } })),
    arrivals: 0,
  });
});
