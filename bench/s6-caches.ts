import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { SqliteIdentityCache } from '../identity/cache-store';
import { systemClock } from '../identity/clock';
import { IdentityService } from '../identity/service';
import type { Verdict } from '../identity/types';
import { CivilRegistryClient } from '../identity/upstream';
import { loadConfig } from '../lib/config';
import { formatRun } from '../lib/run';
import { startSimulator } from '../simulator/civil-registry';
import { copyForRun } from './support/register';
import type { BenchContext, ScenarioResult } from './support/types';

/**
 * S6 caches: the identity check (registers subgraph, verifyIdentity) answered from L1 (lru-cache
 * in process), L2 (identity_cache table) and the upstream (the civil-registry simulator at its
 * configured rate and latency: 2/s, 150 ms), side by side in one run; and the L1 hit path against
 * a bare Map lookup of the same keys. In process, on a working copy of the benchmark register
 * (formerly bench/identity-cache.ts).
 *
 * - Upstream: UPSTREAM_LOOKUPS cold lookups of different RUNs, all at once, paced by the client.
 * - L2: every person's verdict written to the table first (as the monthly reconciliation would),
 *   then looked up one after the other by a new service (empty L1).
 * - L1: the same lookups again on that service, in passes for at least MIN_MS.
 * - Map / lru-cache: the same keys (`${run}/${serial}`) looked up in a Map and in an LRUCache with
 *   L1's settings, for at least MIN_MS.
 */

const UPSTREAM_LOOKUPS = 10;
const MIN_MS = 2_000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `pass` (which does `perPass` lookups) until at least MIN_MS have elapsed; lookups/s. */
async function rate(perPass: number, pass: () => Promise<void> | void): Promise<number> {
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < MIN_MS) {
    await pass();
    done += perPass;
  }
  return done / ((performance.now() - started) / 1000);
}

