import fs from 'node:fs';
import path from 'node:path';
import { buildASTSchema, getNamedType, isObjectType, Kind, parse as parseGraphql, type GraphQLNamedType } from 'graphql';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { loadCommunes } from '../data/reference';
import { referenceDataDir } from '../lib/paths';
import { describe } from '../lib/run';
import { DEMO_KEY_HASHES } from './keys';
import type { Agreement, AgreementKind, AgreementSet } from './types';

/**
 * Reading and validating agreement files (DESIGN.md §5). One YAML file per agreement; a folder of
 * them becomes an AgreementSet only when every file is valid and the files are consistent with
 * each other (distinct ids, no key or certificate held by two agreements). Otherwise every problem
 * of every file is reported, each as `file:line: path: reason`, the reason saying what was
 * expected and what was received, and nothing is loaded.
 */

/** A refused agreement folder: `problems` lists every problem found, one `file:line: path: reason` each. */
export class AgreementError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the agreement files:\n  ${problems.join('\n  ')}`);
    this.name = 'AgreementError';
  }
}

// ---------------------------------------------------------------------------------------------
// The schema grants are checked against

/** What grants are checked against: the object types of the supergraph's API schema. */
export interface SchemaCatalog {
  /** Object types of the API schema → their fields in SDL order, each with its named return type. */
  objectTypes: ReadonlyMap<string, readonly { name: string; type: string }[]>;
  /** Every other named type of the API schema → its kind ("enum", "scalar", …), for messages. */
  otherTypes: ReadonlyMap<string, string>;
  /** Entity types → their keys (each a list of top-level key fields): Person → [["run"]]. */
  entityKeys: ReadonlyMap<string, readonly (readonly string[])[]>;
}

/** Types and fields that belong to the federation machinery, not to the API partners query. */
const INTERNAL_TYPE = /^(__|join__|link__|federation__)/;
const INTERNAL_FIELDS = new Set(['_entities', '_service']);

function inaccessible(node: { directives?: readonly { name: { value: string } }[] } | null | undefined): boolean {
  return (node?.directives ?? []).some((directive) => /(^|__)inaccessible$/.test(directive.name.value));
}

/** The top-level fields of a key field set: "id", "run", "a b { c }" → ["a", "b"]. */
function topLevelFields(fieldSet: string): string[] {
  let depth = 0;
  let flat = '';
  for (const ch of fieldSet) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 0) flat += ch;
  }
  return flat.split(/[\s,]+/).filter(Boolean);
}

let catalogCache: { sdl: string; catalog: SchemaCatalog } | null = null;

/**
 * The API schema of a composed supergraph (schema/supergraph.graphql): its object types and
 * fields without the join__/link__ internals, `_entities`/`_service` and @inaccessible elements,
 * and the entity keys declared by `@join__type(key:)`. The last result is cached.
 */
export function schemaCatalog(supergraphSdl: string): SchemaCatalog {
  if (catalogCache?.sdl === supergraphSdl) return catalogCache.catalog;
  const schema = buildASTSchema(parseGraphql(supergraphSdl), { assumeValidSDL: true });
  const objectTypes = new Map<string, { name: string; type: string }[]>();
  const otherTypes = new Map<string, string>();
  const entityKeys = new Map<string, string[][]>();
  const kindOf = (type: GraphQLNamedType): string => {
    switch (type.astNode?.kind) {
      case Kind.ENUM_TYPE_DEFINITION: return 'an enum';
      case Kind.INPUT_OBJECT_TYPE_DEFINITION: return 'an input type';
      case Kind.INTERFACE_TYPE_DEFINITION: return 'an interface';
      case Kind.UNION_TYPE_DEFINITION: return 'a union';
      default: return 'a scalar';
    }
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (INTERNAL_TYPE.test(type.name) || inaccessible(type.astNode)) continue;
    if (!isObjectType(type)) {
      otherTypes.set(type.name, kindOf(type));
      continue;
    }
    const fields = Object.values(type.getFields())
      .filter((field) => !INTERNAL_FIELDS.has(field.name) && !INTERNAL_TYPE.test(field.name) && !inaccessible(field.astNode))
      .map((field) => ({ name: field.name, type: getNamedType(field.type).name }));
    objectTypes.set(type.name, fields);
    const keys: string[][] = [];
    for (const directive of type.astNode?.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const key = directive.arguments?.find((argument) => argument.name.value === 'key');
      if (key?.value.kind !== Kind.STRING) continue;
      const fieldsOfKey = topLevelFields(key.value.value);
      if (!keys.some((known) => known.join(' ') === fieldsOfKey.join(' '))) keys.push(fieldsOfKey);
    }
    if (keys.length > 0) entityKeys.set(type.name, keys);
  }
  const catalog: SchemaCatalog = { objectTypes, otherTypes, entityKeys };
  catalogCache = { sdl: supergraphSdl, catalog };
  return catalog;
}

// ---------------------------------------------------------------------------------------------
// Grants: schema coordinates

const NAME = '[_A-Za-z][_0-9A-Za-z]*';
const GRANT = new RegExp(`^(${NAME})\\.(?:(\\*)|(${NAME})|\\{\\s*(${NAME}(?:\\s*,\\s*${NAME})*)\\s*\\})$`);

/** The coordinates a grant pattern stands for, or why it is refused. */
export type GrantExpansion = { coordinates: string[] } | { problem: string };

/** Expands one grant: `Type.field`, `Type.*` (every field of the type) or `Type.{a,b,c}`. */
export function expandGrant(pattern: string, catalog: SchemaCatalog): GrantExpansion {
  const match = GRANT.exec(pattern.trim());
  if (!match) {
    return { problem: `expected a schema coordinate like "Person.givenNames", "Person.*" or "Person.{run,givenNames}", got ${JSON.stringify(pattern)}` };
  }
  const [, typeName, star, single, list] = match;
  const fields = catalog.objectTypes.get(typeName);
  if (!fields) {
    const kind = catalog.otherTypes.get(typeName);
    const known = [...catalog.objectTypes.keys()].sort().join(', ');
    return {
      problem: kind
        ? `unknown coordinate ${JSON.stringify(pattern)}: ${typeName} is ${kind}, not an object type; expected a field of an object type (${known})`
        : `unknown coordinate ${JSON.stringify(pattern)}: the supergraph has no type ${typeName}; expected an object type (${known})`,
    };
  }
  const fieldNames = fields.map((field) => field.name);
  if (star) return { coordinates: fieldNames.map((field) => `${typeName}.${field}`) };
  const wanted = single ? [single] : list.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !fieldNames.includes(name));
  if (unknown.length > 0) {
    return {
      problem: `unknown coordinate ${JSON.stringify(pattern)}: ${typeName} has no field ${unknown.join(', ')}; expected fields of ${typeName} (${fieldNames.join(', ')})`,
    };
  }
  return { coordinates: wanted.map((field) => `${typeName}.${field}`) };
}

// ---------------------------------------------------------------------------------------------
// The file format, as a zod schema

/** How a received value is named in messages ("nothing" for a missing key). */
function received(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  return describe(value);
}

/** Parameters giving a schema the message "expected <expected>, got <what was received>" for a wrong type. */
function expecting(expected: string): { errorMap: z.ZodErrorMap } {
  return {
    errorMap: (issue, ctx) => ({
      message: issue.code === 'invalid_type' ? `expected ${expected}, got ${received(ctx.data)}` : ctx.defaultError,
    }),
  };
}

/** A mapping with exactly these keys (an unknown key is refused: it is most often a typo). */
function record<T extends z.ZodRawShape>(shape: T, expected: string) {
  const keys = Object.keys(shape).join(', ');
  return z
    .object(shape, {
      errorMap: (issue, ctx) => {
        if (issue.code === 'unrecognized_keys') {
          return { message: `expected only the keys ${keys}, got ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}` };
        }
        return { message: issue.code === 'invalid_type' ? `expected ${expected}, got ${received(ctx.data)}` : ctx.defaultError };
      },
    })
    .strict();
}

function text(expected: string) {
  return z.string(expecting(expected)).superRefine((value, ctx) => {
    if (value.trim() === '') ctx.addIssue({ code: 'custom', message: `expected ${expected}, got an empty string` });
  });
}

function patterned(pattern: RegExp, expected: string) {
  return z.string(expecting(expected)).superRefine((value, ctx) => {
    if (!pattern.test(value)) ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${received(value)}` });
  });
}

