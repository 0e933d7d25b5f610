import { registersCommands, USAGE } from './commands';

/**
 * Standalone entry of the register imports, the same commands as `ris registers <command>`:
 *
 *   node dist/data/import/cli.js import --register disability --file disability_2025-11-30.csv
 *
 * Exit code: 0 done, 1 refused or failed (nothing changed), 2 bad arguments.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : registersCommands[name];
  if (command === undefined) {
    process.stderr.write(`expected a command (${Object.keys(registersCommands).join(', ')}), got ${name === undefined ? 'nothing' : JSON.stringify(name)}\n${USAGE}\n`);
    return 2;
  }
  return command(args, { out: process.stdout, err: process.stderr });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
