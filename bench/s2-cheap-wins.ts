import fs from 'node:fs';
import path from 'node:path';
import { measureSideBySide, rotation, runOnce, type Target } from './support/load';
import { freePort, peakRssOf, stackEnv, startChild, startProcessStack, stopChildren, waitFor, type Child } from './support/processes';
import { body, HOUSEHOLD_GRAPH_QUERY, ROUTER_HEADERS } from './support/queries';
import { benchAgreementsDir, copyForRun, ensureRegister, sampleKeys } from './support/register';

/**
 * Cheap wins on OUR router (S2 point 3), measured without changing router/: the same
 * dist/router/main.js started with a different Node option, side by side with the default, in
 * front of the same subgraphs. Prints throughput and router CPU per request of each variant.
 *
 *   npm run build && node dist/bench/s2-cheap-wins.js [--duration 10] [--runs 3] [--connections 16]
 */
const VARIANTS: Record<string, string[]> = {
  default: [],
  // The young generation is where the per-request garbage of a gateway dies; a larger one means
  // fewer scavenges (the profile shows ~9% of the router's time in GC).
  'semi-space-64': ['--max-semi-space-size=64'],
};

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
}

function cpuMs(pid: number | undefined): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function main(): Promise<void> {
  const log = (message: string) => console.log(`[s2-cheap-wins] ${message}`);
  const dist = path.resolve(__dirname, '..');
  const { file } = await ensureRegister(20_000, dist, log);
  const ids = sampleKeys(file, 5_000).householdIds;
  const work = copyForRun(file, 's2w');
  const agreementsDir = benchAgreementsDir();
  const load = { warmupSeconds: option('warmup', 5), durationSeconds: option('duration', 10), runs: option('runs', 3), connections: option('connections', 16) };
  // One stack (subgraphs + default router), plus one router process per other variant.
  const stack = await startProcessStack({ dist, dbPath: work.file, agreementsDir, label: 'w ' });
  const routers: { name: string; url: string; child: Child }[] = [{ name: 'default', url: stack.routerUrl, child: stack.children.find((c) => c.name === 'w router')! }];
  const extra: Child[] = [];
  try {
    for (const [name, flags] of Object.entries(VARIANTS)) {
      if (name === 'default') continue;
      // Another router process in front of the SAME subgraphs (no second set of subgraphs on the box).
      const port = await freePort();
      const env = stackEnv({ dist, dbPath: work.file, agreementsDir }, { router: port, civilRegistry: await freePort(), persons: 0, households: 0, registers: 0, benefits: 0 });
      for (const [sub, url] of Object.entries(stack.subgraphUrls)) {
        delete env[`RIS_${sub.toUpperCase()}_PORT`];
        env[`RIS_${sub.toUpperCase()}_URL`] = url;
      }
      const child = startChild(`${name} router`, [...flags, path.join(dist, 'router', 'main.js')], env);
      extra.push(child);
      await waitFor(`http://127.0.0.1:${port}/readyz`, extra);
      routers.push({ name, url: `http://127.0.0.1:${port}/graphql`, child });
    }
    const targets: Target[] = routers.map((router) => {
      const next = rotation(ids);
      return { name: router.name, url: router.url, headers: () => ({ ...ROUTER_HEADERS, accept: 'application/json' }), body: () => body(HOUSEHOLD_GRAPH_QUERY, { id: next() }) };
    });
    const measured = await measureSideBySide(targets, load, log);
    for (const [i, router] of routers.entries()) {
      const before = cpuMs(router.child.process.pid);
      const run = await runOnce(targets[i], load.connections, load.durationSeconds);
      const perRequest = (cpuMs(router.child.process.pid) - before) / run.requests;
      const m = measured[i].median;
      log(`${router.name}: median ${m.requestsPerSecond.toFixed(1)} req/s, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms; router CPU ${perRequest.toFixed(2)} ms/request; peak RSS ${JSON.stringify(peakRssOf([router.child]))} MiB`);
    }
  } finally {
    await stopChildren(extra);
    await stack.stop();
    work.discard();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
