import { ConfigError, loadConfig } from '../lib/config';
import { startSimulator } from './civil-registry';

/**
 * Process entry of the civil-registry SIMULATOR (a stand-in for the external Civil Registry):
 * `node dist/simulator/main.js`. Serves config.dbPath's civil_identity table on
 * RIS_SIMULATOR_PORT (4010) at RIS_SIMULATOR_RATE requests a second with RIS_SIMULATOR_LATENCY_MS
 * of latency, until SIGINT/SIGTERM. Never part of a production deployment: there,
 * RIS_CIVIL_REGISTRY_URL points at the real service.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const { port, ratePerSecond, latencyMs } = config.simulator;
  const simulator = await startSimulator({ dbPath: config.dbPath, host: config.host, port, ratePerSecond, latencyMs });
  console.log(`civil-registry simulator (stand-in for the Registro Civil identity service) ready at ${simulator.url}: ${ratePerSecond} requests/s, ${latencyMs} ms latency`);
  const stop = async () => {
    await simulator.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`civil-registry simulator failed to start: ${error instanceof ConfigError ? `config: ${error.message}` : error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
