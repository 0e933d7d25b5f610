import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parse as parseYaml, parseDocument, Scalar, type Document } from 'yaml';
import { loadCommunes } from '../data/reference';
import { ConfigError, loadConfig } from '../lib/config';
import { fromRoot, referenceDataDir } from '../lib/paths';
import {
  AgreementError,
  readAgreementSources,
  schemaCatalog,
  validateAgreementSources,
  type AgreementSource,
  type SchemaCatalog,
} from './agreement';
import { newApiKey, sha256Hex } from './keys';
import { standingOn, type Agreement, type AgreementSet } from './types';

/**
 * The interoperability officer's commands on agreements and keys, dispatched by bin/ris.ts:
 *
 *   ris agreements check   [--dir D] [--production]     exit 0 valid, 1 problems
 *   ris agreements explain <agreement-id> [--dir D]     exit 0, 1 invalid folder
 *   ris keys create <agreement-id> [--key-id ID] [--dir D]   exit 0 written, 1 invalid folder
 *
 * Exit 2 for a usage error (also an unknown agreement id or a key id in use). The folder is config.agreementsDir (RIS_AGREEMENTS_DIR) unless --dir
 * is given; production mode (NODE_ENV=production, or --production) applies production's rules.
 */

export interface CliOutput {
  write(text: string): unknown;
}

/** Where a command writes; `now` fixes "today" (tests). The same shape as audit/cli.ts's CliIO. */
export interface CliIo {
  out: CliOutput;
  err: CliOutput;
  now?: () => Date;
}

export type Command = (args: string[], io: CliIo) => Promise<number>;

/** The supergraph grants are checked against: the committed one the router serves (router's SUPERGRAPH_FILE). */
const SUPERGRAPH_FILE = fromRoot('schema', 'supergraph.graphql');

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

/** Parses `args` against the options a command takes: `valued` take a value, `flags` do not. */
function parseArgs(usage: string, args: string[], spec: { positional: string[]; valued?: string[]; flags?: string[] }): Parsed {
  const valued = spec.valued ?? [];
  const flagNames = spec.flags ?? [];
  const parsed: Parsed = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg : arg.slice(0, equals);
    if (flagNames.includes(name) && equals < 0) {
      parsed.flags.add(name);
    } else if (valued.includes(name)) {
      const value = equals < 0 ? args[++i] : arg.slice(equals + 1);
      if (value === undefined || value === '' || (equals < 0 && value.startsWith('--'))) {
        throw new UsageError(`${usage}\n${name}: expected a value, got ${value === undefined || value === '' ? 'nothing' : JSON.stringify(value)}`);
      }
      parsed.values.set(name, value);
    } else {
      const known = [...valued.map((option) => `${option} <value>`), ...flagNames];
      throw new UsageError(`${usage}\nexpected ${known.length > 0 ? `the options ${known.join(', ')}` : 'no options'}, got ${JSON.stringify(arg)}`);
    }
  }
  if (parsed.positional.length < spec.positional.length) {
    throw new UsageError(`${usage}\nexpected ${spec.positional.map((name) => `<${name}>`).join(' ')}, got nothing`);
  }
  if (parsed.positional.length > spec.positional.length) {
    const extra = parsed.positional.slice(spec.positional.length).map((value) => JSON.stringify(value)).join(' ');
    const wanted = spec.positional.length === 0 ? 'no arguments' : `only ${spec.positional.map((name) => `<${name}>`).join(' ')}`;
    throw new UsageError(`${usage}\nexpected ${wanted}, got also ${extra}`);
  }
  return parsed;
}

/** A folder for messages: relative to the working directory when inside it. */
function shown(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}

interface Context {
  dir: string;
  production: boolean;
  supergraphSdl: string;
}

/** The folder, mode and supergraph a command works with; reads the configuration once. */
function contextOf(parsed: Parsed): Context {
  const config = loadConfig();
  return {
    dir: shown(parsed.values.get('--dir') ?? config.agreementsDir),
    production: config.production || parsed.flags.has('--production'),
    supergraphSdl: fs.readFileSync(SUPERGRAPH_FILE, 'utf8'),
  };
}

