import { createHash } from 'node:crypto';
import type { OperationRecord } from '../audit/types';
import { errorBody, jsonAnswer, type Answer, type OperationText } from '../lib/http';
import type { Admission } from './access';

/**
 * The router's operation record (DESIGN.md §6): one per request to /graphql, refused or not,
 * built from the admission, the operation text and the answer about to be sent.
 */

/** SHA-256 (hex) of the operation text exactly as received; null when none was received. */
export function operationHash(query: string | null): string | null {
  return query === null ? null : createHash('sha256').update(query, 'utf8').digest('hex');
}

/**
 * "ok", or the distinct `extensions.code`s of the errors in the answer, in order of first
 * appearance, joined by commas. An error answer without codes (a non-GraphQL body) is
 * "HTTP_<status>", so a failure is never recorded as "ok".
 */
export function outcomeOf(answer: Answer): string {
  const codes: string[] = [];
  // Most successful answers carry no errors; skip parsing their (possibly large) bodies.
  if (answer.body.includes('"errors"')) {
    try {
      const parsed: unknown = JSON.parse(answer.body);
      const errors = typeof parsed === 'object' && parsed !== null ? (parsed as { errors?: unknown }).errors : undefined;
      if (Array.isArray(errors)) {
        for (const error of errors) {
          const code: unknown = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
          const name = typeof code === 'string' ? code : 'UNCODED';
          if (!codes.includes(name)) codes.push(name);
        }
      }
    } catch {
      // Not JSON: judged by the status below.
    }
  }
  if (codes.length > 0) return codes.join(',');
  return answer.status >= 400 ? `HTTP_${answer.status}` : 'ok';
}

export function operationRecord(input: {
  requestId: string;
  admission: Admission | null;
  /** The name resolved by the gateway, when it got that far. */
  resolvedOperationName: string | null;
  operation: OperationText | null;
  answer: Answer;
  durationMs: number;
}): OperationRecord {
  const { admission } = input;
  const agreement = admission?.agreement ?? null;
  return {
    kind: 'operation',
    process: 'router',
    requestId: input.requestId,
    agreementId: agreement?.id ?? null,
    agreementVersion: agreement?.version ?? null,
    institution: agreement?.institution.code ?? null,
    endUser: admission?.endUser ?? null,
    purpose: admission?.purpose ?? null,
    caseRef: admission?.caseRef ?? null,
    operationName: input.resolvedOperationName ?? input.operation?.operationName ?? null,
    operationHash: operationHash(input.operation?.query ?? null),
    outcome: outcomeOf(input.answer),
    durationMs: input.durationMs,
  };
}

/** What the client gets when its request could not be recorded: no data, only this. */
export function auditUnavailableAnswer(requestId: string): Answer {
  return jsonAnswer(
    503,
    errorBody(
      'AUDIT_UNAVAILABLE',
      `expected to record this consultation in the audit trail before answering, but the audit trail could not be written; no data was sent. Try again later, quoting request id ${requestId}`,
    ),
  );
}
