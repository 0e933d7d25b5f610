import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { formatRun } from '../../lib/run';
import { fromRoot } from '../../lib/paths';

/**
 * The benchmark registers under var/bench/: generated once by the project's generator CLI and
 * cached across runs (the 1,000,000-household register takes minutes), never written by a
 * benchmark. Each scenario serves a WORKING COPY (copyForRun): the audit trail lives in the
 * register file, and a run appends hundreds of thousands of records to it, which must neither
 * accumulate across runs nor make one run's register differ from the next run's.
 */

export const BENCH_DIR = fromRoot('var', 'bench');
export const BENCH_SEED = 2017;

export function registerFile(households: number): string {
  return path.join(BENCH_DIR, `register-${households}.db`);
}

/**
 * The cached register of `households` households (seed 2017), generated when missing with the
 * generator's progress bar on this terminal, into `<file>.partial` renamed when complete.
 * Returns the file and whether it was generated now.
 */
export async function ensureRegister(households: number, dist: string, log: (message: string) => void): Promise<{ file: string; generated: boolean }> {
  const file = registerFile(households);
  if (fs.existsSync(file)) {
    if (fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0) checkpoint(file);
    return { file, generated: false };
  }
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const partial = `${file}.partial`;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${partial}${suffix}`, { force: true });
  log(`generating the benchmark register ${file} (${households.toLocaleString('en')} households, seed ${BENCH_SEED}); it is cached for later runs`);
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(dist, 'data', 'cli.js'), '--households', String(households), '--seed', String(BENCH_SEED), '--db', partial], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the generator exited with code ${code}; no register at ${file}`);
  checkpoint(partial);
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(`${partial}${suffix}`)) fs.renameSync(`${partial}${suffix}`, `${file}${suffix}`);
  }
  log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { file, generated: true };
}

/** Folds the WAL into the main file, so that a copy of the one file is the whole register. */
function checkpoint(file: string): void {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** A fresh working copy of `file` for one scenario (under var/bench/work/); remove it with `discard`. */
export function copyForRun(file: string, label: string): { file: string; discard(): void } {
  const dir = path.join(BENCH_DIR, 'work');
  fs.mkdirSync(dir, { recursive: true });
  const copy = path.join(dir, `${label}-${path.basename(file)}`);
  const discard = () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${copy}${suffix}`, { force: true });
  };
  discard();
  fs.copyFileSync(file, copy);
  return { file: copy, discard };
}

export interface KeySample {
  runs: string[];
  householdIds: string[];
}

/**
 * `count` RUNs (of persons who are household members) and `count` household ids spread over the
 * whole register: ordered by a multiplicative hash of the key, so the sample is deterministic,
 * not the first rows, and touches pages all over the file as real traffic does.
 */
export function sampleKeys(file: string, count: number): KeySample {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const runs = (db.prepare('SELECT run FROM household_member ORDER BY (run * 2654435761) % 4294967296 LIMIT ?').all(count) as { run: number }[])
      .map((row) => formatRun(row.run));
    const householdIds = (db.prepare('SELECT id FROM household ORDER BY (id * 2654435761) % 4294967296 LIMIT ?').all(count) as { id: number }[])
      .map((row) => String(row.id));
    if (runs.length < count || householdIds.length < count) {
      throw new Error(`expected ${count} RUNs and household ids in ${file}, got ${runs.length} and ${householdIds.length}`);
    }
    return { runs, householdIds };
  } finally {
    db.close();
  }
}

/** Households of exactly `size` members in `file` (the first `limit` by id). */
export function householdsOfSize(file: string, size: number, limit: number): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT household_id AS id FROM household_member GROUP BY household_id HAVING count(*) = ? ORDER BY household_id LIMIT ?').all(size, limit) as { id: number }[])
      .map((row) => String(row.id));
  } finally {
    db.close();
  }
}

/**
 * The agreements the benchmark stacks load: the shipped ones, with the demo internal agreement's
 * rate limit raised from 6,000 requests a minute to 100,000,000, so that the limiter admits the
 * load instead of answering RATE_LIMITED (the limiter still runs on every request).
 */
export function benchAgreementsDir(): string {
  const dir = path.join(BENCH_DIR, 'agreements');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const source = fromRoot('authz', 'agreements');
  for (const name of fs.readdirSync(source)) {
    let text = fs.readFileSync(path.join(source, name), 'utf8');
    if (name === 'mds-internal.yaml') {
      const raised = text.replace(/limits:\s*\{\s*requestsPerMinute:\s*\d+\s*\}/, 'limits: { requestsPerMinute: 100000000 }');
      if (raised === text) throw new Error(`expected a limits line in ${path.join(source, name)} to raise for the benchmark, got none`);
      text = raised;
    }
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
