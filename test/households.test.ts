import { buildHouseholdsSubgraph } from '../subgraphs/households';
import { cursorOf } from '../subgraphs/households/resolvers';
import type { BuiltSubgraph } from '../lib/subgraph';
import { formatRun } from '../lib/run';
import { createTestRegister, type TestRegister } from './support/register';
import { codes, execute } from './support/graphql';
import { ADDRESS_FIELDS, addressJson, iso, pick } from './support/expected';

let register: TestRegister;
let households: BuiltSubgraph<unknown>;

beforeAll(async () => {
  register = await createTestRegister();
  households = (await buildHouseholdsSubgraph(register.deps)) as BuiltSubgraph<unknown>;
});

afterAll(async () => {
  await households.stop();
  await register.close();
});

const HOUSEHOLD_FIELDS = `id cseBracket size registeredOn updatedOn ${ADDRESS_FIELDS}
  members { person { run } relationship } head { run }`;

function householdJson(id: number) {
  const row = register.db.prepare('SELECT * FROM household WHERE id = ?').get(id) as Record<string, any>;
  const members = register.db
    .prepare('SELECT run, relationship FROM household_member WHERE household_id = ? ORDER BY ordinal')
    .all(id) as { run: number; relationship: string }[];
  const head = members.find((m) => m.relationship === 'HEAD');
  return {
    id: String(id),
    cseBracket: row.cse_bracket,
    size: members.length,
    registeredOn: iso(row.registered_on),
    updatedOn: iso(row.updated_on),
    address: addressJson(register.db, row as any),
    members: members.map((m) => ({ person: { run: formatRun(m.run) }, relationship: m.relationship })),
    head: head ? { run: formatRun(head.run) } : null,
  };
}

test('household(id) returns its CSE bracket, address, size and members in form order, head first', async () => {
  const id = pick(register.db, 'SELECT household_id FROM household_member GROUP BY household_id HAVING count(*) >= 4 ORDER BY household_id LIMIT 1');
  const result = await execute(households, `query ($id: ID!) { household(id: $id) { ${HOUSEHOLD_FIELDS} } }`, { id: String(id) });
  expect(result).toEqual({ data: { household: householdJson(id) } });
});

test('household(id) of an id that is not registered is null without error', async () => {
  const missing = pick(register.db, 'SELECT max(id) + 1 FROM household');
  expect(await execute(households, `{ household(id: "${missing}") { id } }`)).toEqual({ data: { household: null } });
});

test('household(id) with an id that is not digits is refused with BAD_USER_INPUT', async () => {
  const result = await execute(households, '{ household(id: "H-12") { id } }');
  expect({ codes: codes(result), message: result.errors?.[0].message }).toEqual({
    codes: ['BAD_USER_INPUT'],
    message: 'expected a household id made of digits, like "1042", got "H-12"',
  });
});

test('householdsInCommune pages through every household of the commune exactly once, in id order', async () => {
  const commune = pick<string>(register.db, 'SELECT commune_code FROM household GROUP BY commune_code ORDER BY count(*) DESC LIMIT 1');
  const expected = (register.db.prepare('SELECT id FROM household WHERE commune_code = ? ORDER BY id').all(commune) as { id: number }[]).map((r) => String(r.id));
  const seen: string[] = [];
  const pages: { count: number; hasNextPage: boolean; totalCount: number }[] = [];
  let after: string | null = null;
  do {
    const result: any = await execute(
      households,
      `query ($c: String!, $after: String) { householdsInCommune(communeCode: $c, first: 7, after: $after) {
        edges { cursor node { id } } pageInfo { endCursor hasNextPage } totalCount } }`,
      { c: commune, after },
    );
    const page = result.data.householdsInCommune;
    seen.push(...page.edges.map((edge: { node: { id: string } }) => edge.node.id));
    pages.push({ count: page.edges.length, hasNextPage: page.pageInfo.hasNextPage, totalCount: page.totalCount });
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  const full = Math.floor(expected.length / 7);
  const expectedPages = Array.from({ length: Math.ceil(expected.length / 7) }, (_, i) => ({
    count: i < full ? 7 : expected.length % 7,
    hasNextPage: i < Math.ceil(expected.length / 7) - 1,
    totalCount: expected.length,
  }));
  expect({ seen, pages }).toEqual({ seen: expected, pages: expectedPages });
});

test('householdsInCommune gives each edge the cursor that continues after it', async () => {
  const commune = pick<string>(register.db, 'SELECT commune_code FROM household GROUP BY commune_code ORDER BY count(*) DESC LIMIT 1');
  const ids = (register.db.prepare('SELECT id FROM household WHERE commune_code = ? ORDER BY id LIMIT 3').all(commune) as { id: number }[]).map((r) => r.id);
  const result = await execute(households, `{ householdsInCommune(communeCode: "${commune}", first: 2, after: "${cursorOf(ids[0])}") { edges { node { id } } } }`);
  expect(result).toEqual({ data: { householdsInCommune: { edges: [{ node: { id: String(ids[1]) } }, { node: { id: String(ids[2]) } }] } } });
});

describe('householdsInCommune refuses bad arguments with BAD_USER_INPUT', () => {
  test.each([
    ['an unknown commune code', 'communeCode: "99999"', 'expected communeCode to be a commune CUT code of five digits like "13101", got "99999"'],
    ['a page size above 500', 'communeCode: "13101", first: 501', 'expected `first` from 1 to 500, got 501'],
    ['a page size of zero', 'communeCode: "13101", first: 0', 'expected `first` from 1 to 500, got 0'],
    ['a cursor it did not issue', 'communeCode: "13101", after: "bogus"', 'expected `after` to be a cursor returned by householdsInCommune (pageInfo.endCursor), got "bogus"'],
  ])('%s', async (_case, args, message) => {
    const result = await execute(households, `{ householdsInCommune(${args}) { totalCount } }`);
    expect({ codes: codes(result), message: result.errors?.[0].message }).toEqual({ codes: ['BAD_USER_INPUT'], message });
  });
});

test('_entities resolves Household representations, null for unknown ids', async () => {
  const id = pick(register.db, 'SELECT id FROM household ORDER BY id DESC LIMIT 1');
  const result = await execute(
    households,
    `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Household { ${HOUSEHOLD_FIELDS} } } }`,
    { reps: [{ __typename: 'Household', id: String(id) }, { __typename: 'Household', id: String(id + 1) }] },
  );
  expect(result).toEqual({ data: { _entities: [householdJson(id), null] } });
});

test('_entities resolves Person.household to the household the person is a member of', async () => {
  const member = register.db.prepare("SELECT run, household_id AS id FROM household_member WHERE relationship = 'CHILD' ORDER BY run LIMIT 1").get() as { run: number; id: number };
  const missing = pick(register.db, 'SELECT max(run) + 1 FROM person');
  const result = await execute(
    households,
    'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person { run household { id cseBracket } } } }',
    { reps: [{ __typename: 'Person', run: formatRun(member.run) }, { __typename: 'Person', run: formatRun(missing) }] },
  );
  const cse = pick(register.db, 'SELECT cse_bracket FROM household WHERE id = ?', member.id);
  expect(result).toEqual({
    data: { _entities: [
      { run: formatRun(member.run), household: { id: String(member.id), cseBracket: cse } },
      { run: formatRun(missing), household: null },
    ] },
  });
});