/**
 * A SHA-256 digest. What was received is described, never echoed: an officer who pasted a key in
 * clear by mistake must not find it again in logs.
 */
function digest(expected: string) {
  return z.string(expecting(expected)).superRefine((value, ctx) => {
    if (/^[0-9a-f]{64}$/.test(value)) return;
    const what = /^[0-9a-fA-F]{64}$/.test(value)
      ? '64 hex digits with upper-case letters'
      : /^[0-9a-fA-F:]{95}$/.test(value)
        ? 'a fingerprint with colons'
        : `a string of ${value.length} characters (not shown)`;
    ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${what}` });
  });
}

function wholeNumber(min: number, expected: string) {
  return z.number(expecting(expected)).superRefine((value, ctx) => {
    if (!Number.isInteger(value) || value < min) ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${value}` });
  });
}

function oneOf<const T extends [string, ...string[]]>(values: T) {
  const expected = `one of ${values.join(', ')}`;
  return z.enum(values, {
    errorMap: (issue, ctx) => ({
      message: issue.code === 'invalid_type' || issue.code === 'invalid_enum_value' ? `expected ${expected}, got ${received(ctx.data)}` : ctx.defaultError,
    }),
  });
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a value is an ISO date "YYYY-MM-DD" naming a real calendar day. */
function isCalendarDay(value: unknown): value is string {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (!match) return false;
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().slice(0, 10) === value;
}

function isoDate() {
  const expected = 'an ISO date like 2024-01-01';
  return z.string(expecting(expected)).superRefine((value, ctx) => {
    if (!isCalendarDay(value)) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected} (a real calendar day), got ${received(value)}` });
    }
  });
}

const KINDS: [AgreementKind, ...AgreementKind[]] = ['MUNICIPALITY', 'INSTITUTION', 'INTERNAL'];
const AGREEMENT_ID = /^[a-z0-9][a-z0-9-]*$/;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PURPOSE_CODE = /^[A-Z0-9][A-Z0-9-]*$/;
const SHA256 = 'the SHA-256 of the key as 64 lower-case hex digits (never the key itself)';
const FINGERPRINT = "the certificate's SHA-256 fingerprint as 64 lower-case hex digits without colons";

function agreementSchema(catalog: SchemaCatalog, communeCodes: ReadonlySet<string>) {
  const communeCode = z
    .string(expecting('a commune CUT code as a quoted string like "05101" (unquoted, YAML reads a number and drops the leading 0)'))
    .superRefine((value, ctx) => {
      if (!communeCodes.has(value)) {
        ctx.addIssue({ code: 'custom', message: `expected the CUT code of one of the ${communeCodes.size} communes of communes.csv, like "13101", got ${received(value)}` });
      }
    });
  const grant = z.string(expecting('a schema coordinate like "Person.givenNames"')).superRefine((value, ctx) => {
    const expansion = expandGrant(value, catalog);
    if ('problem' in expansion) ctx.addIssue({ code: 'custom', message: expansion.problem });
  });
  return record(
    {
      id: patterned(AGREEMENT_ID, 'an agreement id of lower-case letters, digits and dashes like "muni-13101"'),
      version: wholeNumber(1, 'a version number (a whole number ≥ 1, bumped on every change)'),
      demo: z.boolean(expecting('true (a demo agreement) or false')).default(false),
      institution: record(
        { code: text('the institution code as a quoted string like "69070100"'), name: text('the name of the institution') },
        'a mapping { code, name }',
      ),
      kind: oneOf(KINDS),
      status: oneOf(['active', 'suspended']),
      validFrom: isoDate(),
      validUntil: isoDate(),
      communes: z
        .array(communeCode, expecting('a list of commune CUT codes like ["13101"]'))
        .min(1, 'expected at least one commune CUT code, or no `communes` key for every commune, got an empty list')
        .optional(),
      purposes: z
        .array(
          record(
            { code: patterned(PURPOSE_CODE, 'a purpose code of capitals, digits and dashes like "FICHA-SOCIAL"'), text: text('the purpose as stated in the agreement') },
            'a purpose { code, text }',
          ),
          expecting('a list of purposes like [{ code: FICHA-SOCIAL, text: … }]'),
        )
        .min(1, 'expected at least one purpose, got an empty list'),
      requireEndUser: z.boolean(expecting('true or false')),
      grants: z.array(grant, expecting('a list of schema coordinates like [Person.givenNames]')).min(1, 'expected at least one grant, got an empty list'),
      credentials: record(
        {
          apiKeys: z
            .array(
              record({ id: patterned(KEY_ID, 'a key id of letters, digits, ".", "_" or "-" like "k2026a"'), sha256: digest(SHA256) }, 'a key { id, sha256 }'),
              expecting('a list of keys like [{ id: k2026a, sha256: "…" }]'),
            )
            .default([]),
          clientCertificates: z
            .array(record({ sha256Fingerprint: digest(FINGERPRINT) }, 'a certificate { sha256Fingerprint }'), expecting('a list of certificates like [{ sha256Fingerprint: "…" }]'))
            .default([]),
        },
        'a mapping { apiKeys, clientCertificates }',
      ).default({}),
      limits: record({ requestsPerMinute: wholeNumber(1, 'requests per minute as a whole number ≥ 1') }, 'a mapping { requestsPerMinute }'),
    },
    'a mapping with the keys of an agreement (DESIGN.md §5)',
  );
}

type AgreementData = z.infer<ReturnType<typeof agreementSchema>>;

// ---------------------------------------------------------------------------------------------
// Problems located in the YAML source

type Segment = string | number;

interface Problem {
  file: string;
  line: number;
  path: string;
  reason: string;
}

function formatPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return '(agreement)';
  return segments.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}

function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}: ${problem.path}: ${problem.reason}`;
}

/**
 * The line (1-based) where a path is written: the key's line for a mapping entry, the item's
 * line for a list item; for a path that is not in the file, the line of its nearest written parent.
 */
function locator(doc: Document, lineCounter: LineCounter): (segments: readonly Segment[]) => number {
  return (segments) => {
    let node: unknown = doc.contents;
    let offset = isNode(node) && node.range ? node.range[0] : 0;
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === segment);
        if (!pair) break;
        if (isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!isNode(item) || !item.range) break;
        offset = item.range[0];
        node = item;
      } else {
        break;
      }
    }
    return lineCounter.linePos(offset).line;
  };
}

