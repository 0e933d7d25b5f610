import { fromRoot } from './paths';

/**
 * All configuration, read from the environment once, in this one place. A malformed value stops
 * the process at start-up with the variable's name, what was expected and what was received.
 * Every variable and its default is listed in the README's configuration table.
 */

export type SubgraphName = 'persons' | 'households' | 'registers' | 'benefits';
export const SUBGRAPH_NAMES: readonly SubgraphName[] = ['persons', 'households', 'registers', 'benefits'];

export interface Config {
  /** Interface the servers listen on. */
  host: string;
  routerPort: number;
  subgraphPorts: Record<SubgraphName, number>;
  /** Where the router reaches each subgraph. */
  subgraphUrls: Record<SubgraphName, string>;
  /** Path of the embedded SQLite database. */
  dbPath: string;
  /** Size and seed of the synthetic register created on first start. */
  households: number;
  seed: number;
  /** True when NODE_ENV=production: no demo data paths, terse logs. */
  production: boolean;
  /** Folder of the agreement files (one YAML file per agreement). */
  agreementsDir: string;
  /**
   * Secret (HS256) with which the router signs, and the subgraphs verify, the per-request context.
   * Required in production; in development a fixed, published value is used when unset.
   */
  contextSecret: string;
  /** Lifetime of a signed context, in seconds. */
  contextTtlSeconds: number;
  /** HTTPS with client certificates at the router: all three set, or none (plain HTTP). */
  tls: { certFile: string; keyFile: string; caFile: string } | null;
  /** Which store the subgraphs read: the embedded SQLite file (default) or Oracle. */
  store: 'sqlite' | 'oracle';
  /** Oracle connection and pool, used when store = oracle (and by the Oracle tests when set). */
  oracle: OracleConfig | null;
  /** The Civil Registry identity service (the COW check) and its local caches. */
  civilRegistry: CivilRegistryConfig;
  /** The civil-registry simulator `npm start` runs in development (a stand-in for the external system). */
  simulator: { port: number; ratePerSecond: number; latencyMs: number };
  /** Records the IDE's example operations are filled in with (`npm start` sets them from the database). */
  ideExamples: { run: string; householdId: string };
}

export interface OracleConfig {
  user: string;
  password: string;
  /** Easy Connect string, e.g. "db.example.cl:1521/RSH". */
  connectString: string;
  poolMin: number;
  poolMax: number;
  /** How long a request may wait for a pooled connection before UPSTREAM_UNAVAILABLE. */
  queueTimeoutMs: number;
  /** Longest a single round trip may take. */
  callTimeoutMs: number;
}

