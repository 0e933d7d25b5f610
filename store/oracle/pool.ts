import oracledb from 'oracledb';
import type { OracleConfig } from '../../lib/config';
import { SQL } from './sql';

/**
 * The small part of node-oracledb the store, the migrator and the loader use. Real pools and
 * connections satisfy it structurally; tests pass fakes of it (no Oracle server runs in CI).
 */
export interface OracleConnection {
  /** Longest a single round trip may take, in ms (set on every connection taken from the pool). */
  callTimeout?: number;
  execute<T>(sql: string, binds: oracledb.BindParameters, options: oracledb.ExecuteOptions): Promise<oracledb.Result<T>>;
  /** The loader ignores the result (row counts come from the source). */
  executeMany(sql: string, binds: oracledb.BindParameters[], options: oracledb.ExecuteManyOptions): Promise<unknown>;
  commit(): Promise<void>;
  /** Back to the pool; with `{ drop: true }` the session is closed and the pool opens a new one when needed. */
  close(options?: oracledb.CloseConnectionOptions): Promise<void>;
}

export interface OraclePool {
  getConnection(): Promise<OracleConnection>;
  close(drainTime?: number): Promise<void>;
}

/** Seconds an idle pooled connection may sit before getConnection pings it (and replaces it if dead). */
export const POOL_PING_INTERVAL_SECONDS = 60;
/** Seconds to establish the network connection to the listener before NJS-510. */
export const CONNECT_TIMEOUT_SECONDS = 5;
/** Each session's statement cache: ~20 lookups × 4 bucket texts + the other statements, with room. */
export const STATEMENT_CACHE_SIZE = 128;

/** Pool attributes from the configuration (exported for the test that checks them). */
export function poolAttributes(config: OracleConfig): oracledb.PoolAttributes {
  return {
    user: config.user,
    password: config.password,
    connectString: config.connectString,
    poolMin: config.poolMin,
    poolMax: config.poolMax,
    poolIncrement: 1,
    // a request waits this long for a free connection, then fails with NJS-040 → UPSTREAM_UNAVAILABLE
    queueTimeout: config.queueTimeoutMs,
    // idle connections are checked before reuse, so a database restart heals without a process restart
    poolPingInterval: POOL_PING_INTERVAL_SECONDS,
    transportConnectTimeout: CONNECT_TIMEOUT_SECONDS,
    connectTimeout: CONNECT_TIMEOUT_SECONDS,
    // keepalive probes (minutes) detect connections a firewall silently dropped
    expireTime: 2,
    stmtCacheSize: STATEMENT_CACHE_SIZE,
    sessionCallback: setUpSession,
  };
}

/**
 * Runs once per new pooled session (not per getConnection). The driver calls it with a callback
 * and waits for that callback (an async function's promise would be ignored and the pool would
 * hang), so it is written in callback style.
 */
export function setUpSession(connection: Pick<oracledb.Connection, 'execute'>, _requestedTag: string, done: (error?: unknown) => void): void {
  connection.execute(SQL.sessionSetup).then(() => done(), (error: unknown) => done(error));
}

/**
 * A pool in thin mode: pure JavaScript, no Oracle Client libraries. `oracledb.initOracleClient` is
 * never called anywhere in this project; calling it would switch the whole process to thick mode.
 * Rows come back as objects keyed by the (quoted) column aliases; CLOBs as strings.
 */
export async function createOraclePool(config: OracleConfig): Promise<OraclePool> {
  oracledb.outFormat = oracledb.OUT_FORMAT_OBJECT;
  oracledb.fetchAsString = [oracledb.CLOB];
  return oracledb.createPool(poolAttributes(config));
}
