import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgreementError, loadAgreements, schemaCatalog } from '../authz/agreement';
import { DEMO_API_KEYS, sha256Hex } from '../authz/keys';
import { openRegistry, type WatchedRegistry } from '../authz/registry';
import type { AgreementSet } from '../authz/types';
import { fromRoot } from '../lib/paths';

/**
 * Agreement files (DESIGN.md §5): the shipped demo folder, every validation rule with the exact
 * `file:line: path: reason` it produces, production mode, key lookup and hot reload.
 */

const SDL = fs.readFileSync(fromRoot('schema', 'supergraph.graphql'), 'utf8');
const DEMO_DIR = fromRoot('authz', 'agreements');
const OPTIONS = { supergraphSdl: SDL, production: false };
const catalog = schemaCatalog(SDL);
const fieldsOf = (type: string) => (catalog.objectTypes.get(type) ?? []).map((field) => field.name).join(', ');
const OBJECT_TYPES = [...catalog.objectTypes.keys()].sort().join(', ');
const KEY_1 = 'test-key-1';
const KEY_2 = 'test-key-2';

/**
 * An agreement file with one key per line at fixed line numbers, so expected messages can name
 * them: id 1, version 2, institution 3, kind 4, status 5, validFrom 6, validUntil 7, communes 8,
 * purposes 9, requireEndUser 10, credentials 11, limits 12, demo 13, grants 14 (items from 15).
 * A key given as null is left out (its line stays, as a comment).
 */
type Field = 'id' | 'version' | 'institution' | 'kind' | 'status' | 'validFrom' | 'validUntil' | 'communes' | 'purposes' | 'requireEndUser' | 'credentials' | 'limits' | 'demo';

function agreementYaml(fields: Partial<Record<Field, string | null>> = {}, grants: string[] = ['Query.person', 'Person.{run,givenNames}']): string {
  const defaults: Record<Field, string | null> = {
    id: 'test-1',
    version: '1',
    institution: '{ code: "61979440", name: Instituto de Prueba }',
    kind: 'INSTITUTION',
    status: 'active',
    validFrom: '2024-01-01',
    validUntil: '2027-12-31',
    communes: null,
    purposes: '[{ code: PRUEBA, text: Pruebas del convenio }]',
    requireEndUser: 'true',
    credentials: `{ apiKeys: [{ id: k1, sha256: "${sha256Hex(KEY_1)}" }] }`,
    limits: '{ requestsPerMinute: 60 }',
    demo: null,
  };
  const merged = { ...defaults, ...fields };
  const lines = (Object.keys(defaults) as Field[]).map((key) => (merged[key] === null ? `# ${key}: not given` : `${key}: ${merged[key]}`));
  return [...lines, 'grants:', ...grants.map((grant) => `  - ${grant}`), ''].join('\n');
}

const folders: string[] = [];
const registries: WatchedRegistry[] = [];

function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-agreements-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