/** Runs a command body, turning usage and configuration errors into exit code 2. */
async function run(io: CliIo, body: () => number): Promise<number> {
  try {
    return body();
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof AgreementError) {
      io.err.write(`${error.problems.join('\n')}\n`);
      return 1;
    }
    throw error;
  }
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const todayOf = (io: CliIo) => (io.now?.() ?? new Date()).toISOString().slice(0, 10);

/** Validates the folder; prints its problems and returns null when it is invalid. */
function validFolder(context: Context, io: CliIo): { set: AgreementSet; sources: AgreementSource[] } | null {
  const sources = readAgreementSources(context.dir);
  const result = validateAgreementSources(sources, { supergraphSdl: context.supergraphSdl, production: context.production });
  if (result.ok) return { set: result.set, sources };
  io.out.write(`${plural(result.problems.length, 'problem')} in ${context.dir}${context.production ? ' (production mode)' : ''}:\n`);
  for (const problem of result.problems) io.out.write(`  ${problem}\n`);
  return null;
}

function agreementOf(set: AgreementSet, id: string, dir: string): Agreement {
  const agreement = set.agreements.get(id);
  if (!agreement) {
    throw new UsageError(`expected the id of an agreement in ${dir} (${[...set.agreements.keys()].join(', ') || 'none there'}), got ${JSON.stringify(id)}`);
  }
  return agreement;
}

// ---------------------------------------------------------------------------------------------
// ris agreements check

const CHECK_USAGE = 'usage: ris agreements check [--dir D] [--production]';

const check: Command = (args, io) =>
  run(io, () => {
    const context = contextOf(parseArgs(CHECK_USAGE, args, { positional: [], valued: ['--dir'], flags: ['--production'] }));
    const folder = validFolder(context, io);
    if (!folder) return 1;
    const { agreements } = folder.set;
    io.out.write(`${plural(agreements.size, 'agreement')} valid in ${context.dir}${context.production ? ' (production mode)' : ''}\n`);
    const today = todayOf(io);
    for (const agreement of agreements.values()) {
      const standing = standingOn(agreement, today);
      if (standing !== 'active') io.out.write(`  note: ${agreement.id} is ${standingText(agreement, standing)} today (${today}): its partner is refused\n`);
    }
    return 0;
  });

function standingText(agreement: Agreement, standing: ReturnType<typeof standingOn>): string {
  switch (standing) {
    case 'active': return 'active';
    case 'suspended': return 'suspended';
    case 'not-yet-valid': return `not yet valid (from ${agreement.validFrom})`;
    case 'expired': return `expired (on ${agreement.validUntil})`;
  }
}

// ---------------------------------------------------------------------------------------------
// ris agreements explain

const EXPLAIN_USAGE = 'usage: ris agreements explain <agreement-id> [--dir D]';

/** Words of `items` joined by ", " and wrapped to lines of at most `width` characters. */
function wrap(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  items.forEach((item, i) => {
    const word = i < items.length - 1 ? `${item},` : item;
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  });
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * The permission matrix of an agreement: one row per object type of the supergraph (Query first),
 * its granted fields and its denied ones, each list wrapped within its column.
 */
export function permissionMatrix(agreement: Agreement, catalog: SchemaCatalog, columnWidth = 44): string[] {
  const typeNames = [...catalog.objectTypes.keys()].sort((a, b) => (a === 'Query' ? -1 : b === 'Query' ? 1 : a.localeCompare(b)));
  const typeWidth = Math.max(4, ...typeNames.map((name) => name.length)) + 2;
  const lines = [`${'type'.padEnd(typeWidth)}${'✓ granted'.padEnd(columnWidth + 2)}✗ denied`];
  for (const typeName of typeNames) {
    const fields = (catalog.objectTypes.get(typeName) ?? []).map((field) => field.name);
    const granted = fields.filter((field) => agreement.grants.has(`${typeName}.${field}`));
    const denied = fields.filter((field) => !agreement.grants.has(`${typeName}.${field}`));
    const left = granted.length > 0 ? wrap(granted, columnWidth) : ['—'];
    const right = denied.length > 0 ? wrap(denied, columnWidth) : ['—'];
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      lines.push(`${(i === 0 ? typeName : '').padEnd(typeWidth)}${(left[i] ?? '').padEnd(columnWidth + 2)}${right[i] ?? ''}`.trimEnd());
    }
  }
  return lines;
}

