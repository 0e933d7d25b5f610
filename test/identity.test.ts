import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GraphQLError } from 'graphql';
import { generateRegister } from '../data/generate';
import { SqliteIdentityCache } from '../identity/cache-store';
import { systemClock, type Clock } from '../identity/clock';
import { PACING_MARGIN } from '../identity/pacer';
import { IdentityService, type IdentityServiceConfig } from '../identity/service';
import type { IdentityVerification } from '../identity/types';
import { CivilRegistryClient } from '../identity/upstream';
import { formatRun } from '../lib/run';
import { migrate } from '../store/sqlite/migrate';
import { startSimulator, type RunningSimulator } from '../simulator/civil-registry';

/**
 * The identity check: L1 (lru-cache) → L2 (identity_cache table) → the Civil Registry, here the
 * simulator on a free port. Upstream traffic is counted where it lands (the simulator's arrivals)
 * and, while the simulator is down, as the client's network attempts.
 */

let dir: string;
let file: string;
/** Read-write handle: picks test subjects, clears the cache table between tests. */
let db: Database.Database;
/** A fast simulator for the functional tests (its rate never limits them). */
let fast: RunningSimulator;
const services: IdentityService[] = [];
const extraSimulators: RunningSimulator[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-identity-'));
  file = path.join(dir, 'register.db');
  db = new Database(file);
  migrate(db);
  generateRegister(db, { households: 300, seed: 5 });
  fast = await startSimulator({ dbPath: file, port: 0, ratePerSecond: 1000, latencyMs: 20 });
});

beforeEach(() => {
  db.exec('DELETE FROM identity_cache');
});

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  for (const simulator of extraSimulators.splice(0)) await simulator.close();
});