afterEach(() => {
  for (const registry of registries.splice(0)) registry.close();
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The problems loading `dir` reports (fails the test when it loads). */
function problemsOf(dir: string, options: { production?: boolean } = {}): string[] {
  try {
    loadAgreements(dir, { ...OPTIONS, ...options });
  } catch (error) {
    if (error instanceof AgreementError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${dir} to be refused, but it loaded`);
}

function summary(set: AgreementSet) {
  return [...set.agreements.values()].map((agreement) => ({
    id: agreement.id,
    version: agreement.version,
    kind: agreement.kind,
    status: agreement.status,
    communes: agreement.communes === null ? null : [...agreement.communes],
    purposes: agreement.purposes.map((purpose) => purpose.code),
    requireEndUser: agreement.requireEndUser,
    keys: agreement.credentials.apiKeys.map((key) => key.id),
    requestsPerMinute: agreement.limits.requestsPerMinute,
    demo: agreement.demo,
  }));
}

describe('the shipped demo agreements', () => {
  test('the demo folder validates into the five demo agreements of DESIGN.md §5', () => {
    expect(summary(loadAgreements(DEMO_DIR, OPTIONS))).toEqual([
      { id: 'fosis', version: 1, kind: 'INSTITUTION', status: 'active', communes: null, purposes: ['ACOMPANAMIENTO-FAMILIAS'], requireEndUser: true, keys: ['demo'], requestsPerMinute: 1200, demo: true },
      { id: 'ips', version: 1, kind: 'INSTITUTION', status: 'active', communes: null, purposes: ['PAGO-BENEFICIOS'], requireEndUser: false, keys: ['demo'], requestsPerMinute: 3000, demo: true },
      { id: 'mds-internal', version: 1, kind: 'INTERNAL', status: 'active', communes: null, purposes: ['GESTION-BENEFICIOS', 'ATENCION-CIUDADANA'], requireEndUser: true, keys: ['demo'], requestsPerMinute: 6000, demo: true },
      { id: 'muni-05101', version: 1, kind: 'MUNICIPALITY', status: 'active', communes: ['05101'], purposes: ['FICHA-SOCIAL', 'SUBSIDIO-AGUA'], requireEndUser: true, keys: ['demo'], requestsPerMinute: 600, demo: true },
      { id: 'muni-13101', version: 1, kind: 'MUNICIPALITY', status: 'active', communes: ['13101'], purposes: ['FICHA-SOCIAL'], requireEndUser: true, keys: ['demo'], requestsPerMinute: 600, demo: true },
    ]);
  });

  test('each demo key authenticates to its own agreement, and any other key to nothing', () => {
    const registry = openRegistry({ dir: DEMO_DIR, ...OPTIONS, watch: false });
    const found = Object.keys(DEMO_API_KEYS).map((key) => {
      const match = registry.byApiKey(key);
      return [key, match && { agreement: match.agreement.id, keyId: match.keyId }];
    });
    expect(Object.fromEntries(found)).toEqual({
      'demo-mds-internal': { agreement: 'mds-internal', keyId: 'demo' },
      'demo-muni-13101': { agreement: 'muni-13101', keyId: 'demo' },
      'demo-muni-05101': { agreement: 'muni-05101', keyId: 'demo' },
      'demo-ips': { agreement: 'ips', keyId: 'demo' },
      'demo-fosis': { agreement: 'fosis', keyId: 'demo' },
    });
    expect([registry.byApiKey('demo-muni-13102'), registry.byApiKey(''), registry.byApiKey(sha256Hex('demo-ips'))]).toEqual([undefined, undefined, undefined]);
  });

  test('mds-internal is granted every field of every object type of the supergraph', () => {
    const every = [...catalog.objectTypes].flatMap(([type, fields]) => fields.map((field) => `${type}.${field.name}`)).sort();
    expect([...(loadAgreements(DEMO_DIR, OPTIONS).agreements.get('mds-internal')?.grants ?? [])].sort()).toEqual(every);
  });

  test('muni-13101 is granted master data, households, addresses and subsystem membership, and no benefits or registers', () => {
    const grants = loadAgreements(DEMO_DIR, OPTIONS).agreements.get('muni-13101')?.grants ?? new Set();
    const byType = new Map<string, string[]>();
    for (const coordinate of [...grants].sort()) {
      const [type, field] = coordinate.split('.');
      byType.set(type, [...(byType.get(type) ?? []), field]);
    }
    expect(Object.fromEntries(byType)).toEqual({
      Address: ['commune', 'number', 'street', 'unit'],
      Commune: ['code', 'name', 'province', 'region'],
      Contact: ['email', 'phone'],
      Household: ['address', 'cseBracket', 'head', 'id', 'members', 'registeredOn', 'size', 'updatedOn'],
      HouseholdConnection: ['edges', 'pageInfo', 'totalCount'],
      HouseholdEdge: ['cursor', 'node'],
      HouseholdMember: ['person', 'relationship'],
      PageInfo: ['endCursor', 'hasNextPage'],
      Person: ['address', 'age', 'birthDate', 'contact', 'deceased', 'givenNames', 'household', 'maternalSurname', 'nationality', 'paternalSurname', 'run', 'sex', 'subsystemMembership'],
      Query: ['household', 'householdsInCommune', 'person', 'persons'],
      Region: ['code', 'name'],
      SubsystemMembership: ['active', 'since', 'subsystem'],
    });
  });

  test('the demo files hold only hashes of the demo keys, never a key in clear', () => {
    const texts = fs.readdirSync(DEMO_DIR).map((name) => fs.readFileSync(path.join(DEMO_DIR, name), 'utf8')).join('\n');
    const inClear = Object.keys(DEMO_API_KEYS).filter((key) => new RegExp(`sha256: "?${key}"?`).test(texts) || texts.includes(`: ${key}\n`));
    expect(inClear).toEqual([]);
    expect(Object.keys(DEMO_API_KEYS).filter((key) => !texts.includes(sha256Hex(key)))).toEqual([]);
  });
});

describe('validation of one file', () => {
  test('a valid file loads with its grants expanded and its patterns kept', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml() });
    const agreement = loadAgreements(dir, OPTIONS).agreements.get('test-1');
    expect(agreement && { grants: [...agreement.grants], patterns: agreement.grantPatterns, file: agreement.file }).toEqual({
      grants: ['Query.person', 'Person.run', 'Person.givenNames'],
      patterns: ['Query.person', 'Person.{run,givenNames}'],
      file: path.join(dir, 'test-1.yaml'),
    });
  });

  test('an unknown field is refused naming the file, the line and the coordinate', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({}, ['Query.person', 'Person.{run,cse}']) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:16: grants[1]: unknown coordinate "Person.{run,cse}": Person has no field cse; expected fields of Person (${fieldsOf('Person')})`,
    ]);
  });

  test('an unknown type is refused naming the file, the line and the coordinate', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({}, ['Query.person', 'Person.run', 'Persona.run']) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:17: grants[2]: unknown coordinate "Persona.run": the supergraph has no type Persona; expected an object type (${OBJECT_TYPES})`,
    ]);
  });

  test('a grant of an enum value, or a grant that is not a coordinate, is refused', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({}, ['Query.person', 'Person.run', 'Sex.FEMALE', 'Person']) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:17: grants[2]: unknown coordinate "Sex.FEMALE": Sex is an enum, not an object type; expected a field of an object type (${OBJECT_TYPES})`,
      `${dir}/test-1.yaml:18: grants[3]: expected a schema coordinate like "Person.givenNames", "Person.*" or "Person.{run,givenNames}", got "Person"`,
    ]);
  });

  test('a field of an entity granted without the entity key is refused, naming the key', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({}, ['Query.household', 'Household.{cseBracket,size}']) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:16: grants[1]: "Household.{cseBracket,size}" grants a field of the entity Household, which the router joins across subgraphs by its key: expected Household.id to be granted too, got no grant of it`,
    ]);
  });

  test('a date that is not a calendar day is refused', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ validFrom: '2024-02-30', validUntil: '31/12/2027' }) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:6: validFrom: expected an ISO date like 2024-01-01 (a real calendar day), got "2024-02-30"`,
      `${dir}/test-1.yaml:7: validUntil: expected an ISO date like 2024-01-01 (a real calendar day), got "31/12/2027"`,
    ]);
  });

  test('a validity that ends before it starts is refused', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ validFrom: '2026-01-01', validUntil: '2025-12-31' }) });
    expect(problemsOf(dir)).toEqual([`${dir}/test-1.yaml:7: validUntil: expected a date on or after validFrom (2026-01-01), got 2025-12-31`]);
  });

  test('a MUNICIPALITY without communes is refused', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ kind: 'MUNICIPALITY' }) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:4: communes: a MUNICIPALITY sees only its own communes: expected a non-empty list of CUT codes like ["13101"], got nothing`,
    ]);
  });

  test('an unknown commune code, and one YAML read as a number, are refused', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ kind: 'MUNICIPALITY', communes: '["13101", "13199", 05101]' }) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:8: communes[1]: expected the CUT code of one of the 346 communes of communes.csv, like "13101", got "13199"`,
      `${dir}/test-1.yaml:8: communes[2]: expected a commune CUT code as a quoted string like "05101" (unquoted, YAML reads a number and drops the leading 0), got number 5101`,
    ]);
  });

  test('commune codes may be given as a parameter instead of communes.csv', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ kind: 'MUNICIPALITY', communes: '["13101"]' }) });
    expect(() => loadAgreements(dir, { ...OPTIONS, communeCodes: new Set(['05101']) })).toThrow(
      `${dir}/test-1.yaml:8: communes[0]: expected the CUT code of one of the 1 communes of communes.csv, like "13101", got "13101"`,
    );
  });

  test('a key stored in clear instead of its hash is refused without showing it', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ credentials: `{ apiKeys: [{ id: k1, sha256: "${KEY_1}" }] }` }) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:11: credentials.apiKeys[0].sha256: expected the SHA-256 of the key as 64 lower-case hex digits (never the key itself), got a string of 10 characters (not shown)`,
    ]);
  });

  test('two keys with the same id in one agreement are refused', () => {
    const keys = `{ apiKeys: [{ id: k1, sha256: "${sha256Hex(KEY_1)}" }, { id: k1, sha256: "${sha256Hex(KEY_2)}" }] }`;
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ credentials: keys }) });
    expect(problemsOf(dir)).toEqual([`${dir}/test-1.yaml:11: credentials.apiKeys[1].id: expected each key id once, got "k1" again (first at line 11)`]);
  });

  test('a misspelt key, a missing key and a wrong type are each refused with what was expected', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ version: '"2"', requireEndUser: null, demo: 'yes', status: 'paused' }).replace('limits:', 'limit:') });
    expect(problemsOf(dir)).toEqual([
      `${dir}/test-1.yaml:2: version: expected a version number (a whole number ≥ 1, bumped on every change), got "2"`,
      `${dir}/test-1.yaml:5: status: expected one of active, suspended, got "paused"`,
      `${dir}/test-1.yaml:12: limit: expected only the keys id, version, demo, institution, kind, status, validFrom, validUntil, communes, purposes, requireEndUser, grants, credentials, limits, got "limit"`,
      `${dir}/test-1.yaml:13: demo: expected true (a demo agreement) or false, got "yes"`,
      `${dir}/test-1.yaml:1: requireEndUser: expected true or false, got nothing`,
      `${dir}/test-1.yaml:1: limits: expected a mapping { requestsPerMinute }, got nothing`,
    ].sort(byLine));
  });

  test('malformed YAML is refused with the line of the error', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml().replace('status: active', 'version: 2') });
    expect(problemsOf(dir)).toEqual([`${dir}/test-1.yaml:5: (YAML syntax): expected well-formed YAML, got: Map keys must be unique`]);
  });
});

/** Problems in the order the loader reports them: by line within a file, then as found. */
function byLine(a: string, b: string): number {
  const line = (problem: string) => Number(/\.yaml:(\d+):/.exec(problem)?.[1]);
  return line(a) - line(b);
}

describe('validation across files', () => {
  test('the same id in two files is refused naming both files', () => {
    const dir = folderWith({
      'a.yaml': agreementYaml(),
      'b.yaml': agreementYaml({ credentials: `{ apiKeys: [{ id: k1, sha256: "${sha256Hex(KEY_2)}" }] }` }),
    });
    expect(problemsOf(dir)).toEqual([`${dir}/b.yaml:1: id: expected an id used by one agreement only, got "test-1", already the id of ${dir}/a.yaml:1`]);
  });

  test('the same key hash in two agreements is refused naming both files', () => {
    const dir = folderWith({ 'a.yaml': agreementYaml(), 'b.yaml': agreementYaml({ id: 'test-2' }) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/b.yaml:11: credentials.apiKeys[0].sha256: expected an API key held by one agreement only, got the same SHA-256 as key "k1" of agreement "test-1" (${dir}/a.yaml:11)`,
    ]);
  });

  test('the same certificate fingerprint in two agreements is refused naming both files', () => {
    const certificate = `{ clientCertificates: [{ sha256Fingerprint: "${sha256Hex('certificate')}" }] }`;
    const dir = folderWith({ 'a.yaml': agreementYaml({ credentials: certificate }), 'b.yaml': agreementYaml({ id: 'test-2', credentials: certificate }) });
    expect(problemsOf(dir)).toEqual([
      `${dir}/b.yaml:11: credentials.clientCertificates[0].sha256Fingerprint: expected a certificate held by one agreement only, got the same SHA-256 as certificate #1 of agreement "test-1" (${dir}/a.yaml:11)`,
    ]);
  });

  test('every problem of every file is listed at once', () => {
    const dir = folderWith({
      'a.yaml': agreementYaml({ validFrom: '2024-13-01' }),
      'b.yaml': agreementYaml({ id: 'test-2', credentials: null }, ['Query.persn']),
    });
    expect(problemsOf(dir)).toEqual([
      `${dir}/a.yaml:6: validFrom: expected an ISO date like 2024-01-01 (a real calendar day), got "2024-13-01"`,
      `${dir}/b.yaml:15: grants[0]: unknown coordinate "Query.persn": Query has no field persn; expected fields of Query (${fieldsOf('Query')})`,
    ]);
  });

  test('hidden files and files that are not YAML are not agreements', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml(), '.test-1.yaml.123.tmp': 'not: an agreement', 'README.md': '# notes' });
    expect([...loadAgreements(dir, OPTIONS).agreements.keys()]).toEqual(['test-1']);
  });
});

