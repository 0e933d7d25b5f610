import { buildRegistersSubgraph } from '../subgraphs/registers';
import type { BuiltSubgraph } from '../lib/subgraph';
import { loadConfig } from '../lib/config';
import { formatRun } from '../lib/run';
import { SqliteIdentityCache } from '../identity/cache-store';
import { systemClock } from '../identity/clock';
import { IdentityService } from '../identity/service';
import { CivilRegistryClient } from '../identity/upstream';
import { startSimulator, type RunningSimulator } from '../simulator/civil-registry';
import { createTestRegister, type TestRegister } from './support/register';
import { execute } from './support/graphql';
import { callerOf } from './support/access';
import { communeJson, iso, pick } from './support/expected';

let register: TestRegister;
let registers: BuiltSubgraph<unknown>;
let civilRegistry: RunningSimulator;
let identity: IdentityService;

beforeAll(async () => {
  register = await createTestRegister(5000, 5);
  civilRegistry = await startSimulator({ dbPath: register.file, port: 0, ratePerSecond: 1000, latencyMs: 0 });
  const config = { ...loadConfig({}).civilRegistry, url: civilRegistry.url };
  identity = new IdentityService({
    config,
    upstream: new CivilRegistryClient({ config, clock: systemClock }),
    cache: SqliteIdentityCache.open(register.file),
  });
  registers = (await buildRegistersSubgraph(register.deps, identity)) as BuiltSubgraph<unknown>;
});

afterAll(async () => {
  await registers.stop();
  await identity.close();
  await civilRegistry.close();
  await register.close();
});

const REGISTER_FIELDS = `run
  disability { degree registeredOn source asOf }
  indigenousStatus { people accreditedOn source asOf }
  healthInsurance { insurer bracket source asOf }
  streetSituation { since source asOf commune { code name province region { code name } } }
  emergencyRecords { event occurredOn source asOf commune { code name province region { code name } } }`;

