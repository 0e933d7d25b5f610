import fs from 'node:fs';
import { openRegistry } from '../../authz/registry';
import { loadConfig } from '../../lib/config';
import { startRouter, SUPERGRAPH_FILE } from '../../router/index';
import { NO_AUDIT } from './variants';

/**
 * The router for S4's security-off variants: `node dist/bench/support/router-variant.js`, the
 * product's startRouter configured like dist/router/main.js but with an audit log that writes
 * nothing (authentication, purpose, end user, rate limit and context signing stay on: they are
 * admission, not an optional cost).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const supergraphSdl = fs.readFileSync(SUPERGRAPH_FILE, 'utf8');
  const registry = openRegistry({ dir: config.agreementsDir, supergraphSdl, production: false, watch: false });
  const running = await startRouter({ config, registry, audit: NO_AUDIT, supergraphSdl, examples: config.ideExamples });
  console.log(`router (audit off) at ${running.url}`);
  const stop = () => {
    void running.stop().finally(() => {
      registry.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`router variant failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