/** Granted fields whose object type has nothing granted: they can be asked for but return nothing readable. */
function deadEnds(agreement: Agreement, catalog: SchemaCatalog): string[] {
  const notes: string[] = [];
  for (const coordinate of agreement.grants) {
    const [typeName, fieldName] = coordinate.split('.');
    const returned = catalog.objectTypes.get(typeName)?.find((field) => field.name === fieldName)?.type;
    const returnedFields = returned ? catalog.objectTypes.get(returned) : undefined;
    if (returned && returnedFields && !returnedFields.some((field) => agreement.grants.has(`${returned}.${field.name}`))) {
      notes.push(`note: ${coordinate} returns ${returned}, of which no field is granted`);
    }
  }
  return notes;
}

export function explainAgreement(agreement: Agreement, catalog: SchemaCatalog, today: string, communeNames: ReadonlyMap<string, string>): string[] {
  const standing = standingOn(agreement, today);
  const total = [...catalog.objectTypes.values()].reduce((sum, fields) => sum + fields.length, 0);
  const row = (label: string, values: string[]) => values.map((value, i) => `  ${(i === 0 ? label : '').padEnd(14)} ${value}`);
  const keys = agreement.credentials.apiKeys.map((key) => key.id);
  const certificates = agreement.credentials.clientCertificates.length;
  return [
    `${agreement.id}: ${agreement.institution.name} (institution ${agreement.institution.code})`,
    ...row('file', [agreement.file]),
    ...row('version', [String(agreement.version)]),
    ...row('kind', [agreement.kind]),
    ...row('status', [`${agreement.status}; valid ${agreement.validFrom} to ${agreement.validUntil}; today (${today}): ${standingText(agreement, standing)}`]),
    ...row(
      'communes',
      agreement.communes === null
        ? ['every commune (no row scope)']
        : [...agreement.communes].map((code) => `${code} ${communeNames.get(code) ?? '(not in communes.csv)'}`),
    ),
    ...row('purposes', agreement.purposes.map((purpose) => `${purpose.code}: ${purpose.text}`)),
    ...row('end user', [agreement.requireEndUser ? 'required: every request names the official (X-RIS-End-User)' : 'not required']),
    ...row('rate limit', [`${agreement.limits.requestsPerMinute} requests per minute`]),
    ...row('API keys', [keys.length > 0 ? `${keys.join(', ')} (only their SHA-256 is stored)` : 'none']),
    ...row('certificates', [certificates > 0 ? plural(certificates, 'client certificate') : 'none']),
    ...(agreement.demo ? row('demo', ['yes: refused in production mode']) : []),
    '',
    `Permissions: ${agreement.grants.size} of ${total} fields granted; everything else is denied`,
    ...permissionMatrix(agreement, catalog),
    ...deadEnds(agreement, catalog),
  ];
}

const explain: Command = (args, io) =>
  run(io, () => {
    const parsed = parseArgs(EXPLAIN_USAGE, args, { positional: ['agreement-id'], valued: ['--dir'], flags: ['--production'] });
    const context = contextOf(parsed);
    const folder = validFolder(context, io);
    if (!folder) return 1;
    const agreement = agreementOf(folder.set, parsed.positional[0], context.dir);
    const communeNames = new Map(loadCommunes(referenceDataDir()).map((commune) => [commune.code, commune.name]));
    const lines = explainAgreement(agreement, schemaCatalog(context.supergraphSdl), todayOf(io), communeNames);
    io.out.write(`${lines.join('\n')}\n`);
    return 0;
  });

// ---------------------------------------------------------------------------------------------
// ris keys create