const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person { ${REGISTER_FIELDS} } } }`;

function registersJson(body: number) {
  const db = register.db;
  const one = (sql: string) => db.prepare(sql).get(body) as Record<string, any> | undefined;
  const disability = one('SELECT * FROM disability_record WHERE run = ?');
  const indigenous = one('SELECT * FROM indigenous_record WHERE run = ?');
  const health = one('SELECT * FROM health_insurance WHERE run = ?');
  const street = one('SELECT * FROM street_situation_record WHERE run = ?');
  const emergencies = db.prepare('SELECT * FROM emergency_record WHERE run = ? ORDER BY occurred_on, id').all(body) as Record<string, any>[];
  return {
    run: formatRun(body),
    disability: disability
      ? { degree: disability.degree, registeredOn: iso(disability.registered_on), source: disability.source, asOf: iso(disability.as_of) }
      : null,
    indigenousStatus: indigenous
      ? { people: indigenous.people, accreditedOn: iso(indigenous.accredited_on), source: indigenous.source, asOf: iso(indigenous.as_of) }
      : null,
    healthInsurance: health ? { insurer: health.insurer, bracket: health.bracket, source: health.source, asOf: iso(health.as_of) } : null,
    streetSituation: street
      ? { since: iso(street.since), source: street.source, asOf: iso(street.as_of), commune: communeJson(db, street.commune_code) }
      : null,
    emergencyRecords: emergencies.map((e) => ({
      event: e.event, occurredOn: iso(e.occurred_on), source: e.source, asOf: iso(e.as_of), commune: communeJson(db, e.commune_code),
    })),
  };
}

const SUBJECTS: [string, string][] = [
  ['a person in the disability register', 'SELECT run FROM disability_record ORDER BY run LIMIT 1'],
  ['a person with a CONADI indigenous accreditation', 'SELECT run FROM indigenous_record ORDER BY run LIMIT 1'],
  ['a person insured by FONASA', "SELECT run FROM health_insurance WHERE insurer = 'FONASA' ORDER BY run LIMIT 1"],
  ['a person in RSH Calle', 'SELECT run FROM street_situation_record ORDER BY run LIMIT 1'],
  ['a person with SISE emergency records', 'SELECT run FROM emergency_record GROUP BY run ORDER BY count(*) DESC, run LIMIT 1'],
  ['a person in no sectoral register', `SELECT run FROM person WHERE run NOT IN (SELECT run FROM disability_record UNION SELECT run FROM indigenous_record
     UNION SELECT run FROM health_insurance UNION SELECT run FROM street_situation_record UNION SELECT run FROM emergency_record) ORDER BY run LIMIT 1`],
];

describe('_entities resolves each sectoral register of a Person with its source and snapshot date', () => {
  test.each(SUBJECTS)('%s', async (_case, sql) => {
    const body = pick(register.db, sql);
    expect(await execute(registers, ENTITIES, { reps: [{ __typename: 'Person', run: formatRun(body) }] })).toEqual({
      data: { _entities: [registersJson(body)] },
    });
  });
});

test('_entities answers many Person representations with one statement per register', async () => {
  const bodies = (register.db.prepare('SELECT run FROM person ORDER BY run LIMIT 300').all() as { run: number }[]).map((r) => r.run);
  const before = register.store.statementCount;
  const result = await execute(registers, ENTITIES, { reps: bodies.map((b) => ({ __typename: 'Person', run: formatRun(b) })) });
  expect({ statements: register.store.statementCount - before, result }).toEqual({
    statements: 5,
    result: { data: { _entities: bodies.map(registersJson) } },
  });
});

describe('Query.verifyIdentity (verificación de vigencia de cédula, COW)', () => {
  const VERIFY = `query ($run: RUN!, $serial: String!) {
    verifyIdentity(run: $run, documentSerial: $serial) { run documentSerial valid reason source verifiedAt }
  }`;
  /** The internal agreement, granted IdentityVerification too (authz/agreements may not list it yet). */
  const caller = () => {
    const base = callerOf('mds-internal');
    const fields = ['run', 'documentSerial', 'valid', 'reason', 'source', 'verifiedAt'].map((f) => `IdentityVerification.${f}`);
    return { ...base, agreement: { ...base.agreement, grants: new Set([...base.agreement.grants, 'Query.verifyIdentity', ...fields]) } };
  };
  const blocked = () =>
    register.db.prepare("SELECT run, document_serial AS serial FROM civil_identity WHERE document_status = 'BLOCKED' ORDER BY run LIMIT 1").get() as { run: number; serial: string };

  test('it returns the whole IdentityVerification: first from the Civil Registry, then from the cache', async () => {
    const { run, serial } = blocked();
    const dotted = `${serial.slice(0, 3)}.${serial.slice(3, 6)}.${serial.slice(6)}`;
    const started = Date.now();
    const first = await execute(registers, VERIFY, { run: formatRun(run), serial: dotted }, caller());
    const second = await execute(registers, VERIFY, { run: formatRun(run), serial }, caller());
    const verifiedAt = first.data?.verifyIdentity?.verifiedAt as string;
    const verification = { run: formatRun(run), documentSerial: serial, valid: false, reason: 'DOCUMENT_BLOCKED', verifiedAt };
    expect({ first, second, verifiedAtNow: Date.parse(verifiedAt) >= started && Date.parse(verifiedAt) <= Date.now() }).toEqual({
      first: { data: { verifyIdentity: { ...verification, source: 'REGISTRY' } } },
      second: { data: { verifyIdentity: { ...verification, source: 'CACHE' } } },
      verifiedAtNow: true,
    });
  });

  test('it records the RUN asked about in the access audit record', async () => {
    const { run, serial } = blocked();
    const who = caller();
    await execute(registers, VERIFY, { run: `${run}${formatRun(run).slice(-1)}`, serial }, who);
    const record = register.audit.entries.find((entry) => entry.kind === 'access' && entry.requestId === who.requestId);
    expect(record?.kind === 'access' && { runs: record.runs, coordinates: record.coordinates, outcome: record.outcome }).toEqual({
      runs: [formatRun(run)],
      coordinates: ['IdentityVerification.documentSerial', 'IdentityVerification.reason', 'IdentityVerification.run', 'IdentityVerification.source',
        'IdentityVerification.valid', 'IdentityVerification.verifiedAt', 'Query.verifyIdentity'],
      outcome: 'ok',
    });
  });

  test('a malformed serial is BAD_USER_INPUT saying what was expected', async () => {
    const { run } = blocked();
    const result = await execute(registers, VERIFY, { run: formatRun(run), serial: 'ABC' }, caller());
    expect(result).toEqual({
      data: null,
      errors: [{
        message: 'expected a document serial of nine digits like "123.456.789" or "123456789", got "ABC"',
        locations: [{ line: 2, column: 5 }],
        path: ['verifyIdentity'],
        extensions: { code: 'BAD_USER_INPUT' },
      }],
    });
  });
});
