import path from 'node:path';
import { fromRoot } from '../lib/paths';
import { machine } from './support/machine';
import { benchAgreementsDir, ensureRegister, sampleKeys } from './support/register';
import type { BenchContext } from './support/types';
import { runS2 } from './s2-router-choice';

/**
 * S2 alone, without the runner (prints the result as JSON):
 *   npm run build && node dist/bench/s2-main.js [--duration 10] [--runs 3] [--warmup 5] [--connections 16]
 */
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
}

async function main(): Promise<void> {
  const started = Date.now();
  const log = (message: string) => console.log(`[s2 ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  const dist = path.resolve(__dirname, '..');
  const households = option('households', 20_000);
  const { file } = await ensureRegister(households, dist, log);
  const ctx: BenchContext = {
    root: fromRoot(),
    dist,
    registerFile: file,
    households,
    agreementsDir: benchAgreementsDir(),
    sample: sampleKeys(file, 5_000),
    load: { warmupSeconds: option('warmup', 5), durationSeconds: option('duration', 10), runs: option('runs', 3), connections: option('connections', 16) },
    log,
  };
  console.log(JSON.stringify({ machine: machine(), load: ctx.load, result: await runS2(ctx) }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
