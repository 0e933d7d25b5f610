import { badInput, limitExceeded } from './errors';
import { describe, parseRun, RunFormatError } from './run';
import { MAX_BATCH } from '../store/types';

/**
 * Input checks shared by the subgraphs for values that arrive outside the typed scalars: entity
 * representations (`_entities` gets raw JSON) and ID arguments. Each failure is BAD_USER_INPUT
 * stating what was expected and what was received.
 */

/** A RUN from an entity representation or other untyped input, normalised. */
export function runFromInput(value: unknown): string {
  try {
    return parseRun(value);
  } catch (error) {
    if (error instanceof RunFormatError) throw badInput(error.message);
    throw error;
  }
}

/** A household id (the RSH folio): a positive whole number, given as digits. */
export function householdIdFromInput(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text === 'string' && /^[1-9]\d{0,14}$/.test(text)) return Number(text);
  throw badInput(`expected a household id made of digits, like "1042", got ${describe(value)}`);
}

/** Refuses a list of keys longer than one batch. */
export function assertBatchSize(count: number, what: string): void {
  if (count > MAX_BATCH) throw limitExceeded(`expected at most ${MAX_BATCH} ${what} in one call, got ${count}`);
}
