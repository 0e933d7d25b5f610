import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../lib/config';

/**
 * The federated API as production runs it, for load tests: each subgraph and the router its own
 * Node process (the compiled entries dist/subgraphs/serve.js and dist/router/main.js, exactly
 * what `npm start` runs), configured through the RIS_* environment (lib/config.ts) on free ports
 * of 127.0.0.1, over one register file. The load generator stays in the calling process.
 */

export interface Child {
  name: string;
  process: ChildProcess;
  /** Lines the child printed (stdout and stderr), for a failure message. */
  output: string[];
}

export interface ProcessStack {
  routerUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  children: Child[];
  /** Peak resident set (VmHWM) of each child so far, MiB, by child name. */
  peakRss(): Record<string, number>;
  stop(): Promise<void>;
}

/** A port the kernel just handed out on 127.0.0.1 (free now; tiny race acceptable for a bench). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Peak resident set size of `pid` in MiB (VmHWM of /proc/<pid>/status); null when it has gone. */
export function peakRssMiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

export function peakRssOf(children: Child[]): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const child of children) {
    const value = child.process.pid === undefined ? null : peakRssMiB(child.process.pid);
    if (value !== null) rss[child.name] = value;
  }
  return rss;
}

/** Every child started and not yet exited, so that an interrupted bench leaves none behind. */
const live = new Set<ChildProcess>();

/** SIGKILLs every child still running (the runner's SIGINT/SIGTERM handler). */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Starts `node <args>` with `env`; keeps its last output lines for error messages. */
export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      output.push(line);
      if (output.length > 50) output.shift();
    });
  }
  return { name, process: child, output };
}

export async function stopChildren(children: Child[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          const p = child.process;
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          const killer = setTimeout(() => p.kill('SIGKILL'), 5_000);
          p.once('exit', () => {
            clearTimeout(killer);
            resolve();
          });
          p.kill('SIGTERM');
        }),
    ),
  );
}

/** Waits until `url` answers 200, or throws naming the children's last output. */
export async function waitFor(url: string, children: Child[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const dead = children.find((child) => child.process.exitCode !== null || child.process.signalCode !== null);
    if (dead) throw new Error(`${dead.name} exited (${dead.process.exitCode ?? dead.process.signalCode}) while starting:\n${dead.output.join('\n')}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return;
    } catch {
      last = 'no answer';
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`expected ${url} to answer 200 within ${timeoutMs / 1000} s, last got ${last}`);
}

export interface StackOptions {
  /** dist/ of the compiled project. */
  dist: string;
  /** The register (and audit trail) every process opens. */
  dbPath: string;
  agreementsDir: string;
  /** Prefix of the child names, e.g. '20k ' → '20k router'. */
  label?: string;
  /**
   * The node arguments of each subgraph process; default the production entry
   * [dist/subgraphs/serve.js, name]. Variants (S4) pass a bench entry here.
   */
  subgraphArgs?: (name: SubgraphName) => string[];
  /** The node arguments of the router process; default [dist/router/main.js]. Null: no router. */
  routerArgs?: string[] | null;
  /** More environment for every child. */
  env?: NodeJS.ProcessEnv;
}

/** The RIS_* environment of a stack on the given ports. */
export function stackEnv(options: StackOptions, ports: Record<SubgraphName, number> & { router: number; civilRegistry: number }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    RIS_HOST: '127.0.0.1',
    RIS_DB_PATH: options.dbPath,
    RIS_AGREEMENTS_DIR: options.agreementsDir,
    RIS_ROUTER_PORT: String(ports.router),
    // No scenario but S6 (in-process) verifies identities; nothing listens there.
    RIS_CIVIL_REGISTRY_URL: `http://127.0.0.1:${ports.civilRegistry}`,
    ...options.env,
  };
  for (const name of SUBGRAPH_NAMES) env[`RIS_${name.toUpperCase()}_PORT`] = String(ports[name]);
  return env;
}

/** Starts the four subgraphs and (unless routerArgs is null) the router; resolves when all are ready. */
export async function startProcessStack(options: StackOptions): Promise<ProcessStack> {
  const ports = {
    router: await freePort(),
    civilRegistry: await freePort(),
    persons: await freePort(),
    households: await freePort(),
    registers: await freePort(),
    benefits: await freePort(),
  };
  const env = stackEnv(options, ports);
  const label = options.label ?? '';
  const children: Child[] = [];
  const subgraphUrls = {} as Record<SubgraphName, string>;
  try {
    for (const name of SUBGRAPH_NAMES) {
      const args = options.subgraphArgs?.(name) ?? [path.join(options.dist, 'subgraphs', 'serve.js'), name];
      children.push(startChild(`${label}${name}`, args, env));
      subgraphUrls[name] = `http://127.0.0.1:${ports[name]}/graphql`;
    }
    for (const name of SUBGRAPH_NAMES) await waitFor(`http://127.0.0.1:${ports[name]}/healthz`, children);
    const routerArgs = options.routerArgs === undefined ? [path.join(options.dist, 'router', 'main.js')] : options.routerArgs;
    if (routerArgs) {
      children.push(startChild(`${label}router`, routerArgs, env));
      await waitFor(`http://127.0.0.1:${ports.router}/readyz`, children);
    }
  } catch (error) {
    await stopChildren(children);
    throw error;
  }
  return {
    routerUrl: `http://127.0.0.1:${ports.router}/graphql`,
    subgraphUrls,
    children,
    peakRss: () => peakRssOf(children),
    stop: () => stopChildren(children),
  };
}
