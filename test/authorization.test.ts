import { buildSubgraph, type BuiltSubgraph } from '../lib/subgraph';
import { formatRun } from '../lib/run';
import { subgraphModule } from '../subgraphs';
import { SUBGRAPH_NAMES } from '../lib/config';
import { startTestIdentity, type TestIdentity } from './support/identity';
import type { SubgraphName } from '../lib/config';
import type { Store } from '../store/types';
import { createTestRegister, type TestRegister } from './support/register';
import { codes, execute } from './support/graphql';
import { callerOf } from './support/access';

/**
 * Field rules (graphql-shield) and commune scope in every subgraph, in-process, with the demo
 * agreements. The same paths through the router over HTTP are in test/access-e2e.test.ts.
 */

let register: TestRegister;
let identity: TestIdentity;
const subgraphs = {} as Record<SubgraphName, BuiltSubgraph<unknown>>;

/** A person (RUN body) and their household in a commune. */
interface Resident {
  run: string;
  householdId: number;
}
let santiago: Resident;
let valparaiso: Resident;

function residentOf(commune: string): Resident {
  const row = register.db
    .prepare(`SELECT m.run, m.household_id AS id FROM household_member m JOIN household h ON h.id = m.household_id
      WHERE h.commune_code = ? AND m.household_id IN (SELECT household_id FROM payment) ORDER BY m.run LIMIT 1`)
    .get(commune) as { run: number; id: number };
  return { run: formatRun(row.run), householdId: row.id };
}

beforeAll(async () => {
  register = await createTestRegister(2500, 13);
  identity = await startTestIdentity(register);
  for (const name of SUBGRAPH_NAMES) {
    subgraphs[name] = await buildSubgraph(subgraphModule(name, identity.service), register.deps);
  }
  santiago = residentOf('13101');
  valparaiso = residentOf('05101');
});

afterAll(async () => {
  for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
  await identity.close();
  await register.close();
});

const muni13101 = () => callerOf('muni-13101');
const muni05101 = () => callerOf('muni-05101');

describe('field rules', () => {
  test('__resolveReference still runs under the shield: _entities returns the entity for a granted caller', async () => {
    const result = await execute(subgraphs.persons, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { run } } }', {
      r: [{ __typename: 'Person', run: santiago.run }],
    });
    expect(result).toEqual({ data: { _entities: [{ run: santiago.run }] } });
  });

  test('__resolveReference still runs when the graphql-shield rules are evaluated (an operation with a denied field)', async () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { run birthDate } } }';
    const result = await execute(subgraphs.persons, query, { r: [{ __typename: 'Person', run: santiago.run }] }, callerOf('fosis'));
    expect({ data: result.data, codes: codes(result), path: result.errors?.[0].path }).toEqual({
      data: { _entities: [{ run: santiago.run, birthDate: null }] },
      codes: ['FORBIDDEN'],
      path: ['_entities', 0, 'birthDate'],
    });
  });

  test('an operation selecting only granted fields is proved safe before execution; one selecting a denied field runs the rules', async () => {
    const granted = subgraphs.persons.context(callerOf('fosis'));
    const denied = subgraphs.persons.context(callerOf('fosis'));
    await subgraphs.persons.apollo.executeOperation({ query: `{ person(run: "${santiago.run}") { run givenNames } }` }, { contextValue: granted });
    await subgraphs.persons.apollo.executeOperation({ query: `{ person(run: "${santiago.run}") { run birthDate } }` }, { contextValue: denied });
    expect([granted.access.fieldRulesNeeded, denied.access.fieldRulesNeeded]).toEqual([false, true]);
  });

  test('a field outside the agreement is FORBIDDEN naming the coordinate and the agreement, the granted ones are returned', async () => {
    const query = `{ person(run: "${santiago.run}") { run birthDate } }`;
    const result = await execute(subgraphs.persons, query, {}, callerOf('fosis'));
    expect(result).toEqual({
      data: { person: { run: santiago.run, birthDate: null } },
      errors: [{
        message: `Person.birthDate is outside agreement fosis (version ${callerOf('fosis').agreement.version}): expected a field the agreement grants`,
        locations: [{ line: 1, column: query.indexOf('birthDate') + 1 }],
        path: ['person', 'birthDate'],
        extensions: { code: 'FORBIDDEN' },
      }],
    });
  });

  test('a root field outside the agreement is FORBIDDEN', async () => {
    const result = await execute(subgraphs.benefits, '{ programs { code } }', {}, muni13101());
    expect({ data: result.data, codes: codes(result), message: result.errors?.[0].message }).toEqual({
      data: null,
      codes: ['FORBIDDEN'],
      message: expect.stringMatching(/^Query\.programs is outside agreement muni-13101 /),
    });
  });

  test('an internal failure is reported as an internal error, not disguised as a denial', async () => {
    const broken: Store = { ...register.store, statementCount: 0, personsByRun: () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error at /var/ris.db')) } as unknown as Store;
    const subgraph = await buildSubgraph(subgraphModule('persons', null), { ...register.deps, store: broken });
    try {
      const result = await execute(subgraph, `{ person(run: "${santiago.run}") { run } }`);
      expect(result).toEqual({
        data: { person: null },
        errors: [{
          message: 'internal error: the request could not be completed; quote the request id to the RIS help desk',
          locations: [{ line: 1, column: 3 }],
          path: ['person'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        }],
      });
    } finally {
      await subgraph.stop();
    }
  });
});