export async function runS6(ctx: BenchContext): Promise<ScenarioResult> {
  const config = loadConfig({});
  const work = copyForRun(ctx.registerFile, 's6');
  const db = new Database(work.file, { readonly: true });
  const people = (db.prepare('SELECT run, document_serial AS serial FROM civil_identity ORDER BY run').all() as { run: number; serial: string }[])
    .map((row) => ({ run: formatRun(row.run), serial: row.serial }));
  db.close();
  const simulator = await startSimulator({ dbPath: work.file, ...config.simulator, host: '127.0.0.1', port: 0 });
  const civil = { ...config.civilRegistry, url: simulator.url };
  const newService = () =>
    new IdentityService({ config: civil, upstream: new CivilRegistryClient({ config: civil, clock: systemClock }), cache: SqliteIdentityCache.open(work.file) });
  try {
    ctx.log(`upstream: ${UPSTREAM_LOOKUPS} cold lookups at ${civil.ratePerSecond}/s, ${config.simulator.latencyMs} ms latency`);
    const cold = newService();
    const coldPeople = people.slice(0, UPSTREAM_LOOKUPS);
    const deadline = systemClock.now() + coldPeople.length * (1000 / civil.ratePerSecond) * 1.2 + 1000;
    let started = performance.now();
    const upstreamLatencies = await Promise.all(
      coldPeople.map(async ({ run, serial }) => {
        const t = performance.now();
        const result = await cold.verify(run, serial, deadline);
        if (result.source !== 'REGISTRY') throw new Error(`expected a REGISTRY answer, got ${result.source}`);
        return performance.now() - t;
      }),
    );
    const upstreamRate = coldPeople.length / ((performance.now() - started) / 1000);
    await cold.close();

    ctx.log(`L2: writing ${people.length} verdicts, then looking each up once`);
    const cache = SqliteIdentityCache.open(work.file);
    const verifiedAt = new Date().toISOString();
    for (const { run, serial } of people) {
      const verdict: Verdict = { run, documentSerial: serial, valid: true, reason: null, verifiedAt };
      await cache.put(verdict);
    }
    await cache.close();

    const warm = newService();
    const l2Latencies: number[] = [];
    started = performance.now();
    for (const { run, serial } of people) {
      const t = performance.now();
      const result = await warm.verify(run, serial, warm.deadline());
      l2Latencies.push(performance.now() - t);
      if (result.source !== 'CACHE') throw new Error(`expected a CACHE answer, got ${result.source}`);
    }
    const l2Rate = people.length / ((performance.now() - started) / 1000);
    if (warm.stats.l2Hits !== people.length) throw new Error(`expected ${people.length} L2 hits, got ${warm.stats.l2Hits}`);

    ctx.log(`L1: passes over the ${people.length} verdicts for ${MIN_MS / 1000} s`);
    const l1Rate = await rate(people.length, async () => {
      for (const { run, serial } of people) await warm.verify(run, serial, warm.deadline());
    });
    if (warm.stats.l2Hits !== people.length) throw new Error(`expected every later lookup from L1, got ${warm.stats.l2Hits - people.length} more L2 hits`);
    await warm.close();

    const verdicts = people.map(({ run, serial }): Verdict => ({ run, documentSerial: serial, valid: true, reason: null, verifiedAt }));
    const map = new Map<string, Verdict>();
    const lru = new LRUCache<string, Verdict>({ max: civil.cacheEntries, ttl: civil.cacheTtlSeconds * 1000 });
    for (const verdict of verdicts) {
      map.set(`${verdict.run}/${verdict.documentSerial}`, verdict);
      lru.set(`${verdict.run}/${verdict.documentSerial}`, verdict);
    }
    let found = 0;
    const mapRate = await rate(people.length, () => {
      for (const { run, serial } of people) if (map.get(`${run}/${serial}`)) found += 1;
    });
    const lruRate = await rate(people.length, () => {
      for (const { run, serial } of people) if (lru.get(`${run}/${serial}`)) found += 1;
    });
    if (found === 0) throw new Error('expected the Map and LRU lookups to find the verdicts');

    return {
      id: 's6',
      title: 'S6 caches: identity verification from L1, L2 and the upstream; L1 vs a bare Map',
      rows: [
        { label: `upstream (simulator ${civil.ratePerSecond}/s, ${config.simulator.latencyMs} ms): ${UPSTREAM_LOOKUPS} cold lookups at once`, value: upstreamRate, unit: `lookups/s (p50 ${percentile(upstreamLatencies, 50).toFixed(0)} ms, p99 ${percentile(upstreamLatencies, 99).toFixed(0)} ms)` },
        { label: `L2 (identity_cache table, SQLite): ${people.length.toLocaleString('en')} lookups one after the other`, value: l2Rate, unit: `lookups/s (p50 ${percentile(l2Latencies, 50).toFixed(3)} ms, p99 ${percentile(l2Latencies, 99).toFixed(3)} ms)` },
        { label: 'L1 (IdentityService.verify answered from lru-cache)', value: l1Rate, unit: 'lookups/s' },
        { label: 'lru-cache get alone (same settings as L1)', value: lruRate, unit: 'lookups/s' },
        { label: 'bare Map get (same keys)', value: mapRate, unit: 'lookups/s' },
      ],
      ratios: [
        { label: 'L1 verify / bare Map get (ops/s)', value: l1Rate / mapRate },
        { label: 'lru-cache get / bare Map get (ops/s)', value: lruRate / mapRate },
        { label: 'L1 / L2 (ops/s)', value: l1Rate / l2Rate },
        { label: 'L2 / upstream (ops/s)', value: l2Rate / upstreamRate },
      ],
      notes: [
        `In process, on a working copy of the benchmark register (${people.length.toLocaleString('en')} persons in civil_identity); the simulator (simulator/civil-registry.ts) at the development defaults (RIS_SIMULATOR_RATE ${config.simulator.ratePerSecond}/s, RIS_SIMULATOR_LATENCY_MS ${config.simulator.latencyMs}), the client paced at RIS_CIVIL_REGISTRY_RATE ${civil.ratePerSecond}/s: the upstream figure is the pacing, by design.`,
        'L1 and L2 lookups are sequential (await each), so they measure the cost of one lookup, not concurrency. L1 verify includes parsing the document serial, the key, the LRU get (with TTL check) and the copy of the verdict with its source, plus one await.',
        'The issue sets no numeric goal for S6; the ratios say what each level buys (L2 over the upstream) and what the L1 bookkeeping costs over a Map.',
      ],
    };
  } finally {
    await simulator.close();
    work.discard();
  }
}
