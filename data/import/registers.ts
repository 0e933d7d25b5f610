import { isoFromNumber, numberFromIso } from '../../lib/dates';
import { formatRun, parseRun, runBody, RunFormatError } from '../../lib/run';

/**
 * The six sectoral registers that arrive as monthly full files: the file columns of each, how a
 * row is validated and turned into a row of its cache table (store/sqlite/migrations/001), and
 * the source name stamped on it. One spec per register; the importer and the exporter are generic.
 */

export const REGISTER_NAMES = ['civil', 'disability', 'indigenous', 'health', 'street', 'emergency'] as const;
export type RegisterName = (typeof REGISTER_NAMES)[number];

export type SqlValue = string | number | null;

export interface Column {
  name: string;
  type: 'INTEGER' | 'TEXT';
}

/** What a row is checked against: the snapshot date and the commune codes (CUT) that exist. */
export interface ValidationContext {
  asOf: number;
  communes: ReadonlySet<string>;
}

export interface RegisterSpec {
  name: RegisterName;
  /** Cache table the snapshot replaces. */
  table: string;
  /** Header of the file, in the order the exporter writes it (the importer accepts any order). */
  fileColumns: readonly string[];
  /** Columns identifying a record within one snapshot: a second row with the same key is rejected. */
  key: readonly Column[];
  /** Columns compared to tell a changed record from an unchanged one. */
  data: readonly Column[];
  /** Another column unique within a snapshot (civil: the document serial). */
  uniqueAlso?: string;
  /**
   * True when a person may have several records (emergency): a person whose records differ in any
   * way has the whole set replaced; otherwise the key is the table's primary key and rows upsert.
   */
  setPerRun: boolean;
  /** The source names rows of this register carry (health: by insurer). */
  sources: readonly string[];
  /**
   * Validates one row whose fields are in `fileColumns` order and returns the table values in
   * [...key, ...data, source] order. Throws RowRejection with the reason.
   */
  parse(fields: readonly string[], context: ValidationContext): SqlValue[];
  /** The file fields of a table row given in [...key, ...data] order (inverse of parse). */
  format(row: readonly SqlValue[]): string[];
}

/** A row refused by validation; the message names the column, what was expected and what was received. */
export class RowRejection extends Error {}

export const DISABILITY_DEGREES = ['MILD', 'MODERATE', 'SEVERE', 'PROFOUND'] as const;
export const INSURERS = ['FONASA', 'ISAPRE', 'CAPREDENA', 'DIPRECA'] as const;
export const FONASA_BRACKETS = ['A', 'B', 'C', 'D'] as const;
export const DOCUMENT_STATUSES = ['VALID', 'EXPIRED', 'BLOCKED'] as const;
/**
 * The indigenous peoples recognised by Ley 19.253 (with Chango, Ley 21.151 of 2019, and Selk'nam,
 * Ley 21.606 of 2023), spelled as the register stores them.
 */
export const INDIGENOUS_PEOPLES = [
  'Aymara', 'Quechua', 'Lican Antai (Atacameño)', 'Colla', 'Diaguita', 'Chango', 'Rapa Nui', 'Mapuche', 'Kawésqar',
  'Yagán', "Selk'nam",
] as const;

/** Earliest date any register date may carry. */
const EARLIEST_DATE = 19000101;
const EVENT_MAX_LENGTH = 200;

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** RUN in any written form → body. */
function run(raw: string): number {
  try {
    return runBody(parseRun(raw));
  } catch (error) {
    if (error instanceof RunFormatError) throw new RowRejection(`run: ${error.message}`);
    throw error;
  }
}

