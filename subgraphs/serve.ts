import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/config';
import { runSubgraphProcess } from './process';

/**
 * Process entry of one subgraph: `node dist/subgraphs/serve.js <persons|households|registers|benefits>`
 * (see subgraphs/process.ts for what it opens and serves).
 */
const name = process.argv[2] as SubgraphName;
if (!SUBGRAPH_NAMES.includes(name)) {
  console.error(`usage: serve.js <${SUBGRAPH_NAMES.join('|')}>: expected a subgraph name, got ${JSON.stringify(process.argv[2] ?? '')}`);
  process.exit(2);
}
runSubgraphProcess(name).catch((error: unknown) => {
  console.error(`subgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
