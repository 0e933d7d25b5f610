import fs from 'node:fs';
import path from 'node:path';
import { fromRoot } from '../lib/paths';
import { machine } from './support/machine';
import { killAllChildren } from './support/processes';
import { benchAgreementsDir, ensureRegister, sampleKeys } from './support/register';
import { renderReport, type StoredResult } from './support/report';
import type { BenchContext, LoadSettings, Scenario, ScenarioResult } from './support/types';
import { runS1 } from './s1-router-overhead';
import { runS3 } from './s3-no-n-plus-one';
import { runS4 } from './s4-security-cost';
import { runS5 } from './s5-scale';
import { runS6 } from './s6-caches';
import { runS2 } from './s2-router-choice';

/**
 * `npm run bench` (after the build): `node dist/bench/run.js [s1 s2 …] [--duration 10] [--runs 3]
 * [--warmup 5] [--connections 16] [--households 20000] [--out bench/RESULTS.md]`.
 * Runs the named scenarios (all, in order, by default) and writes RESULTS.md with the machine and
 * the exact command. A scenario that fails is reported as such; the others still run.
 */

const SCENARIOS: Record<string, Scenario> = { s1: runS1, s2: runS2, s3: runS3, s4: runS4, s5: runS5, s6: runS6 };

function option(argv: string[], name: string, fallback: number): number {
  const index = argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a whole number >= 1, got ${JSON.stringify(argv[index + 1] ?? '')}`);
  return value;
}

function textOption(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (argv[index + 1] ?? fallback);
}

async function main(argv: string[]): Promise<void> {
  const valued = new Set(['--duration', '--runs', '--warmup', '--connections', '--households', '--out']);
  const names = argv.filter((arg, i) => !arg.startsWith('--') && !valued.has(argv[i - 1] ?? ''));
  const unknown = names.filter((name) => !SCENARIOS[name.toLowerCase()]);
  if (unknown.length) throw new Error(`expected scenario names among ${Object.keys(SCENARIOS).join(', ')}, got ${unknown.join(', ')}`);
  const selected = names.length ? names.map((name) => name.toLowerCase()) : Object.keys(SCENARIOS);
  const load: LoadSettings = {
    warmupSeconds: option(argv, 'warmup', 5),
    durationSeconds: option(argv, 'duration', 10),
    runs: option(argv, 'runs', 3),
    connections: option(argv, 'connections', 16),
  };
  const households = option(argv, 'households', 20_000);
  const out = path.resolve(textOption(argv, 'out', fromRoot('bench', 'RESULTS.md')));
  const dist = path.resolve(__dirname, '..');
  const started = Date.now();
  const log = (message: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);

  const { file: registerFile, generated } = await ensureRegister(households, dist, log);
  const sample = sampleKeys(registerFile, 5_000);
  const agreementsDir = benchAgreementsDir();
  log(`register ${registerFile} (${generated ? 'generated now' : 'cached'}); ${sample.runs.length} RUNs and ${sample.householdIds.length} household ids sampled`);

  const results: ScenarioResult[] = [];
  const failures: { id: string; error: string }[] = [];
  for (const id of selected) {
    const ctx: BenchContext = {
      root: fromRoot(),
      dist,
      registerFile,
      households,
      agreementsDir,
      sample,
      load,
      log: (message) => log(`${id}: ${message}`),
    };
    log(`${id}: starting`);
    try {
      const result = await SCENARIOS[id](ctx);
      results.push(result);
      for (const ratio of result.ratios) {
        log(`${id}: ${ratio.label} = ${ratio.value.toFixed(2)}${ratio.goal ? ` (goal ${ratio.goal}: ${ratio.met ? 'met' : 'NOT met'})` : ''}`);
      }
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${id}: FAILED: ${message}`);
      failures.push({ id, error: error instanceof Error ? error.message : String(error) });
    }
  }

  const command = ['npm run build --silent && node dist/bench/run.js', ...argv].join(' ').trim();
  const settings =
    `autocannon 8 in the bench process, ${load.connections} connections, per target ${load.warmupSeconds} s warm-up (discarded) then ` +
    `${load.runs} × ${load.durationSeconds} s measured runs interleaved between the targets of a scenario; the median run is reported.`;
  const preamble = [
    'Processes: each subgraph (`dist/subgraphs/serve.js <name>`) and the router (`dist/router/main.js`) run as separate Node processes ' +
      'as in production, configured with RIS_* variables on free ports of 127.0.0.1; the load generator shares the same 2 cores, so absolute ' +
      'figures are lower than on a dedicated load machine, and the ratios are what the goals judge.',
    `Register: \`${path.relative(fromRoot(), registerFile)}\` (${households.toLocaleString('en')} households, seed 2017), generated by the project's generator on first use and cached; ` +
      'each scenario serves a fresh working copy (the audit trail is written into the register file). Requests rotate over 5,000 RUNs (household members) and 5,000 ' +
      'household ids sampled across the whole register, as the demo internal agreement (`Bearer demo-mds-internal`, purpose GESTION-BENEFICIOS, end user 11111111-1), ' +
      'whose rate limit is raised in a copy of the agreements (var/bench/agreements) so that the limiter admits the load. Every answer is checked: a response with GraphQL `errors`, ' +
      'a non-2xx or a transport error fails the run.',
  ];
  // A run of some scenarios replaces only their sections: the others keep the figures (and the
  // command, machine and date) of the run that measured them, kept in results.json beside the report.
  const store = out.replace(/\.md$/, '') + '.json';
  const stamp = { command, settings, machine: machine() };
  let kept: StoredResult[] = [];
  if (names.length && fs.existsSync(store)) {
    kept = (JSON.parse(fs.readFileSync(store, 'utf8')) as StoredResult[]).filter((entry) => !selected.includes(entry.result.id));
  }
  const order = Object.keys(SCENARIOS);
  const stored = [...kept, ...results.map((result) => ({ ...stamp, result }))].sort((a, b) => order.indexOf(a.result.id) - order.indexOf(b.result.id));
  fs.writeFileSync(store, `${JSON.stringify(stored, null, 2)}\n`);
  fs.writeFileSync(out, renderReport({ stored, failures, preamble }));
  log(`wrote ${out} (${results.length} scenario(s) measured now${kept.length ? `, ${kept.length} kept from earlier runs` : ''})`);
  if (failures.length) process.exitCode = 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal} received, stopping every process it started`);
    killAllChildren();
    process.exit(130);
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
