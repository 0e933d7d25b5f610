/**
 * The contract between the bench runner (bench/run.ts) and each scenario (bench/sN-*.ts).
 * A scenario is `(ctx: BenchContext) => Promise<ScenarioResult>`; the runner prints and writes
 * every result into bench/RESULTS.md in the order the scenarios ran.
 */

/** One measured figure, e.g. { label: 'router: req/s (median of 3)', value: 812, unit: 'req/s' }. */
export interface Row {
  label: string;
  value: number;
  unit: string;
}

/**
 * A ratio measured side by side in one run, e.g. { label: 'router / direct throughput',
 * value: 0.71, goal: '>= 0.6', met: true }. `goal` is free text; `met` is left out when there is
 * no goal (or the ratio is informative only).
 */
export interface Ratio {
  label: string;
  value: number;
  goal?: string;
  met?: boolean;
}

export interface ScenarioResult {
  /** 's1' … 's6'. */
  id: string;
  title: string;
  rows: Row[];
  ratios: Ratio[];
  /** How it was measured, caveats, what a number means; one paragraph or line each. */
  notes: string[];
  /** Peak RSS in MiB of each process involved, by a readable name ('router', 'persons', 'hive-gateway'). */
  rss?: Record<string, number>;
}

/** Load settings for autocannon runs; the runner fills them from the command line / defaults. */
export interface LoadSettings {
  /** Discarded warm-up run, seconds. */
  warmupSeconds: number;
  /** Length of each measured run, seconds. */
  durationSeconds: number;
  /** How many measured runs; the median is reported. */
  runs: number;
  /** Concurrent connections autocannon keeps open. */
  connections: number;
}

export interface BenchContext {
  /** Absolute path of the project root (/work/main on this machine). */
  root: string;
  /** Absolute path of the compiled tree (dist/), where subgraphs/serve.js and router/main.js live. */
  dist: string;
  /** The default-size benchmark register (SQLite file, 20,000 households), generated if missing. */
  registerFile: string;
  /** Number of households in registerFile. */
  households: number;
  /**
   * The agreement folder every stack loads (RIS_AGREEMENTS_DIR): the shipped agreements with
   * mds-internal's rate limit raised so the limiter admits benchmark load (bench/support/register.ts).
   */
  agreementsDir: string;
  /** Realistic varied keys sampled from registerFile (about 5,000 of each). */
  sample: { runs: string[]; householdIds: string[] };
  load: LoadSettings;
  /** Prints one progress line (prefixed with the scenario id by the runner). */
  log(message: string): void;
}

export type Scenario = (ctx: BenchContext) => Promise<ScenarioResult>;
