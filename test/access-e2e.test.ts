import { Supergraph } from '@apollo/federation-internals';
import fs from 'node:fs';
import { signContext } from '../authz/context';
import { DEVELOPMENT_CONTEXT_SECRET } from '../lib/config';
import { formatRun } from '../lib/run';
import { SUPERGRAPH_FILE } from '../router/index';
import { demoAgreements } from './support/access';
import { createTestRegister, type TestRegister } from './support/register';
import { startStack, type Stack } from './support/stack';
import { operationFor, pathsToCoordinates, probeFor } from './support/matrix';

/**
 * Access by agreement end to end over HTTP: the router in front of the four real subgraphs with
 * the shipped demo agreements. The authorization matrix sends every demo agreement × every
 * coordinate of the supergraph; the expected allow/deny is computed from the agreement files.
 */

let register: TestRegister;
let stack: Stack;

beforeAll(async () => {
  register = await createTestRegister(8000, 29);
  stack = await startStack(register);
});

afterAll(async () => {
  await stack.stop();
  await register.close();
});

const api = Supergraph.build(fs.readFileSync(SUPERGRAPH_FILE, 'utf8')).apiSchema().toGraphQLJSSchema();

/**
 * Subjects that make a path non-null where data allows, inside the agreement's communes: a person
 * with records in as many registers as possible, their household, a programme, a commune.
 */
function subjectsFor(communes: ReadonlySet<string> | null) {
  const inScope = communes === null ? '1 = 1' : `p.commune_code IN (${[...communes].map((c) => `'${c}'`).join(',')})`;
  const richness = `(p.run IN (SELECT run FROM disability_record)) + (p.run IN (SELECT run FROM emergency_record))
    + (p.run IN (SELECT run FROM subsystem_membership)) + (p.run IN (SELECT payee_run FROM payment))
    + (p.run IN (SELECT run FROM benefit_grant)) + (p.run IN (SELECT run FROM indigenous_record)) + (p.email IS NOT NULL)`;
  const person = register.db
    .prepare(`SELECT p.run, p.commune_code AS commune, m.household_id AS household FROM person p JOIN household_member m ON m.run = p.run
      WHERE ${inScope} ORDER BY ${richness} DESC, p.run LIMIT 1`)
    .get() as { run: number; commune: string; household: number };
  const serial = (register.db.prepare('SELECT document_serial AS s FROM civil_identity WHERE run = ?').get(person.run) as { s: string } | undefined)?.s ?? '000000000';
  const program = (register.db.prepare('SELECT code FROM program ORDER BY code LIMIT 1').get() as { code: string }).code;
  return { run: formatRun(person.run), household: String(person.household), commune: person.commune, program, serial };
}

/** The coordinates named by FORBIDDEN errors of a response. */
function forbiddenCoordinates(body: { errors?: { message: string; extensions?: { code?: string } }[] }): string[] {
  return (body.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.message.split(' ')[0]);
}

