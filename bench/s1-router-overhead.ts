import { copyForRun } from './support/register';
import { measuredRows, measureSideBySide, probe, rotation, type Target } from './support/load';
import { startProcessStack } from './support/processes';
import { body, CONTEXT_HEADER, PERSON_QUERY, presignedContexts, ROUTER_HEADERS } from './support/queries';
import type { BenchContext, ScenarioResult } from './support/types';

/**
 * S1 router overhead: `person(run)` sent straight to the persons subgraph process vs through the
 * router process in front of it, same processes, same register, runs interleaved.
 * Goal: router throughput >= 0.6x direct.
 */
export async function runS1(ctx: BenchContext): Promise<ScenarioResult> {
  const work = copyForRun(ctx.registerFile, 's1');
  const stack = await startProcessStack({ dist: ctx.dist, dbPath: work.file, agreementsDir: ctx.agreementsDir, label: 's1 ' });
  try {
    const contexts = rotation(await presignedContexts(2_000, 3_600));
    const nextRunDirect = rotation(ctx.sample.runs);
    const nextRunRouter = rotation(ctx.sample.runs);
    const direct: Target = {
      name: 'direct',
      url: stack.subgraphUrls.persons,
      headers: () => ({ [CONTEXT_HEADER]: contexts() }),
      body: () => body(PERSON_QUERY, { run: nextRunDirect() }),
    };
    const router: Target = {
      name: 'router',
      url: stack.routerUrl,
      headers: () => ROUTER_HEADERS,
      body: () => body(PERSON_QUERY, { run: nextRunRouter() }),
    };
    const [a, b] = await Promise.all([probe(direct), probe(router)]);
    if (JSON.stringify((a as { data: unknown }).data) === 'null' || JSON.stringify(b) === '{"data":{"person":null}}') {
      throw new Error('expected a person from both paths, got null');
    }
    const [d, r] = await measureSideBySide([direct, router], ctx.load, ctx.log);
    const ratio = r.median.requestsPerSecond / d.median.requestsPerSecond;
    return {
      id: 's1',
      title: 'S1 router overhead: person(run) direct to the persons subgraph vs through the router',
      rows: [
        ...measuredRows('direct (persons subgraph)', d),
        ...measuredRows('router', r),
      ],
      ratios: [{ label: 'router / direct throughput', value: ratio, goal: '>= 0.6', met: ratio >= 0.6 }],
      notes: [
        'Both paths hit the same persons subgraph process (dist/subgraphs/serve.js persons) over the same register copy; the router (dist/router/main.js) adds authentication, purpose/end-user checks, rate limiting, query planning, context signing and its operation audit record.',
        'Direct calls carry a signed context (authz/context.ts signContext, development secret, mds-internal v1) pre-signed ahead of the run: 2,000 tokens with distinct request ids and a 1-hour TTL, rotated per request. The subgraph still verifies one on every request; the direct path only skips the signing, which is router work.',
        `RUNs rotate over ${ctx.sample.runs.length.toLocaleString('en')} members sampled across the register; every answer is checked to carry no GraphQL errors.`,
      ],
      rss: stack.peakRss(),
    };
  } finally {
    await stack.stop();
    work.discard();
  }
}