const CREATE_USAGE = 'usage: ris keys create <agreement-id> [--key-id ID] [--dir D]';
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A YAML scalar for a string: plain when YAML reads it back as that string, double-quoted otherwise. */
function yamlString(value: string): string {
  return parseYaml(value) === value ? value : JSON.stringify(value);
}

/** What the file must read as after the change: the same data, version + 1, the key appended. */
function expectedAfter(before: unknown, key: { id: string; sha256: string }): unknown {
  const data = JSON.parse(JSON.stringify(before)) as Record<string, unknown>;
  data.version = (data.version as number) + 1;
  const credentials = (data.credentials ??= {}) as Record<string, unknown>;
  const apiKeys = Array.isArray(credentials.apiKeys) ? credentials.apiKeys : [];
  credentials.apiKeys = [...apiKeys, { id: key.id, sha256: key.sha256 }];
  return data;
}

/**
 * Splices the change into the text: the version number replaced in place, the key added as
 * `{ id: …, sha256: "…" }` after the last key of `credentials.apiKeys`. Every other byte (comments,
 * alignment, quoting) stays as the officer wrote it. Null when there is no `credentials.apiKeys`
 * list to add to yet.
 */
function spliceKey(text: string, doc: Document, key: { id: string; sha256: string }): string | null {
  const version = doc.get('version', true);
  const credentials = doc.get('credentials', true);
  const apiKeys = isMap(credentials) ? credentials.get('apiKeys', true) : undefined;
  if (!isScalar(version) || typeof version.value !== 'number' || !version.range || !isSeq(apiKeys) || !apiKeys.range) return null;
  const entry = `{ id: ${yamlString(key.id)}, sha256: "${key.sha256}" }`;
  const edits: { at: number; end: number; insert: string }[] = [
    { at: version.range[0], end: version.range[1], insert: String(version.value + 1) },
  ];
  const last = apiKeys.items[apiKeys.items.length - 1];
  const lastRange = last && typeof last === 'object' && 'range' in last ? (last.range as [number, number, number] | undefined) : undefined;
  if (apiKeys.flow) {
    if (!last) {
      const open = text.indexOf('[', apiKeys.range[0]);
      edits.push({ at: open + 1, end: open + 1, insert: entry });
    } else if (lastRange) {
      edits.push({ at: lastRange[1], end: lastRange[1], insert: `, ${entry}` });
    } else {
      return null;
    }
  } else {
    if (!lastRange) return null;
    const lineStart = text.lastIndexOf('\n', lastRange[0] - 1) + 1;
    const dash = text.indexOf('-', lineStart);
    if (dash < 0 || dash >= lastRange[0]) return null;
    const lineEnd = text.indexOf('\n', lastRange[1]);
    const at = lineEnd < 0 ? text.length : lineEnd;
    edits.push({ at, end: at, insert: `\n${text.slice(lineStart, dash)}- ${entry}` });
  }
  let result = text;
  for (const edit of edits.sort((a, b) => b.at - a.at)) result = result.slice(0, edit.at) + edit.insert + result.slice(edit.end);
  return result;
}

/** The same change through the yaml Document API: comments are kept, alignment may not be. */
function renderKey(doc: Document, key: { id: string; sha256: string }): string {
  const version = doc.get('version', true);
  if (isScalar(version) && typeof version.value === 'number') version.value += 1;
  const entry = doc.createNode({ id: key.id, sha256: key.sha256 });
  entry.flow = true;
  const hash = entry.get('sha256', true);
  if (isScalar(hash)) hash.type = Scalar.QUOTE_DOUBLE;
  const apiKeys = doc.getIn(['credentials', 'apiKeys'], true);
  if (isSeq(apiKeys)) apiKeys.add(entry);
  else doc.setIn(['credentials', 'apiKeys'], doc.createNode([entry]));
  return doc.toString({ lineWidth: 0 });
}

/** The data a YAML text reads as, in a comparable form (JSON: agreement files hold nothing else). */
const dataOf = (text: string): string => JSON.stringify(parseDocument(text).toJS());

/**
 * The agreement file's text with the key appended and the version bumped, checked to read back
 * as exactly that change before it is returned.
 */
