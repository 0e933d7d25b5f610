import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { exampleRecords, type ExampleHousehold, type ExampleRecords } from '../data/generate';
import { ConfigError, loadConfig, SUBGRAPH_NAMES, type Config } from '../lib/config';

/**
 * `npm start` (after the build): the whole system on one machine for development.
 *
 * 1. Creates the embedded database with the generator CLI when config.dbPath does not exist. It is
 *    written to `<dbPath>.partial` and renamed when complete, so an interrupted generation is
 *    started again next time instead of leaving a half-filled register behind.
 * 2. Starts the civil-registry simulator (the stand-in for the external Civil Registry) when
 *    config.civilRegistry.url points at it, and waits for its /healthz; then the four subgraphs
 *    and the router, as child processes, each output line prefixed with the child's name, and
 *    waits for the router's /readyz.
 * 3. Prints the IDE and GraphQL URLs, example records and a curl command.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops every child (SIGTERM, then SIGKILL after STOP_GRACE_MS) and
 * exits 0. A child that dies on its own stops the others and exits 1 naming it.
 */

/** How long children get to stop after SIGTERM before SIGKILL, in milliseconds. */
const STOP_GRACE_MS = 5_000;
/** How long the router may take to become ready, in milliseconds. */
const READY_TIMEOUT_MS = 60_000;
/** How long the simulator may take to answer /healthz, in milliseconds. */
const SIMULATOR_READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 250;

/** Compiled entry points, beside this file in dist/. */
const DIST = path.resolve(__dirname, '..');
const GENERATOR_CLI = path.join(DIST, 'data', 'cli.js');
const SUBGRAPH_SERVER = path.join(DIST, 'subgraphs', 'serve.js');
const ROUTER_MAIN = path.join(DIST, 'router', 'main.js');
const SIMULATOR_MAIN = path.join(DIST, 'simulator', 'main.js');

interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (null when ended by a signal) once the child has exited. */
  exited: Promise<number | null>;
}

const children: Child[] = [];
let stopping = false;

/**
 * A terminal's Ctrl-C reaches the children too (same process group), and one of them may exit
 * before this process handles its own SIGINT; an exit is judged unexpected only if no stop
 * began within this many milliseconds.
 */
const EXIT_VERDICT_DELAY_MS = 300;

function log(message: string): void {
  console.log(`[start] ${message}`);
}

/** Copies a child's output line by line, each prefixed with its name. */
function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string, out: NodeJS.WriteStream): void {
  if (!stream) return;
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

/**
 * Starts `node <args>` as the child `name`. A `service` child must run until stopped: its exit
 * stops everything with exit code 1. Otherwise its output goes straight to this terminal (the
 * generator's progress bar) and the caller awaits its exit.
 */
function startChild(name: string, args: string[], options: { service: boolean; env?: NodeJS.ProcessEnv }): Child {
  const child = spawn(process.execPath, args, {
    env: options.env ?? process.env,
    stdio: options.service ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (options.service) {
    const prefix = `[${name}]`.padEnd(16);
    prefixLines(child.stdout, prefix, process.stdout);
    prefixLines(child.stderr, prefix, process.stderr);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      console.error(`[start] ${name} could not be started: ${error.message}`);
      resolve(null);
      if (!stopping) void stopAll(1);
    });
    child.once('exit', (code, signal) => {
      resolve(code);
      if (!options.service) return;
      setTimeout(() => {
        if (stopping) return;
        console.error(`[start] ${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping the others`);
        void stopAll(1);
      }, EXIT_VERDICT_DELAY_MS);
    });
  });
  const entry = { name, process: child, exited };
  children.push(entry);
  return entry;
}

/** SIGTERM to every running child, SIGKILL to those still running after STOP_GRACE_MS; then exits. */
async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  const running = children.filter((child) => child.process.exitCode === null && child.process.signalCode === null);
  for (const child of running) child.process.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const child of running) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        console.error(`[start] ${child.name} did not stop within ${STOP_GRACE_MS} ms; killing it`);
        child.process.kill('SIGKILL');
      }
    }
  }, STOP_GRACE_MS);
  await Promise.all(running.map((child) => child.exited));
  clearTimeout(killer);
  log(exitCode === 0 ? 'stopped' : 'stopped after a failure');
  process.exit(exitCode);
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) return;
  log(`${signal} received, stopping`);
  void stopAll(0);
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** Runs the generator CLI in the foreground (its progress bar on this terminal) into config.dbPath. */
async function createDatabase(config: Config): Promise<void> {
  const partial = `${config.dbPath}.partial`;
  fs.mkdirSync(path.dirname(config.dbPath), { recursive: true });
  removeDatabase(partial);
  log(`creating the embedded register at ${config.dbPath}: ${config.households} households, seed ${config.seed}`);
  const generator = startChild(
    'generator',
    [GENERATOR_CLI, '--households', String(config.households), '--seed', String(config.seed), '--db', partial],
    { service: false },
  );
  const code = await generator.exited;
  if (stopping) return new Promise<void>(() => undefined);
  if (code !== 0) throw new Error(`the generator (${GENERATOR_CLI}) exited with code ${code}; no database was created`);
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(`${partial}${suffix}`)) fs.renameSync(`${partial}${suffix}`, `${config.dbPath}${suffix}`);
  }
}

