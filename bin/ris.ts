#!/usr/bin/env node
import { auditCommands } from '../audit/cli';
import { AGREEMENT_USAGE, agreementCommands, keyCommands, type CliIo, type Command } from '../authz/cli';
import { registersCommands } from '../data/import/commands';
import { oracleCommands } from '../data/oracle';

/**
 * `ris`, the officers' and operators' command line: `ris <group> <command> [arguments]`. Each group's commands
 * live beside what they work on (authz/cli.ts, audit/cli.ts, data/import/commands.ts, data/oracle.ts); this entry only dispatches.
 * Exit codes: 0 done, 1 the command found problems, 2 usage error.
 */

const GROUPS: Record<string, Record<string, Command>> = {
  agreements: agreementCommands,
  keys: keyCommands,
  audit: auditCommands,
  registers: registersCommands,
  oracle: oracleCommands,
};

const USAGE = [
  'usage: ris <command> [arguments]',
  ...AGREEMENT_USAGE.map((line) => `  ${line}`),
  '  ris audit verify [--db PATH]',
  '  ris audit who-consulted <RUN> [--db PATH] [--from YYYY-MM-DD] [--to YYYY-MM-DD]',
  '  ris registers import --register <civil|disability|indigenous|health|street|emergency> --file F.csv [--db PATH] [--as-of YYYY-MM-DD] [--force]',
  '  ris registers snapshots [--register R] [--db PATH]',
  '  ris registers export --register R --file F.csv [--db PATH]',
  '  ris registers sample --register R --rows N --as-of YYYY-MM-DD --file F.csv',
  '  ris oracle migrate',
  '  ris oracle load [--from PATH] [--truncate] [--batch N]',
].join('\n');

const commandNames = () =>
  Object.entries(GROUPS)
    .flatMap(([group, commands]) => Object.keys(commands).map((name) => `${group} ${name}`))
    .join(', ');

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [group, name, ...args] = argv;
  if (group === 'help' || group === '--help' || group === '-h') {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  const commands = group === undefined ? undefined : GROUPS[group];
  const command = commands && name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    const got = argv.length === 0 ? 'nothing' : JSON.stringify(argv.slice(0, commands ? 2 : 1).join(' '));
    io.err.write(`${USAGE}\nexpected one of the commands ${commandNames()}, got ${got}\n`);
    return 2;
  }
  return command(args, io);
}

if (require.main === module) {
  // A reader that stops early (`ris agreements explain x | head`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`ris: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