describe('commune scope: a municipality sees only its communes, and anything else looks missing', () => {
  test('person(run) is visible inside the commune and null outside it', async () => {
    const query = `{ own: person(run: "${santiago.run}") { run } other: person(run: "${valparaiso.run}") { run } }`;
    const [a, b] = await Promise.all([execute(subgraphs.persons, query, {}, muni13101()), execute(subgraphs.persons, query, {}, muni05101())]);
    expect([a, b]).toEqual([
      { data: { own: { run: santiago.run }, other: null } },
      { data: { own: null, other: { run: valparaiso.run } } },
    ]);
  });

  test('persons(runs) answers null in place for RUNs outside the commune', async () => {
    const result = await execute(subgraphs.persons, 'query ($r: [RUN!]!) { persons(runs: $r) { run } }', { r: [valparaiso.run, santiago.run] }, muni13101());
    expect(result).toEqual({ data: { persons: [null, { run: santiago.run }] } });
  });

  test('aliases and fragments do not widen the scope', async () => {
    const result = await execute(
      subgraphs.persons,
      `fragment F on Person { run givenNames }
       { a: person(run: "${valparaiso.run}") { ...F } b: person(run: "${valparaiso.run}") { ... on Person { run } } }`,
      {},
      muni13101(),
    );
    expect(result).toEqual({ data: { a: null, b: null } });
  });

  test('household(id) and Person.household are null outside the commune', async () => {
    const result = await execute(
      subgraphs.households,
      `query ($r: [_Any!]!) { own: household(id: "${santiago.householdId}") { id } other: household(id: "${valparaiso.householdId}") { id }
        _entities(representations: $r) { ... on Person { household { id } } } }`,
      { r: [{ __typename: 'Person', run: santiago.run }, { __typename: 'Person', run: valparaiso.run }] },
      muni13101(),
    );
    expect(result).toEqual({ data: { own: { id: String(santiago.householdId) }, other: null, _entities: [{ household: { id: String(santiago.householdId) } }, null] } });
  });

  test('householdsInCommune of another commune looks like a commune with no households', async () => {
    const result = await execute(subgraphs.households, '{ householdsInCommune(communeCode: "05101") { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }', {}, muni13101());
    expect(result).toEqual({ data: { householdsInCommune: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } } });
  });

  test.each([
    ['persons', 'Person', 'run'],
    ['households', 'Person', 'household { id }'],
    ['registers', 'Person', 'emergencyRecords { event }'],
    ['benefits', 'Person', 'subsystemMembership { active }'],
  ] as const)('_entities of %s answers null for a Person outside the commune', async (name, type, fields) => {
    const result = await execute(
      subgraphs[name],
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${type} { ${fields} } } }`,
      { r: [{ __typename: type, run: valparaiso.run }] },
      muni13101(),
    );
    expect(result).toEqual({ data: { _entities: [null] } });
  });

  test.each([['households', 'id'], ['benefits', 'id']] as const)('_entities of %s answers null for a Household outside the commune', async (name, fields) => {
    const result = await execute(
      subgraphs[name],
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Household { ${fields} } } }`,
      { r: [{ __typename: 'Household', id: String(valparaiso.householdId) }] },
      muni13101(),
    );
    expect(result).toEqual({ data: { _entities: [null] } });
  });

  test('two agreements\' requests interleaved on the same RUNs each get only their own decision', async () => {
    const query = 'query ($r: [RUN!]!) { persons(runs: $r) { run } }';
    const variables = { r: [santiago.run, valparaiso.run] };
    const rounds = await Promise.all(
      Array.from({ length: 20 }, (_, i) => execute(subgraphs.persons, query, variables, i % 2 ? muni05101() : muni13101())),
    );
    expect(rounds).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ data: { persons: i % 2 ? [null, { run: valparaiso.run }] : [{ run: santiago.run }, null] } })),
    );
  });
});

describe('audit of each subgraph request', () => {
  test('a subgraph records the entity keys it returned and the coordinates it resolved, under the request id', async () => {
    const caller = muni13101();
    const before = register.audit.entries.length;
    await execute(subgraphs.persons, `{ a: person(run: "${santiago.run}") { run givenNames } b: person(run: "${valparaiso.run}") { run } }`, {}, caller);
    expect(register.audit.entries.slice(before)).toEqual([{
      kind: 'access',
      process: 'persons',
      requestId: caller.requestId,
      agreementId: 'muni-13101',
      agreementVersion: caller.agreement.version,
      institution: caller.agreement.institution.code,
      endUser: caller.endUser,
      purpose: caller.purpose,
      caseRef: null,
      runs: [santiago.run],
      householdIds: [],
      coordinates: ['Person.givenNames', 'Person.run', 'Query.person'],
      outcome: 'ok',
    }]);
  });

  test('when the audit record cannot be written the response carries AUDIT_UNAVAILABLE and no data', async () => {
    register.audit.failing = true;
    try {
      const result = await execute(subgraphs.persons, `{ person(run: "${santiago.run}") { run givenNames } }`);
      expect(result).toEqual({
        errors: [{ message: 'the audit trail cannot be written, so no data is returned; retry later', extensions: { code: 'AUDIT_UNAVAILABLE' } }],
      });
    } finally {
      register.audit.failing = false;
    }
  });
});
