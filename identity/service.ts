import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { CivilRegistryConfig, Config } from '../lib/config';
import { risError } from '../lib/errors';
import { SqliteIdentityCache, type IdentityCacheStore } from './cache-store';
import { systemClock, type Clock } from './clock';
import { CivilRegistryClient, type CivilRegistryClientOptions } from './upstream';
import { parseDocumentSerial, type IdentityVerification, type IdentityVerifier, type Verdict } from './types';

/**
 * The identity check with its two caches (DESIGN.md §3): L1, an lru-cache in this process →
 * L2, the identity_cache table → the Civil Registry. One instance per process, shared by every
 * request: the caches are the point.
 *
 * - L1 holds fresh verdicts for `cacheTtlSeconds` (never past their L2 freshness), at most
 *   `cacheEntries` of them.
 * - L2 answers while `verifiedAt` is younger than `l2FreshSeconds`.
 * - Otherwise the upstream is asked; concurrent requests for the same (RUN, serial) share one call
 *   (single flight), and its verdict is written to L2 and L1.
 * - When the upstream cannot answer (breaker open, no turn before the deadline, failure) an L2
 *   verdict past its freshness is served as it is, with its old `verifiedAt`, rather than nothing.
 *   Only when no cache holds any verdict does the request fail with UPSTREAM_UNAVAILABLE.
 * `source` is CACHE for an answer from L1 or L2, REGISTRY when the upstream answered during this
 * request.
 */

export type IdentityServiceConfig = Pick<CivilRegistryConfig, 'maxWaitMs' | 'cacheEntries' | 'cacheTtlSeconds' | 'l2FreshSeconds'>;

export interface IdentityServiceOptions {
  config: IdentityServiceConfig;
  /** The upstream; anything with CivilRegistryClient's `schedule`. */
  upstream: Pick<CivilRegistryClient, 'schedule'>;
  cache: IdentityCacheStore;
  clock?: Clock;
  /** Where cache failures are explained. Default console.warn. */
  log?: (message: string) => void;
}

/** How each answer was found, since the service was created (tests, benchmarks, metrics). */
export interface IdentityStats {
  l1Hits: number;
  l2Hits: number;
  /** Answered by the upstream during the request (including requests that shared a call). */
  registryAnswers: number;
  /** L2 verdicts past their freshness, served because the upstream could not answer. */
  staleAnswers: number;
}

interface InFlight {
  startsAt: number;
  answer: Promise<Verdict>;
}

const keyOf = (run: string, serial: string) => `${run}/${serial}`;

export class IdentityService implements IdentityVerifier {
  readonly stats: IdentityStats = { l1Hits: 0, l2Hits: 0, registryAnswers: 0, staleAnswers: 0 };
  private readonly l1: LRUCache<string, Verdict>;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly clock: Clock;
  private readonly log: (message: string) => void;

  constructor(private readonly options: IdentityServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? ((message) => console.warn(message));
    const clock = this.clock;
    this.l1 = new LRUCache<string, Verdict>({
      max: options.config.cacheEntries,
      ttl: options.config.cacheTtlSeconds * 1000,
      perf: { now: () => clock.now() },
    });
  }

  deadline(): number {
    return this.clock.now() + this.options.config.maxWaitMs;
  }

  async verify(run: string, documentSerial: string, deadline: number): Promise<IdentityVerification> {
    const serial = parseDocumentSerial(documentSerial);
    const key = keyOf(run, serial);
    const remembered = this.l1.get(key);
    if (remembered) {
      this.stats.l1Hits += 1;
      return { ...remembered, source: 'CACHE' };
    }
    const kept = await this.fromL2(run, serial);
    if (kept && this.freshForMs(kept) > 0) {
      this.remember(key, kept);
      this.stats.l2Hits += 1;
      return { ...kept, source: 'CACHE' };
    }
    try {
      const verdict = await this.fromUpstream(key, run, serial, deadline);
      this.stats.registryAnswers += 1;
      return { ...verdict, source: 'REGISTRY' };
    } catch (error) {
      if (!kept || !isUpstreamUnavailable(error)) throw error;
      this.stats.staleAnswers += 1;
      return { ...kept, source: 'CACHE' };
    }
  }