/** A real calendar date YYYY-MM-DD or YYYYMMDD → YYYYMMDD; `notAfterAsOf` bounds it by the snapshot date. */
function date(column: string, raw: string, context: ValidationContext, notAfterAsOf: boolean): number {
  const text = raw.trim();
  const iso = /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}` : text;
  const value = numberFromIso(iso);
  if (value === null) {
    throw new RowRejection(`${column}: expected a real date as YYYY-MM-DD or YYYYMMDD, got ${quote(raw)}`);
  }
  if (value < EARLIEST_DATE) throw new RowRejection(`${column}: expected a date from 1900-01-01, got ${isoFromNumber(value)}`);
  if (notAfterAsOf && value > context.asOf) {
    throw new RowRejection(
      `${column}: expected a date on or before the snapshot date ${isoFromNumber(context.asOf)}, got ${isoFromNumber(value)}`,
    );
  }
  return value;
}

/** A code of a closed set, compared without regard to case and surrounding blanks. */
function code<T extends string>(column: string, raw: string, allowed: readonly T[]): T {
  const upper = raw.trim().toUpperCase();
  const found = allowed.find((value) => value.toUpperCase() === upper);
  if (found === undefined) throw new RowRejection(`${column}: expected one of ${allowed.join(', ')}, got ${quote(raw)}`);
  return found;
}

/** A commune CUT code; 4 digits are taken as a code that lost its leading zero ("5101" → "05101"). */
function commune(column: string, raw: string, context: ValidationContext): string {
  const text = raw.trim();
  const padded = /^\d{4}$/.test(text) ? `0${text}` : text;
  if (!context.communes.has(padded)) {
    throw new RowRejection(`${column}: expected the CUT code of one of the ${context.communes.size} communes, like "13101", got ${quote(raw)}`);
  }
  return padded;
}

const INTEGER = 'INTEGER' as const;
const TEXT = 'TEXT' as const;
const RUN_KEY: readonly Column[] = [{ name: 'run', type: INTEGER }];

const civil: RegisterSpec = {
  name: 'civil',
  table: 'civil_identity',
  fileColumns: ['run', 'document_serial', 'document_status', 'expires_on'],
  key: RUN_KEY,
  data: [
    { name: 'document_serial', type: TEXT },
    { name: 'document_status', type: TEXT },
    { name: 'expires_on', type: INTEGER },
  ],
  uniqueAlso: 'document_serial',
  setPerRun: false,
  sources: ['Registro Civil'],
  parse([runRaw, serialRaw, statusRaw, expiresRaw], context) {
    const body = run(runRaw);
    const serial = serialRaw.trim().replace(/\./g, '');
    if (!/^\d{9}$/.test(serial)) {
      throw new RowRejection(`document_serial: expected 9 digits like 123456789 or 123.456.789, got ${quote(serialRaw)}`);
    }
    const status = code('document_status', statusRaw, DOCUMENT_STATUSES);
    // Expiry dates lie in the future for valid documents: only realness is checked.
    return [body, serial, status, date('expires_on', expiresRaw, context, false), 'Registro Civil'];
  },
  format: ([body, serial, status, expires]) => [formatRun(Number(body)), String(serial), String(status), isoFromNumber(Number(expires))],
};

const disability: RegisterSpec = {
  name: 'disability',
  table: 'disability_record',
  fileColumns: ['run', 'degree', 'registered_on'],
  key: RUN_KEY,
  data: [
    { name: 'degree', type: TEXT },
    { name: 'registered_on', type: INTEGER },
  ],
  setPerRun: false,
  sources: ['SENADIS/COMPIN'],
  parse: ([runRaw, degreeRaw, registeredRaw], context) => [
    run(runRaw),
    code('degree', degreeRaw, DISABILITY_DEGREES),
    date('registered_on', registeredRaw, context, true),
    'SENADIS/COMPIN',
  ],
  format: ([body, degree, registered]) => [formatRun(Number(body)), String(degree), isoFromNumber(Number(registered))],
};

const indigenous: RegisterSpec = {
  name: 'indigenous',
  table: 'indigenous_record',
  fileColumns: ['run', 'people', 'accredited_on'],
  key: RUN_KEY,
  data: [
    { name: 'people', type: TEXT },
    { name: 'accredited_on', type: INTEGER },
  ],
  setPerRun: false,
  sources: ['CONADI'],
  parse: ([runRaw, peopleRaw, accreditedRaw], context) => [
    run(runRaw),
    code('people', peopleRaw, INDIGENOUS_PEOPLES),
    date('accredited_on', accreditedRaw, context, true),
    'CONADI',
  ],
  format: ([body, people, accredited]) => [formatRun(Number(body)), String(people), isoFromNumber(Number(accredited))],
};

const health: RegisterSpec = {
  name: 'health',
  table: 'health_insurance',
  fileColumns: ['run', 'insurer', 'bracket'],
  key: RUN_KEY,
  data: [
    { name: 'insurer', type: TEXT },
    { name: 'bracket', type: TEXT },
  ],
  setPerRun: false,
  sources: ['FONASA', 'Superintendencia de Salud'],
  parse([runRaw, insurerRaw, bracketRaw]) {
    const body = run(runRaw);
    const insurer = code('insurer', insurerRaw, INSURERS);
    if (insurer === 'FONASA') {
      return [body, insurer, code('bracket', bracketRaw, FONASA_BRACKETS), 'FONASA'];
    }
    if (bracketRaw.trim() !== '') {
      throw new RowRejection(`bracket: expected an empty bracket for ${insurer} (brackets A-D are FONASA's), got ${quote(bracketRaw)}`);
    }
    return [body, insurer, null, 'Superintendencia de Salud'];
  },
  format: ([body, insurer, bracket]) => [formatRun(Number(body)), String(insurer), bracket === null ? '' : String(bracket)],
};

const street: RegisterSpec = {
  name: 'street',
  table: 'street_situation_record',
  fileColumns: ['run', 'since', 'commune'],
  key: RUN_KEY,
  data: [
    { name: 'since', type: INTEGER },
    { name: 'commune_code', type: TEXT },
  ],
  setPerRun: false,
  sources: ['RSH Calle'],
  parse: ([runRaw, sinceRaw, communeRaw], context) => [
    run(runRaw),
    date('since', sinceRaw, context, true),
    commune('commune', communeRaw, context),
    'RSH Calle',
  ],
  format: ([body, since, communeCode]) => [formatRun(Number(body)), isoFromNumber(Number(since)), String(communeCode)],
};

const emergency: RegisterSpec = {
  name: 'emergency',
  table: 'emergency_record',
  fileColumns: ['run', 'event', 'occurred_on', 'commune'],
  key: [
    { name: 'run', type: INTEGER },
    { name: 'event', type: TEXT },
    { name: 'occurred_on', type: INTEGER },
  ],
  data: [{ name: 'commune_code', type: TEXT }],
  setPerRun: true,
  sources: ['SISE'],
  parse([runRaw, eventRaw, occurredRaw, communeRaw], context) {
    const body = run(runRaw);
    const event = eventRaw.trim();
    if (event === '' || event.length > EVENT_MAX_LENGTH) {
      throw new RowRejection(`event: expected the event's name (1 to ${EVENT_MAX_LENGTH} characters), got ${quote(eventRaw)}`);
    }
    return [body, event, date('occurred_on', occurredRaw, context, true), commune('commune', communeRaw, context), 'SISE'];
  },
  format: ([body, event, occurred, communeCode]) => [formatRun(Number(body)), String(event), isoFromNumber(Number(occurred)), String(communeCode)],
};

export const REGISTERS: Readonly<Record<RegisterName, RegisterSpec>> = { civil, disability, indigenous, health, street, emergency };

export function isRegisterName(value: string): value is RegisterName {
  return (REGISTER_NAMES as readonly string[]).includes(value);
}
