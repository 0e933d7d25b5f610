import { ConfigError, loadConfig } from '../lib/config';
import { startRouter } from './index';

/**
 * Production entry of the router: `node dist/router/main.js`. Reads the configuration, serves until
 * SIGINT or SIGTERM, then stops accepting requests, closes connections and exits 0.
 */

/** How long a clean stop may take before the process exits anyway, in milliseconds. */
const STOP_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const router = await startRouter({ config, examples: config.ideExamples });
  console.log(`router: GraphQL at ${router.url}; IDE at ${router.url.replace(/graphql$/, '')}`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`router: ${signal} received, stopping`);
    setTimeout(() => {
      console.error(`router: not stopped after ${STOP_GRACE_MS} ms, exiting`);
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    router.stop().then(
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

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `config: ${error.message}` : `router: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