/** One agreement file read and checked on its own; `raw` is what cross-file checks look at. */
interface CheckedFile {
  file: string;
  raw: Record<string, unknown> | null;
  line: (segments: readonly Segment[]) => number;
  agreement: Agreement | null;
}

export interface AgreementSource {
  /** The file as named in messages (the folder as given, joined with the file name). */
  file: string;
  text: string;
}

export interface ValidationOptions {
  /** The composed supergraph SDL (schema/supergraph.graphql) grants are checked against. */
  supergraphSdl: string;
  /** Production mode refuses demo agreements and published demo keys. */
  production: boolean;
  /** CUT codes of the communes; those of communes.csv in the reference data folder when absent. */
  communeCodes?: ReadonlySet<string>;
}

let defaultCommuneCodes: ReadonlySet<string> | null = null;

function communeCodesOf(options: ValidationOptions): ReadonlySet<string> {
  if (options.communeCodes) return options.communeCodes;
  defaultCommuneCodes ??= new Set(loadCommunes(referenceDataDir()).map((commune) => commune.code));
  return defaultCommuneCodes;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The file's own problems (structure, values, rules within one agreement) into `problems`. */
function checkFile(
  source: AgreementSource,
  options: ValidationOptions,
  schema: ReturnType<typeof agreementSchema>,
  catalog: SchemaCatalog,
  problems: Problem[],
): CheckedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: false });
  const line = locator(doc, lineCounter);
  const report = (segments: readonly Segment[], reason: string, at: readonly Segment[] = segments) =>
    problems.push({ file: source.file, line: line(at), path: formatPath(segments), reason });
  const checked: CheckedFile = { file: source.file, raw: null, line, agreement: null };

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      problems.push({
        file: source.file,
        line: lineCounter.linePos(error.pos[0]).line,
        path: '(YAML syntax)',
        reason: `expected well-formed YAML, got: ${error.message.split('\n')[0]}`,
      });
    }
    return checked;
  }
  const raw: unknown = doc.toJS();
  if (!isRecord(raw)) {
    report([], `expected a mapping with the keys of an agreement (id, version, institution, …), got ${raw === null ? 'an empty file' : received(raw)}`);
    return checked;
  }
  checked.raw = raw;

  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
      report(issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? at : issue.path, issue.message, at);
    }
  }

  // Rules across fields, on the values that are themselves well-formed, so that every problem is
  // reported at once rather than one layer at a time.
  if (isCalendarDay(raw.validFrom) && isCalendarDay(raw.validUntil) && raw.validFrom > raw.validUntil) {
    report(['validUntil'], `expected a date on or after validFrom (${raw.validFrom}), got ${raw.validUntil}`);
  }
  if (raw.kind === 'MUNICIPALITY' && raw.communes === undefined) {
    report(['communes'], 'a MUNICIPALITY sees only its own communes: expected a non-empty list of CUT codes like ["13101"], got nothing', ['kind']);
  }
  const duplicates = (list: unknown[], pick: (item: Record<string, unknown>) => unknown, at: (i: number) => Segment[], what: string) => {
    const seen = new Map<unknown, number>();
    list.forEach((item, i) => {
      const value = isRecord(item) ? pick(item) : item;
      if (typeof value !== 'string') return;
      const first = seen.get(value);
      if (first === undefined) seen.set(value, i);
      else report(at(i), `expected each ${what} once, got ${JSON.stringify(value)} again (first at line ${line(at(first))})`);
    });
  };
  duplicates(listOf(raw.communes), (item) => item, (i) => ['communes', i], 'commune');
  duplicates(listOf(raw.purposes), (item) => item.code, (i) => ['purposes', i, 'code'], 'purpose code');
  const credentials = isRecord(raw.credentials) ? raw.credentials : {};
  duplicates(listOf(credentials.apiKeys), (item) => item.id, (i) => ['credentials', 'apiKeys', i, 'id'], 'key id');

  // Entity-key rule: the router joins an entity's fields across subgraphs by its key, so a grant of
  // any field of an entity without its key would fail at the join instead of at start-up.
  const grants = listOf(raw.grants);
  const granted = new Set<string>();
  const firstGrantOfType = new Map<string, number>();
  grants.forEach((pattern, i) => {
    if (typeof pattern !== 'string') return;
    const expansion = expandGrant(pattern, catalog);
    if (!('coordinates' in expansion)) return;
    for (const coordinate of expansion.coordinates) {
      granted.add(coordinate);
      const typeName = coordinate.slice(0, coordinate.indexOf('.'));
      if (!firstGrantOfType.has(typeName)) firstGrantOfType.set(typeName, i);
    }
  });
  for (const [typeName, i] of firstGrantOfType) {
    const keys = catalog.entityKeys.get(typeName);
    if (!keys || keys.some((key) => key.every((field) => granted.has(`${typeName}.${field}`)))) continue;
    const wanted = keys.map((key) => key.map((field) => `${typeName}.${field}`).join(' and ')).join(' or ');
    report(
      ['grants', i],
      `${JSON.stringify(grants[i])} grants a field of the entity ${typeName}, which the router joins across subgraphs by its key: expected ${wanted} to be granted too, got no grant of it`,
    );
  }

  if (options.production) {
    if (raw.demo === true) {
      report(['demo'], 'expected no demo agreement in production mode (NODE_ENV=production), got demo: true; remove this file from the production folder');
    }
    listOf(credentials.apiKeys).forEach((key, i) => {
      const demoKey = isRecord(key) && typeof key.sha256 === 'string' ? DEMO_KEY_HASHES.get(key.sha256) : undefined;
      if (demoKey) {
        report(['credentials', 'apiKeys', i, 'sha256'], `expected a key of your own in production mode, got the hash of the published demo key ${JSON.stringify(demoKey)}`);
      }
    });
  }

  if (parsed.success) checked.agreement = toAgreement(parsed.data, source.file, catalog);
  return checked;
}

