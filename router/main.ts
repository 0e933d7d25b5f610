import fs from 'node:fs';
import { AgreementError } from '../authz/agreement';
import { openRegistry } from '../authz/registry';
import { ThreadedAuditLog } from '../audit/threaded';
import { AuditUnavailableError } from '../audit/types';
import { ConfigError, loadConfig } from '../lib/config';
import { startRouter, SUPERGRAPH_FILE, type RunningRouter } from './index';

/**
 * Production entry of the router: `node dist/router/main.js`. Reads the configuration, opens the
 * agreements (validated against the supergraph, then watched: a valid change applies without
 * restart) and the audit trail in the register database, serves until SIGINT or SIGTERM, then
 * stops accepting requests, closes connections, the registry and the audit trail, and exits 0.
 * An invalid agreement folder or an audit trail that cannot be opened stops it at start-up.
 */

/** How long a clean stop may take before the process exits anyway, in milliseconds. */
const STOP_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const supergraphSdl = fs.readFileSync(SUPERGRAPH_FILE, 'utf8');
  const registry = openRegistry({ dir: config.agreementsDir, supergraphSdl, production: config.production, watch: true });
  registry.onChange((event) => {
    if (event.applied) console.log(`router: agreements reloaded: ${event.set.agreements.size} in force`);
  });
  let audit: ThreadedAuditLog;
  try {
    audit = await ThreadedAuditLog.open(config.dbPath);
  } catch (error) {
    registry.close();
    throw error;
  }
  let running: RunningRouter;
  try {
    running = await startRouter({ config, registry, audit, supergraphSdl, examples: config.ideExamples });
  } catch (error) {
    registry.close();
    await audit.close();
    throw error;
  }
  console.log(`router: GraphQL at ${running.url}; IDE at ${running.url.replace(/graphql$/, '')}`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`router: ${signal} received, stopping`);
    setTimeout(() => {
      console.error(`router: not stopped after ${STOP_GRACE_MS} ms, exiting`);
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    running
      .stop()
      .finally(() => registry.close())
      .then(() => audit.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`router: error while stopping: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function startupMessage(error: unknown): string {
  if (error instanceof ConfigError) return `config: ${error.message}`;
  if (error instanceof AgreementError) return `agreements: ${error.message}`;
  if (error instanceof AuditUnavailableError) return `audit: ${error.message}`;
  return `router: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

main().catch((error: unknown) => {
  console.error(startupMessage(error));
  process.exit(1);
});
