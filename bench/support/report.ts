import type { ScenarioResult } from './types';
import type { machine } from './machine';

/** bench/RESULTS.md from the results of one `npm run bench` run. */

function figure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en');
  const abs = Math.abs(value);
  return value.toLocaleString('en', { maximumFractionDigits: abs >= 100 ? 0 : abs >= 1 ? 2 : 3 });
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A scenario's result with the run that measured it. */
export interface StoredResult {
  command: string;
  settings: string;
  machine: ReturnType<typeof machine>;
  result: ScenarioResult;
}

function describeMachine(m: ReturnType<typeof machine>): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}`;
}

export function renderResult(stored: StoredResult): string {
  const { result } = stored;
  const lines = [
    `## ${result.title}`,
    '',
    `Measured ${stored.machine.date} on ${describeMachine(stored.machine)} with \`${stored.command}\`.`,
    '',
  ];
  if (result.ratios.length) {
    lines.push('| ratio (side by side, one run) | value | goal | met |', '|---|---:|---|---|');
    for (const ratio of result.ratios) {
      lines.push(`| ${cell(ratio.label)} | **${ratio.value.toFixed(2)}** | ${cell(ratio.goal ?? '—')} | ${ratio.met === undefined ? '—' : ratio.met ? 'yes' : '**no**'} |`);
    }
    lines.push('');
  }
  if (result.rows.length) {
    lines.push('| figure | value | unit |', '|---|---:|---|');
    for (const row of result.rows) lines.push(`| ${cell(row.label)} | ${figure(row.value)} | ${cell(row.unit)} |`);
    lines.push('');
  }
  if (result.rss && Object.keys(result.rss).length) {
    lines.push('Peak RSS (VmHWM) of each process involved:', '', '| process | peak RSS MiB |', '|---|---:|');
    for (const [name, mib] of Object.entries(result.rss)) lines.push(`| ${cell(name)} | ${figure(mib)} |`);
    lines.push('');
  }
  for (const note of result.notes) lines.push(`- ${note}`);
  lines.push('');
  return lines.join('\n');
}

export function renderReport(options: { stored: StoredResult[]; failures: { id: string; error: string }[]; preamble: string[] }): string {
  const { stored } = options;
  const summary = stored.flatMap(({ result }) =>
    result.ratios.map((ratio) => `| ${result.id.toUpperCase()} | ${cell(ratio.label)} | ${ratio.value.toFixed(2)} | ${cell(ratio.goal ?? '—')} | ${ratio.met === undefined ? '—' : ratio.met ? 'yes' : '**no**'} |`),
  );
  const commands = [...new Set(stored.map((entry) => entry.command))];
  const machines = [...new Set(stored.map((entry) => describeMachine(entry.machine)))];
  const settings = [...new Set(stored.map((entry) => entry.settings))];
  return [
    '# RIS Graph benchmark results',
    '',
    'Written by `bench/run.ts` (`npm run bench`); do not edit by hand. Reproduce with:',
    '',
    '```sh',
    ...commands,
    '```',
    '',
    `Machine: ${machines.join('; ')}.`,
    '',
    `Load: ${settings.join(' / ')}`,
    '',
    ...options.preamble.flatMap((paragraph) => [paragraph, '']),
    '## Summary',
    '',
    '| scenario | ratio | value | goal | met |',
    '|---|---|---:|---|---|',
    ...summary,
    ...options.failures.map((f) => `| ${f.id.toUpperCase()} | did not run: ${cell(f.error.slice(0, 300))} | — | — | — |`),
    '',
    ...stored.map(renderResult),
  ].join('\n');
}