function toAgreement(data: AgreementData, file: string, catalog: SchemaCatalog): Agreement {
  const grants = new Set<string>();
  for (const pattern of data.grants) {
    const expansion = expandGrant(pattern, catalog);
    if ('coordinates' in expansion) expansion.coordinates.forEach((coordinate) => grants.add(coordinate));
  }
  return {
    id: data.id,
    version: data.version,
    institution: { code: data.institution.code, name: data.institution.name },
    kind: data.kind,
    status: data.status,
    validFrom: data.validFrom,
    validUntil: data.validUntil,
    communes: data.communes ? new Set(data.communes) : null,
    purposes: data.purposes.map((purpose) => ({ code: purpose.code, text: purpose.text })),
    requireEndUser: data.requireEndUser,
    grants,
    grantPatterns: [...data.grants],
    credentials: {
      apiKeys: data.credentials.apiKeys.map((key) => ({ id: key.id, sha256: key.sha256 })),
      clientCertificates: data.credentials.clientCertificates.map((cert) => ({ sha256Fingerprint: cert.sha256Fingerprint })),
    },
    limits: { requestsPerMinute: data.limits.requestsPerMinute },
    demo: data.demo,
    file,
  };
}

/** Rules across files: one agreement per id; a key or certificate held by one agreement only. */
function checkAcrossFiles(files: readonly CheckedFile[], problems: Problem[]): void {
  const ids = new Map<string, { file: string; line: number }>();
  const digests = new Map<string, { file: string; line: number; what: string }>();
  for (const checked of files) {
    const raw = checked.raw;
    if (!raw) continue;
    if (typeof raw.id === 'string') {
      const first = ids.get(raw.id);
      const line = checked.line(['id']);
      if (first) {
        problems.push({ file: checked.file, line, path: 'id', reason: `expected an id used by one agreement only, got ${JSON.stringify(raw.id)}, already the id of ${first.file}:${first.line}` });
      } else {
        ids.set(raw.id, { file: checked.file, line });
      }
    }
    const owner = typeof raw.id === 'string' ? `agreement ${JSON.stringify(raw.id)}` : 'an agreement';
    const credentials = isRecord(raw.credentials) ? raw.credentials : {};
    const held = [
      ...listOf(credentials.apiKeys).map((key, i) => ({
        digest: isRecord(key) ? key.sha256 : undefined,
        at: ['credentials', 'apiKeys', i, 'sha256'] as Segment[],
        what: `key ${isRecord(key) && typeof key.id === 'string' ? JSON.stringify(key.id) : `#${i + 1}`} of ${owner}`,
        noun: 'an API key',
      })),
      ...listOf(credentials.clientCertificates).map((cert, i) => ({
        digest: isRecord(cert) ? cert.sha256Fingerprint : undefined,
        at: ['credentials', 'clientCertificates', i, 'sha256Fingerprint'] as Segment[],
        what: `certificate #${i + 1} of ${owner}`,
        noun: 'a certificate',
      })),
    ];
    for (const { digest: value, at, what, noun } of held) {
      if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) continue;
      const line = checked.line(at);
      const first = digests.get(value);
      if (first) {
        problems.push({
          file: checked.file,
          line,
          path: formatPath(at),
          reason: `expected ${noun} held by one agreement only, got the same SHA-256 as ${first.what} (${first.file}:${first.line})`,
        });
      } else {
        digests.set(value, { file: checked.file, line, what });
      }
    }
  }
}

