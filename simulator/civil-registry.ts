import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { sendJson } from '../lib/http';
import { isoFromNumber } from '../lib/dates';
import { parseRun, RunFormatError, runBody } from '../lib/run';

/**
 * SIMULATOR — a stand-in for the Civil Registry's identity service (Servicio de Registro Civil e
 * Identificación, the "COW" check of a RUN against its document serial), which is an external
 * system. In development and tests it answers from the synthetic register's `civil_identity`
 * table and behaves like the real one where it matters to us: it serves `ratePerSecond` requests a
 * second (a token bucket of that capacity; above it HTTP 429 with Retry-After) and takes
 * `latencyMs` to answer.
 *
 * Routes:
 * - `GET /identity/<run>?serial=<serial>`: 200 with a CivilRegistryAnswer (identity/upstream.ts):
 *   `{ run, documentSerial, found, documentStatus, serialMatches, expiresOn }`; 400 for a malformed
 *   RUN or serial; 429 above the rate.
 * - `GET /healthz`: 200 `{ status: "ok" }` (not rate limited).
 */

export interface SimulatorOptions {
  /** The register database holding civil_identity (opened read-only). */
  dbPath: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  ratePerSecond: number;
  latencyMs: number;
}

/** What reached the simulator, for tests and benchmarks. */
export interface SimulatorStats {
  /** Arrival of every identity request, `performance.now()` ms, in order (429s included). */
  arrivals: number[];
  /** Identity requests answered 200. */
  answered: number;
  /** Identity requests refused with 429. */
  rejected: number;
}

export interface RunningSimulator {
  url: string;
  port: number;
  stats: SimulatorStats;
  close(): Promise<void>;
}

interface IdentityRow {
  document_serial: string;
  document_status: 'VALID' | 'EXPIRED' | 'BLOCKED';
  expires_on: number;
}

const SERIAL = /^\d{9}$/;

/** Token bucket of capacity `rate`, refilled continuously at `rate` tokens a second. */
function tokenBucket(rate: number) {
  let tokens = rate;
  let at = performance.now();
  return {
    /** Takes a token: 0 when granted, else milliseconds until one is available. */
    take(): number {
      const now = performance.now();
      tokens = Math.min(rate, tokens + ((now - at) * rate) / 1000);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return ((1 - tokens) * 1000) / rate;
    },
  };
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  if (!(options.ratePerSecond > 0)) throw new RangeError(`expected ratePerSecond above 0, got ${options.ratePerSecond}`);
  const db = new Database(options.dbPath, { readonly: true, fileMustExist: true });
  const lookup = db.prepare<[number], IdentityRow>('SELECT document_serial, document_status, expires_on FROM civil_identity WHERE run = ?');
  const bucket = tokenBucket(options.ratePerSecond);
  const stats: SimulatorStats = { arrivals: [], answered: 0, rejected: 0 };
  const pending = new Set<NodeJS.Timeout>();

  const answerIdentity = (res: http.ServerResponse, runText: string, serial: string | null) => {
    let run: string;
    try {
      run = parseRun(runText);
    } catch (error) {
      if (!(error instanceof RunFormatError)) throw error;
      sendJson(res, 400, { error: error.message });
      return;
    }
    if (serial === null || !SERIAL.test(serial)) {
      sendJson(res, 400, { error: `expected ?serial= with nine digits, got ${JSON.stringify(serial)}` });
      return;
    }
    const row = lookup.get(runBody(run));
    const body = {
      run,
      documentSerial: serial,
      found: row !== undefined,
      documentStatus: row?.document_status ?? null,
      serialMatches: row?.document_serial === serial,
      expiresOn: row ? isoFromNumber(row.expires_on) : null,
    };
    const timer = setTimeout(() => {
      pending.delete(timer);
      stats.answered += 1;
      sendJson(res, 200, body);
    }, options.latencyMs);
    pending.add(timer);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok', service: 'civil-registry simulator' });
      return;
    }
    const match = /^\/identity\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      sendJson(res, 404, { error: `expected GET /identity/<run>?serial=<serial> or GET /healthz, got ${req.method} ${url.pathname}` });
      return;
    }
    stats.arrivals.push(performance.now());
    const waitMs = bucket.take();
    if (waitMs > 0) {
      stats.rejected += 1;
      res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
      sendJson(res, 429, { error: `expected at most ${options.ratePerSecond} requests a second, got more` });
      return;
    }
    let runText: string;
    try {
      runText = decodeURIComponent(match[1]);
    } catch {
      sendJson(res, 400, { error: 'expected a URL-encoded RUN in /identity/<run>, got malformed percent-encoding' });
      return;
    }
    answerIdentity(res, runText, url.searchParams.get('serial'));
  });
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = !options.host || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close((error) => {
          db.close();
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