describe('authorization matrix: every demo agreement × every coordinate, through the router', () => {
  const paths = pathsToCoordinates(api);
  const agreements = [...demoAgreements().agreements.values()];

  test.each(agreements.map((a) => [a.id]))('%s is allowed exactly the coordinates its file grants', async (id) => {
    const agreement = demoAgreements().agreements.get(id)!;
    const subjects = subjectsFor(agreement.communes);
    const variables = { run: subjects.run, household: subjects.household, commune: subjects.commune, program: subjects.program, serial: subjects.serial };
    const mismatches: string[] = [];
    for (const [coordinate, candidates] of paths) {
      const { path, deniedAt } = probeFor(candidates, agreement.grants);
      const query = operationFor(api, path);
      const used = Object.fromEntries(Object.entries(variables).filter(([name]) => query.includes(`$${name}`)));
      const response = await stack.post({ query, variables: used }, { agreement: id });
      const denied = forbiddenCoordinates(response.body);
      const expected = deniedAt === null ? [] : [deniedAt];
      if (JSON.stringify(denied) !== JSON.stringify(expected)) {
        mismatches.push(`${id} × ${coordinate} via ${path.join(' → ')}: expected ${deniedAt === null ? 'allowed' : `FORBIDDEN at ${deniedAt}`}, got ${denied.length ? `FORBIDDEN at ${denied.join(', ')}` : 'allowed'}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('commune scope through the router', () => {
  function residentOf(commune: string) {
    const row = register.db
      .prepare(`SELECT m.run, m.household_id AS id FROM household_member m JOIN household h ON h.id = m.household_id
        WHERE h.commune_code = ? GROUP BY m.household_id HAVING count(*) >= 2 ORDER BY m.household_id LIMIT 1`)
      .get(commune) as { run: number; id: number };
    return { run: formatRun(row.run), household: String(row.id) };
  }

  test('a household whose members are queried through three subgraphs is whole inside the commune and null outside it', async () => {
    const own = residentOf('13101');
    const other = residentOf('05101');
    const query = `query ($own: ID!, $other: ID!) {
      own: household(id: $own) { id members { relationship person { run givenNames household { id } subsystemMembership { active } } } }
      other: household(id: $other) { id members { person { run } } } }`;
    const response = await stack.post({ query, variables: { own: own.household, other: other.household } }, { agreement: 'muni-13101' });
    const members = register.db
      .prepare(`SELECT m.run, m.relationship, p.given_names AS givenNames, s.active FROM household_member m JOIN person p ON p.run = m.run
        LEFT JOIN subsystem_membership s ON s.run = m.run WHERE m.household_id = ? ORDER BY m.ordinal`)
      .all(Number(own.household)) as { run: number; relationship: string; givenNames: string; active: number | null }[];
    expect(response.body).toEqual({
      data: {
        own: {
          id: own.household,
          members: members.map((m) => ({
            relationship: m.relationship,
            person: { run: formatRun(m.run), givenNames: m.givenNames, household: { id: own.household }, subsystemMembership: m.active === null ? null : { active: m.active === 1 } },
          })),
        },
        other: null,
      },
    });
  });

  test('persons(runs) through the router answers null in place for the other commune\'s residents', async () => {
    const own = residentOf('05101');
    const other = residentOf('13101');
    const response = await stack.post({ query: 'query ($r: [RUN!]!) { persons(runs: $r) { run } }', variables: { r: [other.run, own.run] } }, { agreement: 'muni-05101' });
    expect(response.body).toEqual({ data: { persons: [null, { run: own.run }] } });
  });
});

describe('subgraphs refuse requests that do not come from the router', () => {
  /** POSTs straight to the persons subgraph, bypassing the router. */
  async function direct(headers: Record<string, string>, query = '{ _service { sdl } }') {
    const response = await fetch(stack.subgraphUrls.persons, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.json() };
  }

  const claims = { agreementId: 'mds-internal', agreementVersion: 0, purpose: 'GESTION-BENEFICIOS', endUser: null, caseRef: null, requestId: 'direct-call' };

  test('without a signed context, _service and _entities are refused with UNAUTHENTICATED', async () => {
    const service = await direct({});
    const entities = await direct({}, '{ _entities(representations: [{ __typename: "Person", run: "12345678-5" }]) { ... on Person { run } } }');
    expect([service, entities]).toEqual([
      { status: 401, body: { errors: [{ message: 'expected a signed context from the RIS router (header x-ris-context), got none', extensions: { code: 'UNAUTHENTICATED' } }] } },
      { status: 401, body: { errors: [{ message: 'expected a signed context from the RIS router (header x-ris-context), got none', extensions: { code: 'UNAUTHENTICATED' } }] } },
    ]);
  });

  test('a context signed with another secret is refused', async () => {
    const agreement = demoAgreements().agreements.get('mds-internal')!;
    const forged = await signContext({ ...claims, agreementVersion: agreement.version, purpose: agreement.purposes[0].code }, 'an-attacker-secret-of-sufficient-length!!', 30);
    expect(await direct({ 'x-ris-context': forged })).toEqual({
      status: 401,
      body: { errors: [{ message: 'expected a signed context from the RIS router, got one that does not verify', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
  });

  test('an expired context is refused', async () => {
    const agreement = demoAgreements().agreements.get('mds-internal')!;
    const expired = await signContext({ ...claims, agreementVersion: agreement.version, purpose: agreement.purposes[0].code }, DEVELOPMENT_CONTEXT_SECRET, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await direct({ 'x-ris-context': expired })).toEqual({
      status: 401,
      body: { errors: [{ message: 'expected a current signed context, got an expired one', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
  });
});
