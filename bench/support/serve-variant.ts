import { SUBGRAPH_NAMES, type SubgraphName } from '../../lib/config';
import { runSubgraphProcess } from '../../subgraphs/process';
import { buildVariant, type SecurityVariant } from './variants';

/**
 * A subgraph process for S4: `node dist/bench/support/serve-variant.js <name> <on|audit-off|off>`,
 * run like dist/subgraphs/serve.js (subgraphs/process.ts), built by
 * bench/support/variants.ts buildVariant.
 */
async function main(argv: string[]): Promise<void> {
  const name = argv[0] as SubgraphName;
  const variant = argv[1] as SecurityVariant;
  if (!SUBGRAPH_NAMES.includes(name) || !['on', 'audit-off', 'off'].includes(variant)) {
    throw new Error(`usage: serve-variant.js <${SUBGRAPH_NAMES.join('|')}> <on|audit-off|off>, got ${JSON.stringify(argv.join(' '))}`);
  }
  await runSubgraphProcess(name, {
    build: (module, deps) => buildVariant(variant, module, deps),
    watchAgreements: false,
    label: `(security ${variant})`,
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`subgraph variant failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