  async close(): Promise<void> {
    await this.options.cache.close();
  }

  /** Milliseconds the verdict stays fresh (≤ 0: stale). */
  private freshForMs(verdict: Verdict): number {
    return Date.parse(verdict.verifiedAt) + this.options.config.l2FreshSeconds * 1000 - this.clock.date().getTime();
  }

  private remember(key: string, verdict: Verdict): void {
    const ttl = Math.min(this.options.config.cacheTtlSeconds * 1000, this.freshForMs(verdict));
    if (ttl > 0) this.l1.set(key, verdict, { ttl });
  }

  /** L2 read; a broken cache table is logged and treated as a miss (the upstream still answers). */
  private async fromL2(run: string, serial: string): Promise<Verdict | null> {
    try {
      return await this.options.cache.get(run, serial);
    } catch (error) {
      this.log(`identity cache: read failed, asking the Civil Registry instead: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  /**
   * The upstream's verdict, sharing a call already out for the same key. A request whose deadline
   * comes before the shared call starts fails at once, as it would for a turn of its own.
   * No `await` between looking up and registering the call: that is what makes it single.
   */
  private fromUpstream(key: string, run: string, serial: string, deadline: number): Promise<Verdict> {
    const justAnswered = this.l1.get(key);
    if (justAnswered) return Promise.resolve(justAnswered);
    const shared = this.inFlight.get(key);
    if (shared) {
      if (shared.startsAt > deadline) {
        const waitMs = Math.max(0, Math.round(deadline - this.clock.now()));
        return Promise.reject(upstreamUnavailableFor(waitMs));
      }
      return shared.answer;
    }
    let scheduled;
    try {
      scheduled = this.options.upstream.schedule(run, serial, deadline);
    } catch (error) {
      return Promise.reject(error);
    }
    const { answer: call } = scheduled;
    const answer = (async () => {
      try {
        const verdict = await call;
        await this.keep(key, verdict);
        return verdict;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, { startsAt: scheduled.startsAt, answer });
    return answer;
  }

  /** Writes a new verdict to L2 and L1; an L2 write failure is logged, the verdict still served. */
  private async keep(key: string, verdict: Verdict): Promise<void> {
    try {
      await this.options.cache.put(verdict);
    } catch (error) {
      this.log(`identity cache: write failed, verdict served uncached in L2: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.remember(key, verdict);
  }
}

function isUpstreamUnavailable(error: unknown): boolean {
  return error instanceof GraphQLError && error.extensions.code === 'UPSTREAM_UNAVAILABLE';
}

function upstreamUnavailableFor(waitMs: number): GraphQLError {
  return risError('UPSTREAM_UNAVAILABLE', `the Civil Registry is not answering within ${waitMs} ms: the same check already waits for a later turn; retry later`);
}

/**
 * The process's identity service from the configuration. L2 is the identity_cache table of the
 * SQLite file at config.dbPath, also when the register itself is on Oracle (that file holds the
 * audit trail there too): until the Store contract carries the identity cache, L2 is then per host,
 * not shared between hosts.
 */
export function createIdentityService(
  config: Config,
  options: { clock?: Clock; breaker?: CivilRegistryClientOptions['breaker']; log?: (message: string) => void } = {},
): IdentityService {
  const clock = options.clock ?? systemClock;
  return new IdentityService({
    config: config.civilRegistry,
    upstream: new CivilRegistryClient({ config: config.civilRegistry, clock, breaker: options.breaker, log: options.log }),
    cache: SqliteIdentityCache.open(config.dbPath),
    clock,
    log: options.log,
  });
}
