import os from 'node:os';

/** The machine a result was measured on, for RESULTS.md. */
export function machine(): { cores: number; cpu: string; node: string; memoryGiB: number; os: string; date: string } {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}
