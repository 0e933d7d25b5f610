import autocannon from 'autocannon';
import type { LoadSettings } from './types';
import type { Row } from './types';

/**
 * HTTP load with autocannon, in this process, against targets that run side by side: every
 * target gets a discarded warm-up, then the measured runs alternate between targets
 * (A B A B A B), so that drift of the machine (CPU boost, page cache, a noisy neighbour) falls on
 * all of them alike. The median run of each target is reported.
 */

export interface Target {
  /** Short name used in tables: 'direct', 'router'. */
  name: string;
  url: string;
  /** Headers of every request (the content type is added). */
  headers: () => Record<string, string>;
  /** The JSON body of the next request; called once per request (rotate keys here). */
  body: () => string;
}

/** One autocannon run, reduced to what the report needs. */
export interface RunFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  requests: number;
  /** Transport errors, timeouts, non-2xx answers and 2xx answers that carried GraphQL errors. */
  failures: number;
}

export interface Measured {
  target: string;
  runs: RunFigures[];
  /** The run with the median requests/s (its latencies are reported with it). */
  median: RunFigures;
}

/** Pause before each measured run, so the previous run's cut-off requests finish first. */
const SETTLE_MS = 1_000;

/** A GraphQL answer with `errors` is a failure even with HTTP 200. */
const bodyHasNoErrors = (body: string) => !String(body).includes('"errors"');

export async function runOnce(target: Target, connections: number, seconds: number): Promise<RunFigures> {
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    timeout: 30,
    verifyBody: bodyHasNoErrors,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...target.headers() },
          body: target.body(),
        }),
      },
    ],
  });
  const failures = result.errors + result.timeouts + result.non2xx + result.mismatches;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    requests: result.requests.total,
    failures,
  };
}

function medianRun(runs: RunFigures[]): RunFigures {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Warm-up (discarded) then `settings.runs` measured runs of each target, interleaved. Throws when
 * any measured request failed: a figure made of errors is no figure.
 */
export async function measureSideBySide(
  targets: Target[],
  settings: LoadSettings,
  log: (message: string) => void,
  options: { connections?: number } = {},
): Promise<Measured[]> {
  const connections = options.connections ?? settings.connections;
  for (const target of targets) {
    log(`warm-up ${target.name}: ${settings.warmupSeconds} s, ${connections} connections`);
    const warm = await runOnce(target, connections, settings.warmupSeconds);
    if (warm.failures > 0) throw new Error(`${target.name}: ${warm.failures} of ${warm.requests} warm-up requests failed (${target.url})`);
  }
  const runs = new Map<string, RunFigures[]>(targets.map((target) => [target.name, []]));
  for (let i = 1; i <= settings.runs; i++) {
    for (const target of targets) {
      // Requests cut off at the end of the previous run may still be running in the servers.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const figures = await runOnce(target, connections, settings.durationSeconds);
      log(
        `run ${i}/${settings.runs} ${target.name}: ${figures.requestsPerSecond.toFixed(1)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms` +
          (figures.failures ? `, ${figures.failures} FAILED` : ''),
      );
      if (figures.failures > 0) throw new Error(`${target.name}: ${figures.failures} of ${figures.requests} requests failed (${target.url})`);
      runs.get(target.name)!.push(figures);
    }
  }
  return targets.map((target) => {
    const list = runs.get(target.name)!;
    return { target: target.name, runs: list, median: medianRun(list) };
  });
}

/** A rotating picker over `items`: each call returns the next one (wrapping). */
export function rotation<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('expected at least one item to rotate through, got none');
  let i = 0;
  return () => {
    const item = items[i];
    i = (i + 1) % items.length;
    return item;
  };
}

/** One POST outside the load, to check a target answers the operation without errors. */
export async function probe(target: Target): Promise<unknown> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers() },
    body: target.body(),
  });
  const text = await response.text();
  if (response.status !== 200 || !bodyHasNoErrors(text)) {
    throw new Error(`${target.name}: expected 200 without errors from ${target.url}, got ${response.status}: ${text.slice(0, 400)}`);
  }
  return JSON.parse(text);
}

/**
 * The figures of one measured target as report rows: median throughput with every run, and the
 * median run's p50 / p99 latency. One shape for every scenario's table.
 */
export function measuredRows(label: string, m: Measured, digits = 0): Row[] {
  return [
    { label: `${label}: throughput`, value: m.median.requestsPerSecond, unit: `req/s (runs: ${m.runs.map((r) => r.requestsPerSecond.toFixed(digits)).join(', ')})` },
    { label: `${label}: latency p50 / p99`, value: m.median.p50Ms, unit: `ms / ${m.median.p99Ms} ms` },
  ];
}