/**
 * Validates agreement sources (file name + text) as one folder. Used by `loadAgreements` and by
 * the officer CLI to check a change before writing it.
 */
export function validateAgreementSources(
  sources: readonly AgreementSource[],
  options: ValidationOptions,
): { ok: true; set: AgreementSet } | { ok: false; problems: string[] } {
  const catalog = schemaCatalog(options.supergraphSdl);
  const schema = agreementSchema(catalog, communeCodesOf(options));
  const problems: Problem[] = [];
  const files = sources.map((source) => checkFile(source, options, schema, catalog, problems));
  checkAcrossFiles(files, problems);
  if (problems.length > 0) {
    const order = new Map(sources.map((source, i) => [source.file, i]));
    const sorted = problems
      .map((problem, i) => ({ problem, i }))
      .sort((a, b) => (order.get(a.problem.file) ?? 0) - (order.get(b.problem.file) ?? 0) || a.problem.line - b.problem.line || a.i - b.i);
    return { ok: false, problems: sorted.map(({ problem }) => formatProblem(problem)) };
  }
  const agreements = new Map<string, Agreement>();
  for (const checked of [...files].sort((a, b) => (a.agreement?.id ?? '').localeCompare(b.agreement?.id ?? ''))) {
    if (checked.agreement) agreements.set(checked.agreement.id, checked.agreement);
  }
  return { ok: true, set: { agreements, loadedAt: new Date().toISOString() } };
}

