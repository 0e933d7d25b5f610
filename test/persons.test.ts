import { buildPersonsSubgraph } from '../subgraphs/persons';
import type { BuiltSubgraph } from '../lib/subgraph';
import { formatRun } from '../lib/run';
import { createTestRegister, type TestRegister } from './support/register';
import { codes, execute } from './support/graphql';
import { PERSON_FIELDS, personJson, pick } from './support/expected';

let register: TestRegister;
let persons: BuiltSubgraph<unknown>;
let body: number;

beforeAll(async () => {
  register = await createTestRegister();
  persons = (await buildPersonsSubgraph(register.deps)) as BuiltSubgraph<unknown>;
  body = pick(register.db, 'SELECT run FROM person WHERE email IS NOT NULL ORDER BY run LIMIT 1');
});

afterAll(async () => {
  await persons.stop();
  await register.close();
});

/** "12345678-5" → "12.345.678-5". */
function dotted(run: string): string {
  const [digits, dv] = run.split('-');
  return `${digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.')}-${dv}`;
}

const PERSON = `query ($run: RUN!) { person(run: $run) { ${PERSON_FIELDS} } }`;

test('person(run) returns the master data the register holds for that RUN', async () => {
  const result = await execute(persons, PERSON, { run: formatRun(body) });
  expect(result).toEqual({ data: { person: personJson(register.db, body) } });
});

test('person(run) accepts the dotted, hyphenated and bare written forms of the same RUN', async () => {
  const run = formatRun(body);
  const forms = [dotted(run), run, run.replace('-', '')];
  const answers = await Promise.all(forms.map((form) => execute(persons, `{ person(run: "${form}") { run } }`)));
  expect(answers).toEqual(forms.map(() => ({ data: { person: { run } } })));
});

test('a RUN whose check digit is K is accepted in lower case and returned in upper case', async () => {
  const kBody = pick(register.db, "SELECT run FROM person ORDER BY run");
  let candidate = kBody;
  while (!formatRun(candidate).endsWith('K')) candidate += 1;
  const result = await execute(persons, `{ person(run: "${formatRun(candidate).replace('K', 'k')}") { run } }`);
  const exists = register.db.prepare('SELECT 1 FROM person WHERE run = ?').get(candidate) !== undefined;
  expect(result).toEqual({ data: { person: exists ? { run: formatRun(candidate) } : null } });
});

test('person(run) of a valid RUN that is not registered is null without error', async () => {
  const unknown = pick(register.db, 'SELECT max(run) + 1 FROM person');
  expect(await execute(persons, PERSON, { run: formatRun(unknown) })).toEqual({ data: { person: null } });
});

describe('a malformed RUN is refused with BAD_USER_INPUT saying what was expected and received', () => {
  test.each([
    ['a wrong check digit', '12345678-9', 'expected a RUN like 12.345.678-5 with a valid check digit, got "12345678-9" (the check digit of 12345678 is 5)'],
    ['an empty string', '', 'expected a RUN like "12.345.678-5", "12345678-5" or "123456785" (digits, optional dots, check digit 0-9 or K), got ""'],
    ['a zero body', '0-0', 'expected a RUN with a non-zero body, got "0-0"'],
    ['stray characters', '12x345.678-5', 'expected a RUN like "12.345.678-5", "12345678-5" or "123456785" (digits, optional dots, check digit 0-9 or K), got "12x345.678-5"'],
    ['too many digits', '123456789-0', 'expected a RUN body of at most 8 digits, got "123456789-0"'],
    ['a number instead of a string', 123456785, 'expected a RUN as a string like "12.345.678-5", got number 123456785'],
  ])('%s', async (_case, input, message) => {
    const result = await execute(persons, 'query ($run: RUN!) { person(run: $run) { run } }', { run: input });
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toContain(message);
  });

  test('in a literal too', async () => {
    const result = await execute(persons, '{ person(run: "12345678-9") { run } }');
    expect({ codes: codes(result), message: result.errors?.[0].message }).toEqual({
      codes: ['BAD_USER_INPUT'],
      message: expect.stringContaining('expected a RUN like 12.345.678-5 with a valid check digit, got "12345678-9"'),
    });
  });
});

test('persons(runs) answers in the order asked, with null for RUNs not registered', async () => {
  const bodies = (register.db.prepare('SELECT run FROM person ORDER BY run DESC LIMIT 3').all() as { run: number }[]).map((r) => r.run);
  const missing = pick(register.db, 'SELECT max(run) + 1 FROM person');
  const runs = [bodies[0], missing, bodies[2], bodies[1]].map(formatRun);
  const result = await execute(persons, 'query ($runs: [RUN!]!) { persons(runs: $runs) { run givenNames } }', { runs });
  const expected = [bodies[0], null, bodies[2], bodies[1]].map((b) =>
    b === null ? null : { run: formatRun(b), givenNames: personJson(register.db, b).givenNames },
  );
  expect(result).toEqual({ data: { persons: expected } });
});

test('persons(runs) with 1000 RUNs answers all of them in order with one SQL statement', async () => {
  const bodies = (register.db.prepare('SELECT run FROM person ORDER BY random() LIMIT 1000').all() as { run: number }[]).map((r) => r.run);
  const runs = bodies.map(formatRun);
  const before = register.store.statementCount;
  const result = await execute(persons, 'query ($runs: [RUN!]!) { persons(runs: $runs) { run } }', { runs });
  expect({ statements: register.store.statementCount - before, result }).toEqual({
    statements: 1,
    result: { data: { persons: runs.map((run) => ({ run })) } },
  });
});

test('persons(runs) with 1001 RUNs is refused with LIMIT_EXCEEDED', async () => {
  const runs = Array.from({ length: 1001 }, (_, i) => formatRun(1_000_000 + i));
  const result = await execute(persons, 'query ($runs: [RUN!]!) { persons(runs: $runs) { run } }', { runs });
  expect(result).toEqual({
    data: null,
    errors: [{ message: 'expected at most 1000 RUNs in one call, got 1001', locations: [{ line: 1, column: 26 }], path: ['persons'], extensions: { code: 'LIMIT_EXCEEDED' } }],
  });
});

test('_entities resolves Person representations to their master data, null for unknown RUNs', async () => {
  const missing = pick(register.db, 'SELECT max(run) + 1 FROM person');
  const result = await execute(
    persons,
    `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person { ${PERSON_FIELDS} } } }`,
    { reps: [{ __typename: 'Person', run: formatRun(body) }, { __typename: 'Person', run: formatRun(missing) }] },
  );
  expect(result).toEqual({ data: { _entities: [personJson(register.db, body), null] } });
});

test('_entities answers null with BAD_USER_INPUT for a Person representation whose RUN is malformed', async () => {
  const result = await execute(persons, 'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person { run } } }', {
    reps: [{ __typename: 'Person', run: '12345678-9' }],
  });
  expect({ data: result.data, codes: codes(result) }).toEqual({ data: { _entities: [null] }, codes: ['BAD_USER_INPUT'] });
});
