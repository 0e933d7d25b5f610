import path from 'node:path';
import { copyForRun } from './support/register';
import { measuredRows, measureSideBySide, probe, rotation, type Measured, type Target } from './support/load';
import { startProcessStack, type ProcessStack } from './support/processes';
import { body, HOUSEHOLD_GRAPH_QUERY, PERSONS_QUERY, ROUTER_HEADERS } from './support/queries';
import type { BenchContext, Row, ScenarioResult } from './support/types';
import type { SecurityVariant } from './support/variants';
import { inProcessSubgraph } from './support/in-process';

/** In-process timing of the shield alone: rounds (alternating) × executions per round. */
const IN_PROCESS_ROUNDS = 5;
const IN_PROCESS_PER_ROUND = 20;

/**
 * The persons subgraph's own execution of persons(runs:) × BATCH in this process, shielded vs not
 * (no HTTP, no router, no audit): mean ms per execution, median over alternating rounds.
 */
async function shieldInProcess(ctx: BenchContext, batches: string[][]): Promise<{ on: number; off: number }> {
  const work = copyForRun(ctx.registerFile, 's4-in-process');
  const options = { dbPath: work.file, agreementsDir: ctx.agreementsDir, agreementId: 'mds-internal', purpose: 'GESTION-BENEFICIOS', endUser: '11111111-1' };
  const on = await inProcessSubgraph('persons', 'on', options);
  const off = await inProcessSubgraph('persons', 'off', options);
  try {
    const rounds: Record<'on' | 'off', number[]> = { on: [], off: [] };
    const next = rotation(batches);
    for (let round = 0; round <= IN_PROCESS_ROUNDS; round++) {
      for (const [name, subgraph] of [['on', on], ['off', off]] as const) {
        let total = 0;
        for (let i = 0; i < IN_PROCESS_PER_ROUND; i++) total += await subgraph.execute(PERSONS_QUERY, { runs: next() });
        // Round 0 is the warm-up.
        if (round > 0) rounds[name].push(total / IN_PROCESS_PER_ROUND);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return { on: median(rounds.on), off: median(rounds.off) };
  } finally {
    await on.close();
    await off.close();
    work.discard();
  }
}

/**
 * S4 authorization and audit cost: the household graph query and a 1,000-person persons(runs:)
 * query through the router, with shield + audit ON (the production entries) vs OFF, three stacks
 * of separate processes running side by side over copies of the same register, runs interleaved:
 *
 * - on:        dist/subgraphs/serve.js + dist/router/main.js (production);
 * - audit-off: the product's buildSubgraph / startRouter with an audit log that writes nothing;
 * - off:       subgraphs without withShield and without the access audit plugin, router audit off
 *              (bench/support/variants.ts), i.e. what a `security: false` builder option would do.
 *
 * Goal: on >= 0.8 x off (authorization and audit cost <= 20% of throughput).
 */

const VARIANTS: SecurityVariant[] = ['on', 'audit-off', 'off'];
const BATCH = 1_000;
/** A 1,000-person answer takes tens to hundreds of ms: fewer connections keep queueing out of the figures. */
const PERSONS_CONNECTIONS = 4;

export async function runS4(ctx: BenchContext): Promise<ScenarioResult> {
  const stacks = new Map<SecurityVariant, ProcessStack>();
  const copies: { discard(): void }[] = [];
  const rss: Record<string, number> = {};
  // Batches of 1,000 distinct RUNs, rotated: windows over the sample starting every 250 RUNs.
    const batches: string[][] = [];
    for (let start = 0; start + BATCH <= ctx.sample.runs.length; start += 250) batches.push(ctx.sample.runs.slice(start, start + BATCH));
    ctx.log(`in process: persons subgraph executing persons(runs:) × ${BATCH}, shield on vs off`);
    const inProcess = await shieldInProcess(ctx, batches);
  try {
    for (const variant of VARIANTS) {
      const work = copyForRun(ctx.registerFile, `s4-${variant}`);
      copies.push(work);
      const production = variant === 'on';
      ctx.log(`starting the ${variant} stack`);
      stacks.set(
        variant,
        await startProcessStack({
          dist: ctx.dist,
          dbPath: work.file,
          agreementsDir: ctx.agreementsDir,
          label: `s4 ${variant} `,
          subgraphArgs: production ? undefined : (name) => [path.join(ctx.dist, 'bench', 'support', 'serve-variant.js'), name, variant],
          routerArgs: production ? undefined : [path.join(ctx.dist, 'bench', 'support', 'router-variant.js')],
        }),
      );
    }
    const targetsOf = (query: 'household' | 'persons') =>
      VARIANTS.map((variant): Target => {
        const nextId = rotation(ctx.sample.householdIds);
        const nextBatch = rotation(batches);
        return {
          name: variant,
          url: stacks.get(variant)!.routerUrl,
          headers: () => ROUTER_HEADERS,
          body: query === 'household' ? () => body(HOUSEHOLD_GRAPH_QUERY, { id: nextId() }) : () => body(PERSONS_QUERY, { runs: nextBatch() }),
        };
      });

    const rows: Row[] = [];
    const ratios: ScenarioResult['ratios'] = [];
    const judge = (what: string, measured: Measured[]) => {
      const rps = (variant: SecurityVariant) => measured.find((m) => m.target === variant)!.median.requestsPerSecond;
      for (const m of measured) rows.push(...measuredRows(`${what}, security ${m.target}`, m, 1));
      const total = rps('on') / rps('off');
      ratios.push({ label: `${what}: throughput shield+audit on / off (cost ${((1 - total) * 100).toFixed(0)}%)`, value: total, goal: '>= 0.8 (cost <= 20%)', met: total >= 0.8 });
      ratios.push({ label: `${what}: of which audit — on / audit-off`, value: rps('on') / rps('audit-off') });
      ratios.push({ label: `${what}: of which shield — audit-off / off`, value: rps('audit-off') / rps('off') });
    };

    const household = targetsOf('household');
    for (const target of household) await probe(target);
    ctx.log('household graph query: on vs audit-off vs off');
    judge('household graph query', await measureSideBySide(household, ctx.load, ctx.log));

    const persons = targetsOf('persons');
    for (const target of persons) {
      const answer = (await probe(target)) as { data: { persons: unknown[] } };
      if (answer.data.persons.filter(Boolean).length !== BATCH) throw new Error(`${target.name}: expected ${BATCH} persons, got ${answer.data.persons.filter(Boolean).length}`);
    }
    ctx.log(`persons(runs:) with ${BATCH} RUNs: on vs audit-off vs off`);
    judge(`persons(runs:) × ${BATCH}`, await measureSideBySide(persons, ctx.load, ctx.log, { connections: PERSONS_CONNECTIONS }));

    rows.push({ label: `in process, persons subgraph alone, persons(runs:) × ${BATCH}: shield on`, value: inProcess.on, unit: 'ms per execution (mean; median of rounds)' });
    rows.push({ label: `in process, persons subgraph alone, persons(runs:) × ${BATCH}: shield off`, value: inProcess.off, unit: 'ms per execution' });
    ratios.push({ label: `in process, persons subgraph alone, persons(runs:) × ${BATCH}: execution time shield off / on (throughput ratio on / off)`, value: inProcess.off / inProcess.on, goal: '>= 0.8', met: inProcess.off / inProcess.on >= 0.8 });
    for (const stack of stacks.values()) Object.assign(rss, stack.peakRss());
    return {
      id: 's4',
      title: 'S4 authorization and audit cost: shield + audit on vs off',
      rows,
      ratios,
      rss,
      notes: [
        '"on" is production (dist/subgraphs/serve.js, dist/router/main.js). "off" uses the product\'s seams, served by bench/support/serve-variant.ts and router-variant.ts (bench/support/variants.ts): lib/subgraph.ts buildSubgraph(module, deps, { fieldRules: false }) (no withShield; row scope in the resolvers stays on) with an AuditLog that writes nothing, and the product startRouter with that same no-op log. "audit-off" keeps the field rules, with the no-op log, to split the cost. Admission at the router (key, agreement, purpose, end user, rate limit), the signed context and its verification stay on in every variant.',
        `The three stacks (15 processes) run at once over three copies of the register and are measured in turn, interleaved. The household graph query rotates over ${ctx.sample.householdIds.length.toLocaleString('en')} household ids; persons(runs:) over ${batches.length} windows of ${BATCH} distinct RUNs, with ${PERSONS_CONNECTIONS} connections instead of ${ctx.load.connections}. Each answer is checked for errors, and the persons answer for ${BATCH} non-null persons before the load.`,
        `The in-process rows time the persons subgraph's own Apollo execution (executeOperation, no HTTP, no router, no audit) of persons(runs:) × ${BATCH}, built with and without withShield (bench/support/in-process.ts), ${IN_PROCESS_ROUNDS} alternating rounds of ${IN_PROCESS_PER_ROUND} executions after a warm-up round, before the stacks start: the shield's cost free of network and scheduling noise.`,
        'The variant processes open the agreements without watching the folder (watch: false); the production ones watch it. Watching costs nothing per request.',
      ],
    };
  } finally {
    for (const stack of stacks.values()) await stack.stop();
    for (const copy of copies) copy.discard();
  }
}