/** Waits until `readyUrl` answers 200 within `timeoutMs`; throws with the last body otherwise. */
async function waitUntilReady(readyUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) });
      last = await response.text();
      if (response.status === 200) return;
    } catch {
      last = 'no answer';
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`expected ${readyUrl} to answer 200 within ${timeoutMs / 1000} s, last got: ${last}`);
}

const NONE = '(none in this register)';

function describeHousehold(household: ExampleHousehold | null): string {
  return household ? `id ${household.id} (${household.size} members, head ${household.headRun})` : NONE;
}

/**
 * The RUN and household the IDE's example operations use: a member of Seguridades y Oportunidades
 * (so every example returns data) or else a household head, and the Santiago household.
 */
function ideExamples(examples: ExampleRecords): { run: string | null; householdId: string | null } {
  const household = examples.santiagoHousehold ?? examples.largestHousehold;
  return { run: examples.subsystemRun ?? household?.headRun ?? null, householdId: household?.id ?? null };
}

/**
 * The civil-registry simulator, started before the registers subgraph so that its first identity
 * check finds it, unless config.civilRegistry.url names another service (a real Civil Registry
 * endpoint): then that one is used and nothing is started.
 */
async function startCivilRegistry(config: Config, host: string): Promise<void> {
  const simulatorUrl = new URL(`http://${host}:${config.simulator.port}`);
  const upstream = new URL(config.civilRegistry.url);
  const local = ['127.0.0.1', 'localhost', host].includes(upstream.hostname) && upstream.port === simulatorUrl.port;
  if (!local) {
    log(`identity checks go to the Civil Registry at ${config.civilRegistry.url}; the simulator is not started`);
    return;
  }
  startChild('civil-registry', [SIMULATOR_MAIN], { service: true });
  await waitUntilReady(`${simulatorUrl.origin}/healthz`, SIMULATOR_READY_TIMEOUT_MS);
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const config = loadConfig();
  if (!fs.existsSync(config.dbPath)) await createDatabase(config);

  const db = new Database(config.dbPath, { readonly: true, fileMustExist: true });
  const examples = exampleRecords(db);
  db.close();
  const ide = ideExamples(examples);

  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  await startCivilRegistry(config, host);
  if (stopping) return;

  for (const name of SUBGRAPH_NAMES) startChild(name, [SUBGRAPH_SERVER, name], { service: true });
  startChild('router', [ROUTER_MAIN], {
    service: true,
    env: {
      ...process.env,
      ...(ide.run ? { RIS_IDE_EXAMPLE_RUN: ide.run } : {}),
      ...(ide.householdId ? { RIS_IDE_EXAMPLE_HOUSEHOLD: ide.householdId } : {}),
    },
  });

  const origin = `http://${host}:${config.routerPort}`;
  await waitUntilReady(`${origin}/readyz`, READY_TIMEOUT_MS);
  if (stopping) return;

  const query = `{ person(run: "${ide.run ?? '12345678-5'}") { givenNames paternalSurname household { id cseBracket members { relationship person { run givenNames } } } subsystemMembership { subsystem active } } }`;
  // The demo internal agreement's published key (refused in production), a purpose and an official.
  const identity = `-H 'Authorization: Bearer demo-mds-internal' -H 'X-RIS-Purpose: GESTION-BENEFICIOS' -H 'X-RIS-End-User: 11111111-1'`;
  const curl = `curl -s ${origin}/graphql -H 'content-type: application/json' ${identity} \\\n    -d '${JSON.stringify({ query })}'`;
  console.log(
    [
      '',
      'RIS Graph is ready.',
      `  IDE (browser):  ${origin}/`,
      `  GraphQL:        ${origin}/graphql`,
      `  Civil Registry: ${config.civilRegistry.url} (identity checks, ${config.civilRegistry.ratePerSecond} requests/s)`,
      '',
      'Example records:',
      `  household in Santiago (13101):            ${describeHousehold(examples.santiagoHousehold)}`,
      `  household in Valparaíso (05101):          ${describeHousehold(examples.valparaisoHousehold)}`,
      `  largest household:                        ${describeHousehold(examples.largestHousehold)}`,
      `  person in the disability register:        ${examples.disabilityRun ?? NONE}`,
      `  person in Seguridades y Oportunidades:    ${examples.subsystemRun ?? NONE}`,
      `  payee of payments:                        ${examples.payeeRun ?? NONE}`,
      '',
      'Try:',
      `  ${curl}`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`[start] ${error instanceof ConfigError ? `config: ${error.message}` : error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
