import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AgreementRegistry } from '../authz/types';
import type { AuditLog } from '../audit/types';
import { errorBody, jsonAnswer, type Answer, type Exchange } from '../lib/http';
import { accessRequestOf, admit, type Admission, type Refusal } from './access';
import { auditUnavailableAnswer, operationRecord } from './audit';
import { REQUEST_ID_HEADER, requestIdFrom, routerContext, type RouterContext, type Signing } from './context';
import type { RateLimiter } from './ratelimit';

/**
 * The router's decisions about one HTTP request, in the shape lib/http.ts asks for: request id
 * echoed on every response, admission before the body is read, and the operation record written
 * before any answer to /graphql leaves (if it cannot be written, the answer is replaced by
 * AUDIT_UNAVAILABLE, so no data leaves unrecorded).
 */

export interface ExchangeDeps {
  registry: AgreementRegistry;
  audit: AuditLog;
  limiter: RateLimiter;
  signing: Signing;
  /** Milliseconds since the epoch (agreement validity, rate limit). */
  now: () => number;
  /** Whether the router serves HTTPS with client certificates. */
  tls: boolean;
  /** Where an audit failure is reported to the operator. */
  log?: (message: string) => void;
}

export function refusalAnswer(refusal: Refusal): Answer {
  return jsonAnswer(refusal.status, errorBody(refusal.code, refusal.message, refusal.extensions), refusal.headers);
}

export function routerExchange(deps: ExchangeDeps): (req: http.IncomingMessage) => Exchange<RouterContext> {
  const log = deps.log ?? ((message: string) => console.error(message));
  return (req) => {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    let admission: Admission | null = null;
    let context: RouterContext | null = null;
    return {
      headers: { [REQUEST_ID_HEADER]: requestId },
      async admit() {
        const decided = admit(accessRequestOf(req), { registry: deps.registry, limiter: deps.limiter, now: deps.now, tls: deps.tls });
        admission = decided;
        if (decided.refusal !== null) return { refusal: refusalAnswer(decided.refusal) };
        const { agreement, purpose, endUser, caseRef } = decided;
        const ctx = routerContext({ requestId, agreement, purpose, endUser, caseRef }, deps.signing);
        context = ctx;
        return { context: async () => ctx };
      },
      async settle(answer, operation) {
        const record = operationRecord({
          requestId,
          admission,
          resolvedOperationName: context?.resolved.operationName ?? null,
          operation,
          answer,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        });
        try {
          await deps.audit.append(record);
        } catch (error) {
          log(`audit: operation record of request ${requestId} not written, answer withheld: ${error instanceof Error ? error.message : String(error)}`);
          return auditUnavailableAnswer(requestId);
        }
        return answer;
      },
    };
  };
}