export function addKeyToText(text: string, key: { id: string; sha256: string }): string {
  const expected = JSON.stringify(expectedAfter(parseDocument(text).toJS(), key));
  const spliced = spliceKey(text, parseDocument(text), key);
  if (spliced !== null && dataOf(spliced) === expected) return spliced;
  const rendered = renderKey(parseDocument(text), key);
  if (dataOf(rendered) !== expected) {
    throw new Error('internal error: the edited agreement does not read back as the intended change; nothing was written');
  }
  return rendered;
}

/** k<year>a, k<year>b, … (as in DESIGN.md §5), the first not used by the agreement. */
function defaultKeyId(agreement: Agreement, year: number): string {
  const used = new Set(agreement.credentials.apiKeys.map((key) => key.id));
  for (let n = 0; ; n++) {
    const suffix = n < 26 ? String.fromCharCode(97 + n) : `-${n + 1}`;
    if (!used.has(`k${year}${suffix}`)) return `k${year}${suffix}`;
  }
}

/** Writes a file atomically: a hidden temporary file beside it (the loader skips hidden files), then rename. */
function writeAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const { mode } = fs.statSync(file);
  try {
    fs.writeFileSync(temporary, text, { mode });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

const create: Command = (args, io) =>
  run(io, () => {
    const parsed = parseArgs(CREATE_USAGE, args, { positional: ['agreement-id'], valued: ['--key-id', '--dir'], flags: ['--production'] });
    const context = contextOf(parsed);
    const folder = validFolder(context, io);
    if (!folder) {
      io.out.write('no key created: expected a valid folder before changing it\n');
      return 1;
    }
    const agreement = agreementOf(folder.set, parsed.positional[0], context.dir);
    const keyId = parsed.values.get('--key-id') ?? defaultKeyId(agreement, (io.now?.() ?? new Date()).getUTCFullYear());
    if (!KEY_ID.test(keyId)) throw new UsageError(`--key-id: expected letters, digits, ".", "_" or "-" like "k2026a", got ${JSON.stringify(keyId)}`);
    const used = agreement.credentials.apiKeys.map((key) => key.id);
    if (used.includes(keyId)) {
      throw new UsageError(`--key-id: expected a key id not yet used by ${agreement.id} (${used.join(', ')}), got ${JSON.stringify(keyId)}`);
    }

    const key = newApiKey();
    const sha256 = sha256Hex(key);
    const source = folder.sources.find((candidate) => candidate.file === agreement.file);
    if (!source) throw new Error(`internal error: ${agreement.file} was validated but is not among the files read`);
    const text = addKeyToText(source.text, { id: keyId, sha256 });
    const after = validateAgreementSources(
      folder.sources.map((candidate) => (candidate === source ? { file: candidate.file, text } : candidate)),
      { supergraphSdl: context.supergraphSdl, production: context.production },
    );
    if (!after.ok) {
      io.out.write(`no key created: the changed folder would not validate:\n${after.problems.map((problem) => `  ${problem}\n`).join('')}`);
      return 1;
    }
    writeAtomically(agreement.file, text);

    io.out.write(
      [
        `Created API key ${keyId} for ${agreement.id} (${agreement.institution.name}); version ${agreement.version} → ${agreement.version + 1} in ${agreement.file}`,
        '',
        `    ${key}`,
        '',
        'Store it now in the partner\'s secret store and hand it over by a secure channel: it is shown only',
        `this once, and the agreement file keeps only its SHA-256 (${sha256.slice(0, 12)}…). Running processes`,
        'apply the change within a second; the partner sends it as "Authorization: Bearer <key>".',
        '',
      ].join('\n'),
    );
    return 0;
  });

export const agreementCommands: Record<string, Command> = { check, explain };
export const keyCommands: Record<string, Command> = { create };

/** The usage lines of these commands, for `ris help`. */
export const AGREEMENT_USAGE: readonly string[] = [CHECK_USAGE, EXPLAIN_USAGE, CREATE_USAGE].map((line) => line.replace(/^usage: /, ''));
