import fs from 'node:fs';
import { openRegistry } from '../../authz/registry';
import { ThreadedAuditLog } from '../../audit/threaded';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../lib/config';
import { loadGeography } from '../../lib/geo';
import { serveSubgraph } from '../../lib/subgraph';
import { SUPERGRAPH_FILE } from '../../router/index';
import { SqliteStore } from '../../store/sqlite/store';
import { createIdentityService } from '../../identity/service';
import { subgraphModule } from '../../subgraphs';
import { buildVariant, type SecurityVariant } from './variants';

/**
 * A subgraph process for S4: `node dist/bench/support/serve-variant.js <name> <on|audit-off|off>`,
 * configured like dist/subgraphs/serve.js (RIS_* variables, SQLite store), built by
 * bench/support/variants.ts buildVariant.
 */
async function main(argv: string[]): Promise<void> {
  const name = argv[0] as SubgraphName;
  const variant = argv[1] as SecurityVariant;
  if (!SUBGRAPH_NAMES.includes(name) || !['on', 'audit-off', 'off'].includes(variant)) {
    throw new Error(`usage: serve-variant.js <${SUBGRAPH_NAMES.join('|')}> <on|audit-off|off>, got ${JSON.stringify(argv.join(' '))}`);
  }
  const config = loadConfig();
  const store = SqliteStore.open(config.dbPath);
  const registry = openRegistry({ dir: config.agreementsDir, supergraphSdl: fs.readFileSync(SUPERGRAPH_FILE, 'utf8'), production: false, watch: false });
  const audit = await ThreadedAuditLog.open(config.dbPath);
  const deps = { store, geography: await loadGeography(store), security: { registry, audit, contextSecret: config.contextSecret } };
  const identity = name === 'registers' ? createIdentityService(config) : null;
  const built = await buildVariant(variant, subgraphModule(name, identity), deps);
  const server = await serveSubgraph(built, deps, config.host, config.subgraphPorts[name]);
  console.log(`${name} subgraph (security ${variant}) ready at ${server.url}`);
  const stop = async () => {
    await server.close();
    await built.stop();
    await identity?.close();
    registry.close();
    await audit.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`subgraph variant failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
