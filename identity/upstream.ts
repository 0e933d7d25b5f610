import { z } from 'zod';
import { risError } from '../lib/errors';
import type { CivilRegistryConfig } from '../lib/config';
import { CircuitBreaker, type BreakerOptions, type BreakerState } from './breaker';
import type { Clock } from './clock';
import { Pacer } from './pacer';
import type { Verdict, VerificationReason } from './types';

/**
 * HTTP client of the Civil Registry identity service (in development, simulator/civil-registry.ts).
 *
 * Protocol: `GET <url>/identity/<run>?serial=<nine digits>` answers 200 with CivilRegistryAnswer;
 * 429 (with Retry-After, seconds) when called above its rate.
 *
 * Every call passes, in order: the circuit breaker (open: refused without a network attempt), the
 * pacer (a turn at most `ratePerSecond` a second; a turn after the caller's deadline is refused at
 * once rather than queued), the breaker again at the turn (it may have opened meanwhile), then one
 * request bounded by `timeoutMs`. Every refusal or failure reaches the caller as
 * UPSTREAM_UNAVAILABLE with a message of our own; what the upstream said goes to the log only.
 */

/** What the Civil Registry answers for one (RUN, serial). */
export const CivilRegistryAnswer = z.object({
  run: z.string(),
  documentSerial: z.string(),
  /** False when the Civil Registry holds no identity document for the RUN. */
  found: z.boolean(),
  /** The RUN's current document (null when not found). */
  documentStatus: z.enum(['VALID', 'EXPIRED', 'BLOCKED']).nullable(),
  /** Whether the serial asked about is the current document's. */
  serialMatches: z.boolean(),
  /** Expiry of the current document, YYYY-MM-DD (null when not found). */
  expiresOn: z.string().nullable(),
});
export type CivilRegistryAnswer = z.infer<typeof CivilRegistryAnswer>;

/** The verdict's reason from the upstream's facts, most decisive first (identity/types.ts). */
export function reasonOf(answer: CivilRegistryAnswer): VerificationReason | null {
  if (!answer.found) return 'RUN_NOT_FOUND';
  if (!answer.serialMatches) return 'SERIAL_MISMATCH';
  if (answer.documentStatus === 'BLOCKED') return 'DOCUMENT_BLOCKED';
  if (answer.documentStatus === 'EXPIRED') return 'DOCUMENT_EXPIRED';
  return null;
}

/** A call whose turn has been reserved. */
export interface ScheduledCheck {
  /** When the request will be sent (a `Clock.now()` value). */
  startsAt: number;
  /** The verdict, or UPSTREAM_UNAVAILABLE. */
  answer: Promise<Verdict>;
}

export interface CivilRegistryClientOptions {
  config: Pick<CivilRegistryConfig, 'url' | 'ratePerSecond' | 'timeoutMs'>;
  /** Default: 5 consecutive failures open it for 10 s. */
  breaker?: Partial<BreakerOptions>;
  clock: Clock;
  /** Where failures are explained (never to the client). Default console.warn. */
  log?: (message: string) => void;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, coolDownMs: 10_000 };

/** A failure that says the upstream is not working (counts towards opening the breaker). */
class UpstreamFault extends Error {}

/** The upstream is alive but over its rate. */
class Busy extends Error {
  constructor(readonly retryAfterMs: number) {
    super('busy');
  }
}

const unavailable = (detail: string) => risError('UPSTREAM_UNAVAILABLE', `the Civil Registry is not answering ${detail}; retry later`);

export class CivilRegistryClient {
  private readonly pacer: Pacer;
  private readonly breaker: CircuitBreaker;
  private readonly base: string;
  private readonly log: (message: string) => void;
  /** Requests actually sent (network attempts), for tests and benchmarks. */
  attempts = 0;

  constructor(private readonly options: CivilRegistryClientOptions) {
    this.pacer = new Pacer(options.config.ratePerSecond, options.clock);
    this.breaker = new CircuitBreaker({ ...DEFAULT_BREAKER, ...options.breaker }, options.clock);
    this.base = options.config.url.replace(/\/+$/, '');
    this.log = options.log ?? ((message) => console.warn(message));
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /**
   * Reserves a turn for checking `serial` against `run` and starts the call. Throws
   * UPSTREAM_UNAVAILABLE at once, reserving nothing, when the breaker is open or the turn would
   * start after `deadline`.
   */
  schedule(run: string, serial: string, deadline: number): ScheduledCheck {
    const refusal = this.breaker.refusal();
    if (refusal !== null) throw unavailable(`(${refusal})`);
    const startsAt = this.pacer.reserve(deadline);
    if (startsAt === null) {
      const now = this.options.clock.now();
      throw unavailable(
        `within ${Math.max(0, Math.round(deadline - now))} ms: it takes ${this.options.config.ratePerSecond} requests a second ` +
          `and the next free turn is in ${Math.round(this.pacer.nextTurn() - now)} ms`,
      );
    }
    return { startsAt, answer: this.call(run, serial, startsAt) };
  }

  private async call(run: string, serial: string, startsAt: number): Promise<Verdict> {
    await this.pacer.waitFor(startsAt);
    if (!this.breaker.acquire()) throw unavailable(`(${this.breaker.refusal() ?? 'it stopped answering while this request waited'})`);
    this.attempts += 1;
    const { timeoutMs } = this.options.config;
    try {
      const reason = reasonOf(await this.request(run, serial, timeoutMs));
      this.breaker.succeeded();
      return { run, documentSerial: serial, valid: reason === null, reason, verifiedAt: this.options.clock.date().toISOString() };
    } catch (error) {
      if (error instanceof Busy) {
        this.breaker.released();
        this.pacer.holdUntil(this.options.clock.now() + error.retryAfterMs);
        this.log(`civil-registry: answered 429 (over its rate); holding calls for ${error.retryAfterMs} ms`);
        throw unavailable('now: it is over its rate');
      }
      this.breaker.failed();
      const timedOut = isTimeout(error);
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : describeFailure(error);
      // No RUN in the log: who was checked belongs to the audit trail, not to operational logs.
      this.log(`civil-registry: call failed: ${reason} (breaker ${this.breaker.state})`);
      throw unavailable(timedOut ? `within ${timeoutMs} ms` : 'now');
    }
  }

  /** One HTTP exchange; throws Busy on 429, UpstreamFault (or a network/timeout error) otherwise. */
  private async request(run: string, serial: string, timeoutMs: number): Promise<CivilRegistryAnswer> {
    const url = `${this.base}/identity/${encodeURIComponent(run)}?serial=${encodeURIComponent(serial)}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (response.status === 429) {
      await response.body?.cancel();
      const seconds = Number(response.headers.get('retry-after'));
      throw new Busy(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new UpstreamFault(`expected HTTP 200, got ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (isTimeout(error)) throw error;
      throw new UpstreamFault('expected a JSON body, got text that is not JSON');
    }
    const parsed = CivilRegistryAnswer.safeParse(body);
    if (!parsed.success) throw new UpstreamFault(`expected a CivilRegistryAnswer, got one failing: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    if (parsed.data.run !== run || parsed.data.documentSerial !== serial) {
      throw new UpstreamFault(`expected the answer for ${run}/${serial}, got one for ${parsed.data.run}/${parsed.data.documentSerial}`);
    }
    return parsed.data;
  }
}

/**
 * Whether fetch gave up at its AbortSignal.timeout. Checked by name: the DOMException may come
 * from another realm (test runners), where `instanceof Error` is false.
 */
function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function describeFailure(error: unknown): string {
  if (error instanceof UpstreamFault) return error.message;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
