import fs from 'node:fs';
import { openRegistry } from '../authz/registry';
import { ThreadedAuditLog } from '../audit/threaded';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../lib/config';
import { loadGeography } from '../lib/geo';
import { buildSubgraph, serveSubgraph } from '../lib/subgraph';
import { SUPERGRAPH_FILE } from '../router/index';
import { OracleStore } from '../store/oracle/store';
import { SqliteStore } from '../store/sqlite/store';
import type { Store } from '../store/types';
import { createIdentityService } from '../identity/service';
import { subgraphModule } from '.';

/**
 * Process entry of one subgraph: `node dist/subgraphs/serve.js <persons|households|registers|benefits>`.
 * Reads the configuration, opens the store (SQLite read-only, or Oracle), the agreements (watched:
 * changes apply without restart) and the audit trail, and serves until SIGINT/SIGTERM.
 */
async function main(argv: string[]): Promise<void> {
  const name = argv[0] as SubgraphName;
  if (!SUBGRAPH_NAMES.includes(name)) {
    console.error(`usage: serve.js <${SUBGRAPH_NAMES.join('|')}>: expected a subgraph name, got ${JSON.stringify(argv[0] ?? '')}`);
    process.exit(2);
  }
  const config = loadConfig();
  const store: Store = config.store === 'oracle' && config.oracle ? await OracleStore.open(config.oracle) : SqliteStore.open(config.dbPath);
  const registry = openRegistry({
    dir: config.agreementsDir,
    supergraphSdl: fs.readFileSync(SUPERGRAPH_FILE, 'utf8'),
    production: config.production,
    watch: true,
  });
  // Records are made durable on a writer thread, so the fsync never blocks the event loop.
  const audit = await ThreadedAuditLog.open(config.dbPath);
  const deps = { store, geography: await loadGeography(store), security: { registry, audit, contextSecret: config.contextSecret } };
  // Only the registers process talks to the Civil Registry; the others never open its cache.
  const identity = name === 'registers' ? createIdentityService(config) : null;
  const built = await buildSubgraph(subgraphModule(name, identity), deps);
  const server = await serveSubgraph(built, deps, config.host, config.subgraphPorts[name]);
  console.log(`${name} subgraph ready at ${server.url}`);
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
  console.error(`subgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

