import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { SUBGRAPH_NAMES } from '../lib/config';
import { measuredRows, measureSideBySide, rotation, runOnce, type Measured, type Target } from './support/load';
import { freePort, peakRssOf, startChild, startProcessStack, stackEnv, stopChildren, waitFor, type Child } from './support/processes';
import { body, HOUSEHOLD_GRAPH_QUERY, ROUTER_HEADERS } from './support/queries';
import { copyForRun } from './support/register';
import type { BenchContext, ScenarioResult } from './support/types';

/**
 * S2 router choice: the household graph query through our router (dist/router/main.js,
 * @apollo/gateway) vs through Hive Gateway (dist/bench/hive-router.js, @graphql-hive/gateway-runtime)
 * running the same router logic (admission, rate limit, signed context, operation audit), both in
 * front of the SAME four subgraph processes over one register copy, measured interleaved.
 *
 * Before any load, both routers must give identical JSON for a sample of household ids (else the
 * comparison is void and the scenario fails). Decision rule of the performance issue: move the
 * router when Hive is at least 1.5× faster with all our features.
 */

/** How many household ids the identical-answer check compares (spread over the sample). */
const IDENTITY_SAMPLE = 200;
/** Hive / ours throughput at or above which the issue says to move the router. */
const MOVE_THRESHOLD = 1.5;

interface Answer {
  status: number;
  body: unknown;
}

async function post(url: string, payload: string): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...ROUTER_HEADERS }, body: payload });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

/** Every `step`-th id of the sample, `count` of them. */
function spread(ids: readonly string[], count: number): string[] {
  const step = Math.max(1, Math.floor(ids.length / count));
  const out: string[] = [];
  for (let i = 0; i < ids.length && out.length < count; i += step) out.push(ids[i]);
  return out;
}

/**
 * Same status and deep-equal JSON body from both routers for every id; throws on the first
 * difference (the comparison would be void). Also returns how error answers compare (informative).
 */