/** Whether a folder entry is an agreement file: *.yaml or *.yml, not hidden (editors' and our temp files are). */
export function isAgreementFileName(name: string): boolean {
  return !name.startsWith('.') && /\.ya?ml$/.test(name);
}

/**
 * The agreement files of a folder, by name. Symbolic links are followed (a Kubernetes ConfigMap
 * mounts files as links). Throws AgreementError when the folder cannot be read.
 */
export function readAgreementSources(dir: string): AgreementSource[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(isAgreementFileName).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AgreementError([`${dir}: (folder): expected a readable folder of agreement files (*.yaml), got ${code}`]);
  }
  const sources: AgreementSource[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (!fs.statSync(file).isFile()) continue;
      sources.push({ file, text: fs.readFileSync(file, 'utf8') });
    } catch (error) {
      // A file removed between listing and reading (an editor's save) is simply not there.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return sources;
}

export type LoadOptions = ValidationOptions;

/**
 * Reads and validates every agreement file of `dir` (DESIGN.md §5) against the supergraph.
 * Throws AgreementError listing every problem of every file when any is invalid.
 */
export function loadAgreements(dir: string, options: LoadOptions): AgreementSet {
  const result = validateAgreementSources(readAgreementSources(dir), options);
  if (!result.ok) throw new AgreementError(result.problems);
  return result.set;
}
