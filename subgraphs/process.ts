import fs from 'node:fs';
import { openRegistry } from '../authz/registry';
import { ThreadedAuditLog } from '../audit/threaded';
import { createIdentityService } from '../identity/service';
import { loadConfig, type SubgraphName } from '../lib/config';
import { loadGeography } from '../lib/geo';
import { buildSubgraph, serveSubgraph, type BuiltSubgraph, type SubgraphDeps, type SubgraphModule } from '../lib/subgraph';
import { SUPERGRAPH_FILE } from '../router/index';
import { OracleStore } from '../store/oracle/store';
import { SqliteStore } from '../store/sqlite/store';
import type { Store } from '../store/types';
import { subgraphModule } from '.';

/**
 * Runs one subgraph as a process: reads the configuration, opens the store (SQLite read-only, or
 * Oracle), the agreements and the audit trail, serves until SIGINT/SIGTERM, then closes all of it.
 * The process entry (subgraphs/serve.ts) and the benchmark's security variants share it.
 */
export interface SubgraphProcessOptions {
  /** How the subgraph is built: buildSubgraph, unless a benchmark builds a variant. */
  build?: (module: SubgraphModule<unknown>, deps: SubgraphDeps) => Promise<BuiltSubgraph<unknown>>;
  /** Watch the agreements folder so changes apply without restart (default true). */
  watchAgreements?: boolean;
  /** Words added to the "ready" log line. */
  label?: string;
}

export async function runSubgraphProcess(name: SubgraphName, options: SubgraphProcessOptions = {}): Promise<void> {
  const config = loadConfig();
  const store: Store = config.store === 'oracle' && config.oracle ? await OracleStore.open(config.oracle) : SqliteStore.open(config.dbPath);
  const registry = openRegistry({
    dir: config.agreementsDir,
    supergraphSdl: fs.readFileSync(SUPERGRAPH_FILE, 'utf8'),
    production: config.production,
    watch: options.watchAgreements ?? true,
  });
  // Records are made durable on a writer thread, so the fsync never blocks the event loop.
  const audit = await ThreadedAuditLog.open(config.dbPath);
  const deps = { store, geography: await loadGeography(store), security: { registry, audit, contextSecret: config.contextSecret } };
  // Only the registers process talks to the Civil Registry; the others never open its cache.
  const identity = name === 'registers' ? createIdentityService(config) : null;
  const build = options.build ?? ((module, d) => buildSubgraph(module, d));
  const built = await build(subgraphModule(name, identity), deps);
  const server = await serveSubgraph(built, deps, config.host, config.subgraphPorts[name]);
  console.log(`${name} subgraph${options.label ? ` ${options.label}` : ''} ready at ${server.url}`);
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