async function identicalAnswers(ours: string, hive: string, ids: string[]): Promise<{ compared: number; members: number; errorCases: string[] }> {
  let members = 0;
  for (const id of ids) {
    const payload = body(HOUSEHOLD_GRAPH_QUERY, { id });
    const [a, b] = await Promise.all([post(ours, payload), post(hive, payload)]);
    if (a.status !== 200 || JSON.stringify(a.body).includes('"errors"')) {
      throw new Error(`household ${id}: expected 200 without errors from our router, got ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
    }
    if (!isDeepStrictEqual(a, b)) {
      throw new Error(
        `household ${id}: the routers answer differently, so the comparison is void:\n ours: ${a.status} ${JSON.stringify(a.body).slice(0, 600)}\n hive: ${b.status} ${JSON.stringify(b.body).slice(0, 600)}`,
      );
    }
    members += ((a.body as { data: { household: { members: unknown[] } } }).data.household.members ?? []).length;
  }
  // Error answers: not part of the load, reported so the differences are known.
  const errorCases: string[] = [];
  const cases: [string, string][] = [
    ['unknown household', body(HOUSEHOLD_GRAPH_QUERY, { id: '999999999' })],
    ['bad RUN', body('query ($run: RUN!) { person(run: $run) { run } }', { run: '12.345.678-9' })],
    ['unknown field', body('{ household(id: "1") { nope } }', {})],
  ];
  for (const [label, payload] of cases) {
    const [a, b] = await Promise.all([post(ours, payload), post(hive, payload)]);
    errorCases.push(
      isDeepStrictEqual(a, b)
        ? `${label}: identical (${a.status})`
        : `${label}: differ — ours ${a.status} ${JSON.stringify(a.body).slice(0, 240)}; hive ${b.status} ${JSON.stringify(b.body).slice(0, 240)}`,
    );
  }
  return { compared: ids.length, members, errorCases };
}

/** CPU time (user + system) a process has used so far, in ms; null when it has gone. */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * One more run of `target` alone, with the CPU time each process used during it: CPU ms per
 * request of the router process and of the four subgraphs together. On a machine where the
 * subgraphs and the load generator share the cores, throughput hides part of a router's cost;
 * CPU per request shows it.
 */
async function cpuPerRequest(target: Target, router: Child, subgraphs: Child[], ctx: BenchContext): Promise<{ router: number; subgraphs: number; rps: number }> {
  const before = { router: cpuMs(router.process.pid), subgraphs: subgraphs.map((child) => cpuMs(child.process.pid)) };
  const run = await runOnce(target, ctx.load.connections, ctx.load.durationSeconds);
  if (run.failures > 0) throw new Error(`${target.name}: ${run.failures} of ${run.requests} requests failed in the CPU run`);
  const routerMs = (cpuMs(router.process.pid) ?? NaN) - (before.router ?? NaN);
  let subgraphMs = 0;
  subgraphs.forEach((child, i) => {
    subgraphMs += (cpuMs(child.process.pid) ?? NaN) - (before.subgraphs[i] ?? NaN);
  });
  return { router: routerMs / run.requests, subgraphs: subgraphMs / run.requests, rps: run.requestsPerSecond };
}

function fmt(value: number, digits = 1): string {
  return value.toFixed(digits);
}

export async function runS2(ctx: BenchContext): Promise<ScenarioResult> {
  const work = copyForRun(ctx.registerFile, 's2');
  const stack = await startProcessStack({ dist: ctx.dist, dbPath: work.file, agreementsDir: ctx.agreementsDir, label: 's2 ' });
  const extra: Child[] = [];
  try {
    // Hive router: same environment as the stack (register, agreements, secret), own port, the
    // stack's subgraph URLs.
    const hivePort = await freePort();
    const env = stackEnv(
      { dist: ctx.dist, dbPath: work.file, agreementsDir: ctx.agreementsDir },
      { router: hivePort, civilRegistry: await freePort(), persons: 0, households: 0, registers: 0, benefits: 0 },
    );
    for (const name of SUBGRAPH_NAMES) {
      delete env[`RIS_${name.toUpperCase()}_PORT`];
      env[`RIS_${name.toUpperCase()}_URL`] = stack.subgraphUrls[name];
    }
    extra.push(startChild('s2 hive-gateway', [path.join(ctx.dist, 'bench', 'hive-router.js')], env));
    await waitFor(`http://127.0.0.1:${hivePort}/readyz`, extra);
    const hiveUrl = `http://127.0.0.1:${hivePort}/graphql`;

    const check = await identicalAnswers(stack.routerUrl, hiveUrl, spread(ctx.sample.householdIds, IDENTITY_SAMPLE));
    ctx.log(`identical answers for ${check.compared} households (${check.members} members); ${check.errorCases.join('; ')}`);

    const target = (name: string, url: string): Target => {
      const next = rotation(ctx.sample.householdIds);
      return { name, url, headers: () => ({ ...ROUTER_HEADERS, accept: 'application/json' }), body: () => body(HOUSEHOLD_GRAPH_QUERY, { id: next() }) };
    };
    const [ours, hive] = (await measureSideBySide([target('ours', stack.routerUrl), target('hive', hiveUrl)], ctx.load, ctx.log)) as [Measured, Measured];
    const ratio = hive.median.requestsPerSecond / ours.median.requestsPerSecond;
    const subgraphChildren = stack.children.filter((child) => SUBGRAPH_NAMES.some((name) => child.name === `s2 ${name}`));
    const oursChild = stack.children.find((child) => child.name === 's2 router') as Child;
    const oursCpu = await cpuPerRequest(target('ours', stack.routerUrl), oursChild, subgraphChildren, ctx);
    const hiveCpu = await cpuPerRequest(target('hive', hiveUrl), extra[0], subgraphChildren, ctx);
    ctx.log(`CPU per request: ours ${fmt(oursCpu.router, 2)} ms (subgraphs ${fmt(oursCpu.subgraphs, 2)} ms), hive ${fmt(hiveCpu.router, 2)} ms (subgraphs ${fmt(hiveCpu.subgraphs, 2)} ms)`);
    const rss = { ...stack.peakRss(), ...peakRssOf(extra) };
    const oursRss = rss['s2 router'];
    const hiveRss = rss['s2 hive-gateway'];
    const decision =
      ratio >= MOVE_THRESHOLD
        ? `Decision: Hive Gateway is ${fmt(ratio, 2)}× our router's throughput with all our features, at or above the ${MOVE_THRESHOLD}× rule: move the router.`
        : `Decision: Hive Gateway is ${fmt(ratio, 2)}× our router's throughput with all our features, below the ${MOVE_THRESHOLD}× rule: the router stays on @apollo/gateway.`;
    return {
      id: 's2',
      title: 'S2 router choice: household graph query, our router (@apollo/gateway) vs Hive Gateway, same subgraphs',
      rows: [
        ...measuredRows('ours (@apollo/gateway)', ours),
        ...measuredRows('hive (@graphql-hive/gateway-runtime)', hive),
        { label: 'ours: router CPU per request (subgraphs together)', value: oursCpu.router, unit: `ms (${fmt(oursCpu.subgraphs, 2)} ms)` },
        { label: 'hive: router CPU per request (subgraphs together)', value: hiveCpu.router, unit: `ms (${fmt(hiveCpu.subgraphs, 2)} ms)` },
        { label: 'peak RSS ours / hive router process', value: oursRss ?? NaN, unit: `MiB / ${hiveRss ?? NaN} MiB` },
        { label: 'identical-answer check: households compared', value: check.compared, unit: `households (${check.members} members), all identical` },
      ],
      ratios: [
        { label: 'Hive / ours throughput', value: ratio, goal: '<= 1.0 (ours >= the best npm Federation 2 router)', met: ratio <= 1.0 },
        { label: 'Hive / ours p50 latency', value: hive.median.p50Ms / ours.median.p50Ms },
        { label: 'Hive / ours router CPU per request', value: hiveCpu.router / oursCpu.router },
      ],
      notes: [
        'Both routers run as their own Node process in front of the same four subgraph processes over one register copy; measured runs alternate ours, hive, ours, hive, … with the same connections and duration.',
        'Hive Gateway (dist/bench/hive-router.js) runs OUR router logic unchanged through a plugin: router/exchange.ts routerExchange (authentication by the agreement registry, standing, rate limit, purpose, end user, case; signed context per request; operation record written before the answer), router/context.ts subgraphHeaders on every subgraph fetch (onFetch), lib/errors.ts formatError as its error mask; inbound/in-flight request deduplication off, no response cache, no batching, keep-alive http.Agent to the subgraphs.',
        `Identical answers checked before the load: ${check.compared} household ids spread over the sample gave the same status and deep-equal JSON from both routers. Error answers (not in the load): ${check.errorCases.join('; ')}.`,
        `CPU per request: one more ${ctx.load.durationSeconds} s run of each router alone after the measured runs, CPU time (user + system, /proc/<pid>/stat) of the router process and of the four subgraph processes divided by the requests served; the machine's cores are shared by the subgraphs, both routers and autocannon, so this is the router's own cost, which throughput on this machine partly hides.`,
        decision,
      ],
      rss,
    };
  } finally {
    await stopChildren(extra);
    await stack.stop();
    work.discard();
  }
}
