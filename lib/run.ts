/**
 * RUN (Rol Único Nacional) arithmetic: check digit (módulo 11), parsing of the written forms, and
 * the normalised form "12345678-5" used everywhere inside the system and in every response.
 */

/** Largest RUN body accepted: eight digits (bodies of 9+ digits do not exist). */
export const MAX_RUN_BODY = 99_999_999;

/** The módulo-11 check digit of a RUN body: "0"–"9" or "K". */
export function checkDigit(body: number): string {
  let sum = 0;
  let factor = 2;
  for (let rest = body; rest > 0; rest = Math.floor(rest / 10)) {
    sum += (rest % 10) * factor;
    factor = factor === 7 ? 2 : factor + 1;
  }
  const digit = 11 - (sum % 11);
  return digit === 11 ? '0' : digit === 10 ? 'K' : String(digit);
}

/** The normalised RUN of a body: "12345678-5". */
export function formatRun(body: number): string {
  return `${body}-${checkDigit(body)}`;
}

/** The body of a normalised RUN ("12345678-5" → 12345678). The caller guarantees normal form. */
export function runBody(run: string): number {
  return Number(run.slice(0, run.indexOf('-')));
}

/** Why a written RUN was refused; `parseRun` turns it into a message stating expected vs received. */
export class RunFormatError extends Error {}

const WRITTEN_FORM = /^(?:(\d{1,2})\.(\d{3})\.(\d{3})|(\d{1,9}))-?([\dkK])$/;

/**
 * Parses any of the usual written forms — "12.345.678-5", "12345678-5", "123456785", with the
 * check digit "k" or "K" — and returns the normalised form. Throws RunFormatError otherwise.
 */
export function parseRun(input: unknown): string {
  if (typeof input !== 'string') {
    throw new RunFormatError(`expected a RUN as a string like "12.345.678-5", got ${describe(input)}`);
  }
  const written = input.trim();
  const match = WRITTEN_FORM.exec(written);
  if (!match) {
    throw new RunFormatError(
      `expected a RUN like "12.345.678-5", "12345678-5" or "123456785" (digits, optional dots, check digit 0-9 or K), got ${JSON.stringify(input)}`,
    );
  }
  const digits = match[4] ?? `${match[1]}${match[2]}${match[3]}`;
  const body = Number(digits);
  if (body === 0) throw new RunFormatError(`expected a RUN with a non-zero body, got ${JSON.stringify(input)}`);
  if (body > MAX_RUN_BODY) {
    throw new RunFormatError(`expected a RUN body of at most 8 digits, got ${JSON.stringify(input)}`);
  }
  const given = match[5].toUpperCase();
  const expected = checkDigit(body);
  if (given !== expected) {
    throw new RunFormatError(
      `expected a RUN like 12.345.678-5 with a valid check digit, got ${JSON.stringify(input)} (the check digit of ${body} is ${expected})`,
    );
  }
  return `${body}-${expected}`;
}

/** A short, safe description of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}