afterAll(async () => {
  await fast.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Virtual time: moves only when told to, or when a sleeper asks to wake later than now. */
interface ManualClock extends Clock {
  advance(ms: number): void;
}

const START = Date.parse('2025-06-30T12:00:00.000Z');

function manualClock(): ManualClock {
  // lru-cache treats a start time of 0 as "no time to live", so virtual time starts well above it.
  let now = 1_000_000;
  return {
    now: () => now,
    date: () => new Date(START + now - 1_000_000),
    sleep: async (ms) => {
      now = Math.max(now, now + ms);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

const CONFIG: IdentityServiceConfig = { maxWaitMs: 5_000, cacheEntries: 1_000, cacheTtlSeconds: 3_600, l2FreshSeconds: 86_400 };

interface ServiceOptions {
  simulator?: RunningSimulator;
  url?: string;
  clock?: Clock;
  ratePerSecond?: number;
  config?: Partial<IdentityServiceConfig>;
  breaker?: { failureThreshold: number; coolDownMs: number };
  timeoutMs?: number;
  log?: string[];
}

/** A new service: its own L1 and client, L2 on the shared register file. */
function service(options: ServiceOptions = {}): { identity: IdentityService; client: CivilRegistryClient } {
  const clock = options.clock ?? manualClock();
  const log = options.log ?? [];
  const client = new CivilRegistryClient({
    config: { url: options.url ?? (options.simulator ?? fast).url, ratePerSecond: options.ratePerSecond ?? 100, timeoutMs: options.timeoutMs ?? 2_000 },
    breaker: options.breaker,
    clock,
    log: (message) => log.push(message),
  });
  const identity = new IdentityService({
    config: { ...CONFIG, ...options.config },
    upstream: client,
    cache: SqliteIdentityCache.open(file),
    clock,
    log: (message) => log.push(message),
  });
  services.push(identity);
  return { identity, client };
}

interface Subject { run: string; serial: string }

/** Persons whose current document has the given status, `count` of them from `offset`. */
function subjects(status: 'VALID' | 'EXPIRED' | 'BLOCKED', count: number, offset = 0): Subject[] {
  return (db.prepare('SELECT run, document_serial AS serial FROM civil_identity WHERE document_status = ? ORDER BY run LIMIT ? OFFSET ?')
    .all(status, count, offset) as { run: number; serial: string }[]).map((row) => ({ run: formatRun(row.run), serial: row.serial }));
}

const arrivals = (simulator: RunningSimulator = fast) => simulator.stats.arrivals.length;

/** The outcome of a lookup as one value: the verification, or the error's code and message. */
async function outcome(promise: Promise<IdentityVerification>): Promise<IdentityVerification | { code: unknown; message: string }> {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { code: error.extensions.code, message: error.message };
  }
}

const verify = (identity: IdentityService, { run, serial }: Subject) => identity.verify(run, serial, identity.deadline());

test('a cold lookup asks the Civil Registry once and answers with source REGISTRY', async () => {
  const [subject] = subjects('VALID', 1);
  const { identity } = service();
  const before = arrivals();
  const result = await verify(identity, subject);
  expect({ result, upstreamCalls: arrivals() - before }).toEqual({
    result: { run: subject.run, documentSerial: subject.serial, valid: true, reason: null, source: 'REGISTRY', verifiedAt: '2025-06-30T12:00:00.000Z' },
    upstreamCalls: 1,
  });
});

test('a warm lookup in the same process answers from L1 with source CACHE, without the Civil Registry', async () => {
  const [subject] = subjects('VALID', 1, 1);
  const { identity } = service();
  const cold = await verify(identity, subject);
  const before = arrivals();
  const warm = await verify(identity, subject);
  expect({ warm, upstreamCalls: arrivals() - before, stats: identity.stats }).toEqual({
    warm: { ...cold, source: 'CACHE' },
    upstreamCalls: 0,
    stats: { l1Hits: 1, l2Hits: 0, registryAnswers: 1, staleAnswers: 0 },
  });
});

test('the cache table (L2) answers a new service instance with source CACHE and the original verifiedAt, without the Civil Registry', async () => {
  const [subject] = subjects('VALID', 1, 2);
  const clock = manualClock();
  const first = await verify(service({ clock }).identity, subject);
  clock.advance(60_000);
  const { identity: restarted } = service({ clock });
  const before = arrivals();
  const result = await verify(restarted, subject);
  expect({ result, upstreamCalls: arrivals() - before, stats: restarted.stats }).toEqual({
    result: { ...first, source: 'CACHE' },
    upstreamCalls: 0,
    stats: { l1Hits: 0, l2Hits: 1, registryAnswers: 0, staleAnswers: 0 },
  });
});

test('an L2 verdict older than l2FreshSeconds is asked again and replaced', async () => {
  const [subject] = subjects('VALID', 1, 3);
  const clock = manualClock();
  await verify(service({ clock, config: { l2FreshSeconds: 60 } }).identity, subject);
  clock.advance(61_000);
  const { identity } = service({ clock, config: { l2FreshSeconds: 60 } });
  const before = arrivals();
  const result = await verify(identity, subject);
  const row = db.prepare('SELECT verified_at FROM identity_cache').all();
  expect({ result, upstreamCalls: arrivals() - before, row }).toEqual({
    result: { run: subject.run, documentSerial: subject.serial, valid: true, reason: null, source: 'REGISTRY', verifiedAt: '2025-06-30T12:01:01.000Z' },
    upstreamCalls: 1,
    row: [{ verified_at: '2025-06-30T12:01:01.000Z' }],
  });
});

test('50 concurrent lookups of different RUNs never exceed a 2/s Civil Registry: the first ones run paced, the rest fail fast', async () => {
  const RATE = 2;
  const MAX_WAIT_MS = 1_600;
  const slow = await startSimulator({ dbPath: file, port: 0, ratePerSecond: RATE, latencyMs: 50 });
  extraSimulators.push(slow);
  const { identity } = service({ simulator: slow, clock: systemClock, ratePerSecond: RATE, config: { maxWaitMs: MAX_WAIT_MS } });
  const people = subjects('VALID', 50, 10);
  const settled = await Promise.all(
    people.map(async (subject) => {
      const started = performance.now();
      const result = await outcome(verify(identity, subject));
      return { result, ms: performance.now() - started };
    }),
  );
  const ran = settled.filter(({ result }) => 'source' in result);
  const failed = settled.filter(({ result }) => !('source' in result));
  const times = slow.stats.arrivals;
  const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
  const turns = Math.floor(MAX_WAIT_MS / ((1000 / RATE) * (1 + PACING_MARGIN))) + 1;
  expect({
    busiestSecond,
    rejectedByRegistry: slow.stats.rejected,
    ran: ran.length,
    ranAnswered: ran.every(({ result }) => 'source' in result && result.source === 'REGISTRY' && result.valid),
    ranWithinDeadlinePlusCall: ran.every(({ ms }) => ms <= MAX_WAIT_MS + 50 + 250),
    failed: failed.length,
    failedFast: failed.every(({ ms }) => ms < 100),
    failures: [...new Set(failed.map(({ result }) => ('code' in result ? result.code : null)))],
    upstreamCalls: times.length,
  }).toEqual({
    busiestSecond: RATE,
    rejectedByRegistry: 0,
    ran: turns,
    ranAnswered: true,
    ranWithinDeadlinePlusCall: true,
    failed: 50 - turns,
    failedFast: true,
    failures: ['UPSTREAM_UNAVAILABLE'],
    upstreamCalls: turns,
  });
});

test('concurrent lookups of the same RUN and serial (in any written form) share one upstream call', async () => {
  const [subject] = subjects('VALID', 1, 4);
  const { identity } = service();
  const dotted = `${subject.serial.slice(0, 3)}.${subject.serial.slice(3, 6)}.${subject.serial.slice(6)}`;
  const before = arrivals();
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => identity.verify(subject.run, i % 2 ? dotted : subject.serial, identity.deadline())),
  );
  const expected = { run: subject.run, documentSerial: subject.serial, valid: true, reason: null, source: 'REGISTRY', verifiedAt: '2025-06-30T12:00:00.000Z' };
  expect({ results, upstreamCalls: arrivals() - before }).toEqual({ results: Array(10).fill(expected), upstreamCalls: 1 });
});

test('the breaker opens when the Civil Registry is down: cold lookups then fail fast without a network attempt, a cached RUN still answers from the cache', async () => {
  const own = await startSimulator({ dbPath: file, port: 0, ratePerSecond: 1000, latencyMs: 5 });
  const log: string[] = [];
  const { identity, client } = service({ simulator: own, breaker: { failureThreshold: 3, coolDownMs: 30_000 }, log });
  const [cached, ...cold] = subjects('VALID', 9, 100);
  const warm = await verify(identity, cached);
  await own.close();
  const failures = [];
  for (const subject of cold.slice(0, 3)) failures.push(await outcome(verify(identity, subject)));
  const attemptsWhenOpened = client.attempts;
  const started = performance.now();
  const refused = [];
  for (const subject of cold.slice(3)) refused.push(await outcome(verify(identity, subject)));
  const refusedMs = performance.now() - started;
  const fromCache = await verify(identity, cached);
  const notAnswering = { code: 'UPSTREAM_UNAVAILABLE', message: 'the Civil Registry is not answering now; retry later' };
  expect({
    failures,
    attemptsWhenOpened,
    breaker: client.breakerState,
    refused: refused.map((r) => ('code' in r ? r.code : r)),
    refusedMessages: refused.every((r) => 'message' in r && /^the Civil Registry is not answering \(3 calls in a row failed; the next attempt is in \d+ ms\); retry later$/.test(r.message)),
    attemptsAfter: client.attempts,
    refusedFast: refusedMs < 100,
    fromCache,
    logged: log.filter((line) => line.includes('ECONNREFUSED')).length,
  }).toEqual({
    failures: [notAnswering, notAnswering, notAnswering],
    attemptsWhenOpened: 4,
    breaker: 'open',
    refused: Array(5).fill('UPSTREAM_UNAVAILABLE'),
    refusedMessages: true,
    attemptsAfter: 4,
    refusedFast: true,
    fromCache: { ...warm, source: 'CACHE' },
    logged: 3,
  });
});

test('an L2 verdict past its freshness is served, with its original verifiedAt, while the Civil Registry is down', async () => {
  const own = await startSimulator({ dbPath: file, port: 0, ratePerSecond: 1000, latencyMs: 5 });
  const [subject] = subjects('VALID', 1, 5);
  const clock = manualClock();
  const config = { l2FreshSeconds: 60 };
  const first = await verify(service({ simulator: own, clock, config }).identity, subject);
  await own.close();
  clock.advance(3_600_000);
  const { identity } = service({ simulator: own, clock, config });
  const result = await verify(identity, subject);
  expect({ result, stats: identity.stats }).toEqual({
    result: { ...first, source: 'CACHE' },
    stats: { l1Hits: 0, l2Hits: 0, registryAnswers: 0, staleAnswers: 1 },
  });
});

test('the breaker half-opens after its cool-down, lets one probe through, and closes when the Civil Registry answers again', async () => {
  const own = await startSimulator({ dbPath: file, port: 0, ratePerSecond: 1000, latencyMs: 20 });
  const clock = manualClock();
  const { identity, client } = service({ simulator: own, clock, breaker: { failureThreshold: 1, coolDownMs: 30_000 } });
  const [down, early, probe, second, after] = subjects('VALID', 5, 200);
  await own.close();
  const whileDown = await outcome(verify(identity, down));
  const back = await startSimulator({ dbPath: file, port: own.port, ratePerSecond: 1000, latencyMs: 20 });
  extraSimulators.push(back);
  clock.advance(29_000);
  const beforeCoolDown = await outcome(verify(identity, early));
  clock.advance(1_000);
  const stateAtCoolDown = client.breakerState;
  const [probed, besideProbe] = await Promise.all([outcome(verify(identity, probe)), outcome(verify(identity, second))]);
  const recovered = await outcome(verify(identity, after));
  expect({
    whileDown: 'code' in whileDown && whileDown.code,
    beforeCoolDown: 'code' in beforeCoolDown && beforeCoolDown.code,
    stateAtCoolDown,
    probed: 'source' in probed && probed.source,
    besideProbe,
    recovered: 'source' in recovered && recovered.source,
    state: client.breakerState,
    attempts: client.attempts,
    arrivals: back.stats.arrivals.length,
  }).toEqual({
    whileDown: 'UPSTREAM_UNAVAILABLE',
    beforeCoolDown: 'UPSTREAM_UNAVAILABLE',
    stateAtCoolDown: 'half-open',
    probed: 'REGISTRY',
    besideProbe: {
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the Civil Registry is not answering (a probe call is checking whether it answers again); retry later',
    },
    recovered: 'REGISTRY',
    state: 'closed',
    attempts: 3,
    arrivals: 2,
  });
});

test('a call the Civil Registry does not answer within timeoutMs fails with UPSTREAM_UNAVAILABLE and counts towards opening the breaker', async () => {
  const slow = await startSimulator({ dbPath: file, port: 0, ratePerSecond: 1000, latencyMs: 400 });
  extraSimulators.push(slow);
  const log: string[] = [];
  const { identity, client } = service({ simulator: slow, timeoutMs: 100, breaker: { failureThreshold: 1, coolDownMs: 30_000 }, log });
  const [subject] = subjects('VALID', 1, 40);
  const started = performance.now();
  const result = await outcome(verify(identity, subject));
  const ms = performance.now() - started;
  expect({ result, withinTimeout: ms < 300, breaker: client.breakerState, logged: log }).toEqual({
    result: { code: 'UPSTREAM_UNAVAILABLE', message: 'the Civil Registry is not answering within 100 ms; retry later' },
    withinTimeout: true,
    breaker: 'open',
    logged: ['civil-registry: call failed: no answer within 100 ms (breaker open)'],
  });
});

test('a 429 from the Civil Registry fails that lookup with UPSTREAM_UNAVAILABLE and leaves the breaker closed', async () => {
  const strict = await startSimulator({ dbPath: file, port: 0, ratePerSecond: 1, latencyMs: 0 });
  extraSimulators.push(strict);
  const { identity, client } = service({ simulator: strict, ratePerSecond: 100, breaker: { failureThreshold: 1, coolDownMs: 30_000 } });
  const [first, second] = subjects('VALID', 2, 50);
  const results = [await outcome(verify(identity, first)), await outcome(verify(identity, second))];
  expect({ sources: results.map((r) => ('source' in r ? r.source : r)), breaker: client.breakerState, rejected: strict.stats.rejected }).toEqual({
    sources: ['REGISTRY', { code: 'UPSTREAM_UNAVAILABLE', message: 'the Civil Registry is not answering now: it is over its rate; retry later' }],
    breaker: 'closed',
    rejected: 1,
  });
});

describe('the verdict and its reason', () => {
  const unknownRun = () => {
    const { body } = db.prepare('SELECT max(run) + 1 AS body FROM civil_identity').get() as { body: number };
    return { run: formatRun(body), serial: '123456789' };
  };
  const otherSerial = (subject: Subject) => ({ ...subject, serial: subject.serial === '999999999' ? '999999998' : '999999999' });
  const cases: [string, () => Subject, boolean, string | null][] = [
    ['a valid document and its serial: valid, no reason', () => subjects('VALID', 1, 20)[0], true, null],
    ['a serial that is not the current document: SERIAL_MISMATCH', () => otherSerial(subjects('VALID', 1, 21)[0]), false, 'SERIAL_MISMATCH'],
    ['an expired document: DOCUMENT_EXPIRED', () => subjects('EXPIRED', 1)[0], false, 'DOCUMENT_EXPIRED'],
    ['a blocked document: DOCUMENT_BLOCKED', () => subjects('BLOCKED', 1)[0], false, 'DOCUMENT_BLOCKED'],
    ['a RUN the Civil Registry does not hold: RUN_NOT_FOUND', unknownRun, false, 'RUN_NOT_FOUND'],
  ];
  test.each(cases)('%s', async (_name, subjectOf, valid, reason) => {
    const subject = subjectOf();
    const { identity } = service();
    expect(await verify(identity, subject)).toEqual({
      run: subject.run, documentSerial: subject.serial, valid, reason, source: 'REGISTRY', verifiedAt: '2025-06-30T12:00:00.000Z',
    });
  });
});

test('a malformed serial is BAD_USER_INPUT saying what was expected, without asking the Civil Registry', async () => {
  const [subject] = subjects('VALID', 1, 30);
  const { identity } = service();
  const before = arrivals();
  const result = await outcome(identity.verify(subject.run, '12-34', identity.deadline()));
  expect({ result, upstreamCalls: arrivals() - before }).toEqual({
    result: { code: 'BAD_USER_INPUT', message: 'expected a document serial of nine digits like "123.456.789" or "123456789", got "12-34"' },
    upstreamCalls: 0,
  });
});
