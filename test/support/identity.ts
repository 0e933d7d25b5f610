import { createIdentityService, type IdentityService } from '../../identity/service';
import { loadConfig } from '../../lib/config';
import { startSimulator, type RunningSimulator } from '../../simulator/civil-registry';
import type { TestRegister } from './register';

/**
 * The identity check as a process runs it, for tests that need the registers subgraph: the
 * civil-registry simulator on a free port over the test register (fast, so tests do not wait on
 * the 2/s production rate) and an IdentityService with its caches in the register's database.
 */
export interface TestIdentity {
  service: IdentityService;
  simulator: RunningSimulator;
  close(): Promise<void>;
}

export async function startTestIdentity(register: TestRegister): Promise<TestIdentity> {
  const simulator = await startSimulator({ dbPath: register.file, port: 0, ratePerSecond: 1000, latencyMs: 0 });
  const base = loadConfig({});
  const config = {
    ...base,
    dbPath: register.file,
    civilRegistry: { ...base.civilRegistry, url: simulator.url, ratePerSecond: 1000 },
  };
  const service = createIdentityService(config);
  return {
    service,
    simulator,
    close: async () => {
      await service.close();
      await simulator.close();
    },
  };
}
