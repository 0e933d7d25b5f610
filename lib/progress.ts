/**
 * A progress reporter for long work (generation, imports). On a terminal it draws one bar redrawn
 * in place with `\r` at most ~10 times a second; elsewhere (CI logs, files) it prints a plain line
 * at every 10% so logs show progress without flooding.
 *
 *   const progress = createProgress('households', total);
 *   progress.tick(done);   // any number of times, with the count done so far
 *   progress.done();       // once, at the end (prints the final line)
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** Reports that `done` of `total` units are finished (monotonic; smaller values are ignored). */
  tick(done: number): void;
  /** Finishes the report: prints the final state and a newline. Further ticks are ignored. */
  done(): void;
}

export interface ProgressOptions {
  /** Milliseconds source (tests pass a fake clock). */
  now?: () => number;
  /** Least milliseconds between two redraws on a terminal. */
  intervalMs?: number;
}

const BAR_WIDTH = 24;

/** "12.3 s", "4 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** 1234567 → "1,234,567". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function createProgress(
  label: string,
  total: number,
  stream: ProgressStream = process.stderr,
  options: ProgressOptions = {},
): Progress {
  if (!Number.isFinite(total) || total < 0) {
    throw new RangeError(`expected a total >= 0 for progress "${label}", got ${String(total)}`);
  }
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 100;
  const tty = stream.isTTY === true;
  const started = now();
  let current = 0;
  let lastDraw = -Infinity;
  let lastDecile = 0;
  let finished = false;

  function line(): string {
    const elapsed = (now() - started) / 1000;
    const fraction = total === 0 ? 1 : Math.min(1, current / total);
    const rate = elapsed > 0 ? current / elapsed : 0;
    const eta = rate > 0 ? (total - current) / rate : Infinity;
    const percent = `${(fraction * 100).toFixed(1).padStart(tty ? 5 : 0)}%`;
    const counts = `${formatCount(current)}/${formatCount(total)}`;
    const tail = current >= total ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`;
    const stats = `${percent} ${counts} ${formatCount(rate)}/s ${tail}`;
    if (!tty) return `${label}: ${stats}`;
    const filled = Math.round(fraction * BAR_WIDTH);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${stats}`;
  }

  function draw(): void {
    if (tty) {
      const text = line();
      const width = stream.columns ?? 0;
      stream.write(`\r${width > 1 ? text.slice(0, width - 1).padEnd(width - 1) : text}`);
    } else {
      stream.write(`${line()}\n`);
    }
  }

  return {
    tick(done: number): void {
      if (finished || !(done > current)) return;
      current = Math.min(done, total);
      if (tty) {
        const t = now();
        if (t - lastDraw >= intervalMs) {
          lastDraw = t;
          draw();
        }
      } else {
        const decile = total === 0 ? 10 : Math.floor((current / total) * 10);
        if (decile > lastDecile && decile < 10) {
          lastDecile = decile;
          draw();
        }
      }
    },
    done(): void {
      if (finished) return;
      finished = true;
      current = total;
      draw();
      if (tty) stream.write('\n');
    },
  };
}
