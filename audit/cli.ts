import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../lib/config';
import { formatCount } from '../lib/progress';
import { parseRun, RunFormatError } from '../lib/run';
import { dayStart, whoConsulted, type Consultation } from './query';
import { verifyAudit } from './verify';

/**
 * The officers' audit commands, dispatched by the CLI entry as `ris audit <command>`:
 *
 *   verify [--db PATH]                                         exit 0 intact, 1 broken
 *   who-consulted <RUN> [--db PATH] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *
 * Exit 2 for a usage error (unknown option, invalid RUN or date, missing database). The database
 * is opened read-only; the default path is the configured one (RIS_DB_PATH).
 */

export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  out: CliOutput;
  err: CliOutput;
}

export type AuditCommand = (args: string[], io: CliIO) => Promise<number>;

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  options: Map<string, string>;
}

function parseArgs(args: string[], allowed: readonly string[]): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!allowed.includes(name)) {
      throw new UsageError(`unknown option ${name}: expected ${allowed.join(', ')}`);
    }
    const value = inline ?? args[(i += 1)];
    if (value === undefined || value === '') throw new UsageError(`expected a value after ${name}, got nothing`);
    options.set(name, value);
  }
  return { positional, options };
}

/** Opens the database read-only: the --db path, else the configured RIS_DB_PATH. */
function openDatabase(option: string | undefined): Database.Database {
  const file = path.resolve(option ?? loadConfig().dbPath);
  if (!fs.existsSync(file)) throw new UsageError(`expected the register database at ${file}, got no file (pass --db PATH)`);
  return new Database(file, { readonly: true, fileMustExist: true });
}

/** Runs a command body; a usage error (or a configuration or storage failure) prints its message and exits 2. */
async function run(io: CliIO, body: () => number): Promise<number> {
  try {
    return body();
  } catch (error) {
    const expected = error instanceof UsageError || error instanceof RunFormatError || error instanceof RangeError;
    io.err.write(`${expected ? '' : 'audit: '}${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

const verify: AuditCommand = (args, io) =>
  run(io, () => {
    const { positional, options } = parseArgs(args, ['--db']);
    if (positional.length > 0) throw new UsageError(`expected no arguments besides --db, got ${JSON.stringify(positional[0])}`);
    const db = openDatabase(options.get('--db'));
    try {
      const result = verifyAudit(db, { progress: io.err });
      const head = result.head ? `head: record ${result.head.seq}, hash ${result.head.hash}\n` : '';
      if (result.ok) {
        io.out.write(`audit trail intact: ${formatCount(result.records)} records\n${head}`);
        return 0;
      }
      const count = result.problems.length === 1 ? '1 problem' : `${result.problems.length} problems`;
      io.out.write(`audit trail BROKEN: ${count} in ${formatCount(result.records)} records (the first is the first broken record)\n`);
      for (const { seq, problem } of result.problems) io.out.write(`  record ${seq}: ${problem}\n`);
      io.out.write(head);
      return 1;
    } finally {
      db.close();
    }
  });

const dash = (value: string | number | null): string => (value === null || value === '' ? '-' : String(value));

/** The rows of the who-consulted table, header first. */
export function consultationTable(consultations: Consultation[]): string[][] {
  const header = ['AT (UTC)', 'REQUEST', 'AGREEMENT', 'INSTITUTION', 'END USER', 'PURPOSE', 'CASE', 'SUBGRAPH', 'OPERATION', 'COORDINATES'];
  const rows = consultations.map((c) => [
    c.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    c.requestId,
    c.agreementId === null ? '-' : `${c.agreementId} v${dash(c.agreementVersion)}`,
    dash(c.institution),
    dash(c.endUser),
    dash(c.purpose),
    dash(c.caseRef),
    c.process,
    c.operation === null ? '(no operation record)' : `${dash(c.operation.name)} → ${c.operation.outcome}`,
    c.coordinates.join(', '),
  ]);
  return [header, ...rows];
}

function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => rows.reduce((widest, row) => Math.max(widest, row[column].length), 0));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n');
}

const whoConsultedCommand: AuditCommand = (args, io) =>
  run(io, () => {
    const { positional, options } = parseArgs(args, ['--db', '--from', '--to']);
    if (positional.length !== 1) {
      throw new UsageError(`expected one RUN, e.g. \`who-consulted 12.345.678-5\`, got ${positional.length} arguments`);
    }
    const runText = parseRun(positional[0]);
    const period = { from: options.get('--from'), to: options.get('--to') };
    if (period.from !== undefined) dayStart('--from', period.from);
    if (period.to !== undefined) dayStart('--to', period.to);
    const db = openDatabase(options.get('--db'));
    try {
      const consultations = whoConsulted(db, runText, period);
      const between = [period.from && `from ${period.from}`, period.to && `to ${period.to}`].filter(Boolean).join(' ');
      const scope = `${runText}${between ? ` ${between}` : ''}`;
      if (consultations.length === 0) {
        io.out.write(`no recorded consultations of ${scope}\n`);
        return 0;
      }
      const count = consultations.length === 1 ? '1 consultation' : `${consultations.length} consultations`;
      io.out.write(`${count} of ${scope}:\n${formatTable(consultationTable(consultations))}\n`);
      return 0;
    } finally {
      db.close();
    }
  });

export const auditCommands: Record<string, AuditCommand> = {
  verify,
  'who-consulted': whoConsultedCommand,
};
