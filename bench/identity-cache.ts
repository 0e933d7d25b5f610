import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateRegister } from '../data/generate';
import { SqliteIdentityCache } from '../identity/cache-store';
import { systemClock } from '../identity/clock';
import { IdentityService } from '../identity/service';
import type { Verdict } from '../identity/types';
import { CivilRegistryClient } from '../identity/upstream';
import { loadConfig } from '../lib/config';
import { formatRun } from '../lib/run';
import { migrate } from '../store/sqlite/migrate';
import { startSimulator } from '../simulator/civil-registry';

/**
 * Identity-check lookup rates from L1 (lru-cache), L2 (identity_cache table) and the upstream (the
 * civil-registry simulator at its configured rate and latency), side by side in one run:
 *
 *   npm run build && node dist/bench/identity-cache.js [--households 2000] [--upstream 10]
 *
 * A temporary register is generated (the project's database is not touched). Upstream: that many
 * cold lookups of different RUNs, all at once, paced by the client. L2: every person's verdict is
 * written to the table first (as the monthly reconciliation would), then looked up one after the
 * other by a new service (empty L1). L1: the same lookups again on that service.
 */

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a whole number >= 1, got ${JSON.stringify(process.argv[index + 1])}`);
  return value;
}

interface Row { level: string; lookups: number; ms: number; latencies: number[] }

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const households = option('households', 2000);
  const upstreamLookups = option('upstream', 10);
  const config = loadConfig();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-bench-identity-'));
  const file = path.join(dir, 'register.db');
  const writer = new Database(file);
  migrate(writer);
  generateRegister(writer, { households, seed: config.seed });
  const people = (writer.prepare('SELECT run, document_serial AS serial FROM civil_identity ORDER BY run').all() as { run: number; serial: string }[])
    .map((row) => ({ run: formatRun(row.run), serial: row.serial }));
  writer.close();

  const simulator = await startSimulator({ dbPath: file, ...config.simulator, port: 0 });
  const civil = { ...config.civilRegistry, url: simulator.url };
  const newService = () =>
    new IdentityService({ config: civil, upstream: new CivilRegistryClient({ config: civil, clock: systemClock }), cache: SqliteIdentityCache.open(file) });
  const rows: Row[] = [];
  try {
    const cold = newService();
    const coldPeople = people.slice(0, upstreamLookups);
    const deadline = systemClock.now() + coldPeople.length * (1000 / civil.ratePerSecond) * 1.2 + 1000;
    const started = performance.now();
    const latencies = await Promise.all(
      coldPeople.map(async ({ run, serial }) => {
        const t = performance.now();
        const result = await cold.verify(run, serial, deadline);
        if (result.source !== 'REGISTRY') throw new Error(`expected a REGISTRY answer, got ${result.source}`);
        return performance.now() - t;
      }),
    );
    rows.push({ level: 'upstream', lookups: coldPeople.length, ms: performance.now() - started, latencies });
    await cold.close();

    const cache = SqliteIdentityCache.open(file);
    const verifiedAt = new Date().toISOString();
    for (const { run, serial } of people) {
      const verdict: Verdict = { run, documentSerial: serial, valid: true, reason: null, verifiedAt };
      await cache.put(verdict);
    }
    await cache.close();

    const warm = newService();
    for (const level of ['L2', 'L1'] as const) {
      const times: number[] = [];
      const start = performance.now();
      for (const { run, serial } of people) {
        const t = performance.now();
        const result = await warm.verify(run, serial, warm.deadline());
        times.push(performance.now() - t);
        if (result.source !== 'CACHE') throw new Error(`expected a CACHE answer, got ${result.source}`);
      }
      rows.push({ level, lookups: people.length, ms: performance.now() - start, latencies: times });
    }
    const { stats } = warm;
    if (stats.l2Hits !== people.length || stats.l1Hits !== people.length) {
      throw new Error(`expected ${people.length} L2 then ${people.length} L1 hits, got ${stats.l2Hits} and ${stats.l1Hits}`);
    }
    await warm.close();
  } finally {
    await simulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`identity-check lookups, ${people.length} persons; upstream = simulator at ${config.simulator.ratePerSecond}/s, ${config.simulator.latencyMs} ms latency`);
  console.log(`${'level'.padEnd(10)}${'lookups'.padStart(9)}${'elapsed ms'.padStart(13)}${'lookups/s'.padStart(13)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`);
  for (const row of rows.reverse()) {
    console.log(
      `${row.level.padEnd(10)}${String(row.lookups).padStart(9)}${row.ms.toFixed(1).padStart(13)}${(row.lookups / (row.ms / 1000)).toFixed(1).padStart(13)}` +
        `${percentile(row.latencies, 50).toFixed(3).padStart(10)}${percentile(row.latencies, 99).toFixed(3).padStart(10)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