describe('production mode', () => {
  test('production mode refuses an agreement marked demo and one holding a published demo key', () => {
    const dir = folderWith({
      'a.yaml': agreementYaml({ demo: 'true' }),
      'b.yaml': agreementYaml({ id: 'test-2', credentials: `{ apiKeys: [{ id: k1, sha256: "${sha256Hex('demo-ips')}" }] }` }),
    });
    expect(problemsOf(dir, { production: true })).toEqual([
      `${dir}/a.yaml:13: demo: expected no demo agreement in production mode (NODE_ENV=production), got demo: true; remove this file from the production folder`,
      `${dir}/b.yaml:11: credentials.apiKeys[0].sha256: expected a key of your own in production mode, got the hash of the published demo key "demo-ips"`,
    ]);
  });

  test('production mode refuses the shipped demo folder', () => {
    expect(problemsOf(DEMO_DIR, { production: true }).filter((problem) => / demo: expected no demo agreement/.test(problem))).toHaveLength(5);
  });

  test('production mode accepts an agreement of its own', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ demo: 'false' }) });
    expect([...loadAgreements(dir, { ...OPTIONS, production: true }).agreements.keys()]).toEqual(['test-1']);
  });
});

describe('the registry', () => {
  /** Resolves with the next reload event of the registry. */
  function nextChange(registry: WatchedRegistry): Promise<{ applied: boolean; reason?: string }> {
    return new Promise((resolve) => registry.onChange((event) => resolve(event.applied ? { applied: true } : { applied: false, reason: event.reason })));
  }

  function open(dir: string, log: string[] = []): WatchedRegistry {
    const registry = openRegistry({ dir, ...OPTIONS, debounceMs: 50, log: (message) => log.push(message) });
    registries.push(registry);
    return registry;
  }

  test('a registry refuses to start on an invalid folder', () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml({}, ['Query.nobody']) });
    expect(() => openRegistry({ dir, ...OPTIONS, watch: false })).toThrow(AgreementError);
  });

  test('a valid change applies without restart', async () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml() });
    const registry = open(dir);
    const change = nextChange(registry);
    fs.writeFileSync(path.join(dir, 'test-1.yaml'), agreementYaml({ version: '2' }, ['Query.person', 'Person.{run,givenNames,age}']));
    expect(await change).toEqual({ applied: true });
    const agreement = registry.get('test-1');
    expect(agreement && { version: agreement.version, grants: [...agreement.grants] }).toEqual({
      version: 2,
      grants: ['Query.person', 'Person.run', 'Person.givenNames', 'Person.age'],
    });
  });

  test('an invalid change is refused with its reason, logged, and the last good set is kept', async () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml() });
    const log: string[] = [];
    const registry = open(dir, log);
    const before = registry.current();
    const change = nextChange(registry);
    fs.writeFileSync(path.join(dir, 'test-1.yaml'), agreementYaml({ version: '2' }, ['Query.person', 'Person.{run,cse}']));
    const reason =
      `refused the change to ${dir}: expected a folder of valid agreements, got 1 problem; kept the agreements loaded at ${before.loadedAt}:\n` +
      `  ${dir}/test-1.yaml:16: grants[1]: unknown coordinate "Person.{run,cse}": Person has no field cse; expected fields of Person (${fieldsOf('Person')})`;
    expect(await change).toEqual({ applied: false, reason });
    expect(log).toEqual([`agreements: ${reason}`]);
    expect(registry.current()).toBe(before);
    expect(registry.get('test-1')?.version).toBe(1);
  });

  test('a key added by a change authenticates and a removed key no longer does', async () => {
    const dir = folderWith({ 'test-1.yaml': agreementYaml() });
    const registry = open(dir);
    const change = nextChange(registry);
    fs.writeFileSync(path.join(dir, 'test-1.yaml'), agreementYaml({ version: '2', credentials: `{ apiKeys: [{ id: k2, sha256: "${sha256Hex(KEY_2)}" }] }` }));
    await change;
    const found = registry.byApiKey(KEY_2);
    expect([found && { agreement: found.agreement.id, keyId: found.keyId }, registry.byApiKey(KEY_1)]).toEqual([{ agreement: 'test-1', keyId: 'k2' }, undefined]);
  });

  test('a certificate is found by its fingerprint, with or without colons and in either case', () => {
    const fingerprint = sha256Hex('certificate');
    const dir = folderWith({ 'test-1.yaml': agreementYaml({ credentials: `{ clientCertificates: [{ sha256Fingerprint: "${fingerprint}" }] }` }) });
    const registry = openRegistry({ dir, ...OPTIONS, watch: false });
    const colons = fingerprint.toUpperCase().match(/../g)?.join(':') ?? '';
    expect([registry.byCertificate(fingerprint)?.id, registry.byCertificate(colons)?.id, registry.byCertificate(sha256Hex('other'))]).toEqual(['test-1', 'test-1', undefined]);
  });
});