export interface CivilRegistryConfig {
  /** Base URL of the Civil Registry identity service (in development, the simulator). */
  url: string;
  /** The upstream's rate, requests per second, that the client never exceeds. */
  ratePerSecond: number;
  timeoutMs: number;
  /** Longest a request may wait for its turn at the upstream before failing with UPSTREAM_UNAVAILABLE. */
  maxWaitMs: number;
  /** L1 (in-process lru-cache) bound and time to live. */
  cacheEntries: number;
  cacheTtlSeconds: number;
  /** How long an L2 (cache table) answer is served as fresh before asking the upstream again. */
  l2FreshSeconds: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = text(env, name, fallback);
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`${name}: expected an http(s) URL like ${fallback}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/**
 * Oracle from RIS_ORACLE_URL ("oracle://user:password@host:port/service") or from
 * RIS_ORACLE_USER + RIS_ORACLE_PASSWORD + RIS_ORACLE_CONNECT_STRING; null when neither is given.
 */
function oracle(env: Env): OracleConfig | null {
  const pool = {
    poolMin: integer(env, 'RIS_ORACLE_POOL_MIN', 2, 0, 1000),
    poolMax: integer(env, 'RIS_ORACLE_POOL_MAX', 16, 1, 1000),
    queueTimeoutMs: integer(env, 'RIS_ORACLE_QUEUE_TIMEOUT_MS', 2_000, 1, 600_000),
    callTimeoutMs: integer(env, 'RIS_ORACLE_CALL_TIMEOUT_MS', 5_000, 1, 600_000),
  };
  const raw = env.RIS_ORACLE_URL;
  if (raw) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError('RIS_ORACLE_URL: expected oracle://user:password@host:port/service, got a value that is not a URL');
    }
    if (parsed.protocol !== 'oracle:' || !parsed.username || !parsed.hostname || parsed.pathname.length < 2) {
      throw new ConfigError('RIS_ORACLE_URL: expected oracle://user:password@host:port/service, got one without user, host or service');
    }
    return {
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      connectString: `${parsed.hostname}:${parsed.port || '1521'}${parsed.pathname}`,
      ...pool,
    };
  }
  const parts = ['RIS_ORACLE_USER', 'RIS_ORACLE_PASSWORD', 'RIS_ORACLE_CONNECT_STRING'] as const;
  const given = parts.filter((name) => env[name]);
  if (given.length === 0) return null;
  if (given.length !== parts.length) {
    throw new ConfigError(`${parts.join(', ')}: expected all three (or RIS_ORACLE_URL), got only ${given.join(', ')}`);
  }
  return { user: env.RIS_ORACLE_USER as string, password: env.RIS_ORACLE_PASSWORD as string, connectString: env.RIS_ORACLE_CONNECT_STRING as string, ...pool };
}

/** The development signing secret: published here, so production refuses it. */
export const DEVELOPMENT_CONTEXT_SECRET = 'ris-graph-development-context-secret-not-for-production';

function contextSecret(env: Env, production: boolean): string {
  const raw = env.RIS_CONTEXT_SECRET;
  if (raw === undefined || raw === '') {
    if (production) throw new ConfigError('RIS_CONTEXT_SECRET: expected a secret of at least 32 characters in production, got nothing');
    return DEVELOPMENT_CONTEXT_SECRET;
  }
  if (raw.length < 32) throw new ConfigError(`RIS_CONTEXT_SECRET: expected at least 32 characters, got ${raw.length}`);
  if (production && raw === DEVELOPMENT_CONTEXT_SECRET) {
    throw new ConfigError('RIS_CONTEXT_SECRET: expected a secret of your own in production, got the published development secret');
  }
  return raw;
}

function storeKind(env: Env): Config['store'] {
  const raw = text(env, 'RIS_STORE', 'sqlite');
  if (raw !== 'sqlite' && raw !== 'oracle') throw new ConfigError(`RIS_STORE: expected sqlite or oracle, got ${JSON.stringify(raw)}`);
  return raw;
}

function tls(env: Env): Config['tls'] {
  const names = ['RIS_TLS_CERT', 'RIS_TLS_KEY', 'RIS_TLS_CA'] as const;
  const given = names.filter((name) => env[name]);
  if (given.length === 0) return null;
  if (given.length !== names.length) {
    throw new ConfigError(`${names.join(', ')}: expected all three (mutual TLS) or none, got only ${given.join(', ')}`);
  }
  return { certFile: env.RIS_TLS_CERT as string, keyFile: env.RIS_TLS_KEY as string, caFile: env.RIS_TLS_CA as string };
}

const DEFAULT_PORTS: Record<SubgraphName, number> = { persons: 4001, households: 4002, registers: 4003, benefits: 4004 };

/** Reads the configuration from `env` (the process environment by default). */
export function loadConfig(env: Env = process.env): Config {
  const production = text(env, 'NODE_ENV', 'development') === 'production';
  if (storeKind(env) === 'oracle' && oracle(env) === null) {
    throw new ConfigError('RIS_STORE=oracle: expected RIS_ORACLE_URL (or RIS_ORACLE_USER, RIS_ORACLE_PASSWORD, RIS_ORACLE_CONNECT_STRING), got none');
  }
  const host = text(env, 'RIS_HOST', '127.0.0.1');
  const subgraphPorts = {} as Record<SubgraphName, number>;
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const upper = name.toUpperCase();
    subgraphPorts[name] = integer(env, `RIS_${upper}_PORT`, DEFAULT_PORTS[name], 0, 65535);
    const clientHost = host === '0.0.0.0' ? '127.0.0.1' : host;
    subgraphUrls[name] = url(env, `RIS_${upper}_URL`, `http://${clientHost}:${subgraphPorts[name]}/graphql`);
  }
  return {
    host,
    routerPort: integer(env, 'RIS_ROUTER_PORT', 4000, 0, 65535),
    subgraphPorts,
    subgraphUrls,
    dbPath: text(env, 'RIS_DB_PATH', fromRoot('var', 'ris.db')),
    households: integer(env, 'RIS_HOUSEHOLDS', 20_000, 1, 10_000_000),
    seed: integer(env, 'RIS_SEED', 2017, 0, 2 ** 31 - 1),
    production,
    agreementsDir: text(env, 'RIS_AGREEMENTS_DIR', fromRoot('authz', 'agreements')),
    contextSecret: contextSecret(env, production),
    contextTtlSeconds: integer(env, 'RIS_CONTEXT_TTL_SECONDS', 30, 1, 300),
    tls: tls(env),
    store: storeKind(env),
    oracle: oracle(env),
    civilRegistry: {
      url: url(env, 'RIS_CIVIL_REGISTRY_URL', `http://127.0.0.1:${integer(env, 'RIS_SIMULATOR_PORT', 4010, 0, 65535)}`),
      ratePerSecond: integer(env, 'RIS_CIVIL_REGISTRY_RATE', 2, 1, 10_000),
      timeoutMs: integer(env, 'RIS_CIVIL_REGISTRY_TIMEOUT_MS', 3_000, 1, 600_000),
      maxWaitMs: integer(env, 'RIS_CIVIL_REGISTRY_MAX_WAIT_MS', 5_000, 0, 600_000),
      cacheEntries: integer(env, 'RIS_IDENTITY_CACHE_ENTRIES', 100_000, 1, 100_000_000),
      cacheTtlSeconds: integer(env, 'RIS_IDENTITY_CACHE_TTL_SECONDS', 3_600, 1, 31_536_000),
      l2FreshSeconds: integer(env, 'RIS_IDENTITY_L2_FRESH_SECONDS', 2_592_000, 1, 315_360_000),
    },
    simulator: {
      port: integer(env, 'RIS_SIMULATOR_PORT', 4010, 0, 65535),
      ratePerSecond: integer(env, 'RIS_SIMULATOR_RATE', 2, 1, 10_000),
      latencyMs: integer(env, 'RIS_SIMULATOR_LATENCY_MS', 150, 0, 60_000),
    },
    // Placeholders when unset: a well-formed RUN and household id, not necessarily a real record.
    ideExamples: {
      run: text(env, 'RIS_IDE_EXAMPLE_RUN', '12345678-5'),
      householdId: text(env, 'RIS_IDE_EXAMPLE_HOUSEHOLD', '1'),
    },
  };
}
