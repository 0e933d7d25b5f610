import fs from 'node:fs';
import { buildBenefitsSubgraph } from '../subgraphs/benefits';
import type { BuiltSubgraph } from '../lib/subgraph';
import { formatRun } from '../lib/run';
import { referenceDataDir } from '../lib/paths';
import { createTestRegister, type TestRegister } from './support/register';
import { codes, execute } from './support/graphql';
import { iso, pick } from './support/expected';

let register: TestRegister;
let benefits: BuiltSubgraph<unknown>;

beforeAll(async () => {
  register = await createTestRegister(800, 3);
  benefits = (await buildBenefitsSubgraph(register.deps)) as BuiltSubgraph<unknown>;
});

afterAll(async () => {
  await benefits.stop();
  await register.close();
});

function programJson(code: string) {
  const row = register.db.prepare('SELECT code, name, ministry FROM program WHERE code = ?').get(code) as Record<string, string>;
  const groups = (register.db.prepare('SELECT target_group FROM program_target_group WHERE program_code = ? ORDER BY target_group').all(code) as { target_group: string }[]).map((g) => g.target_group);
  return { code: row.code, name: row.name, ministry: row.ministry, targetGroups: groups };
}

const period = (p: number) => `${Math.floor(p / 100)}-${String(p % 100).padStart(2, '0')}`;

function paymentJson(row: Record<string, any>) {
  return {
    period: period(row.period),
    program: { code: row.program_code },
    individualAmount: row.individual_amount,
    totalAmount: row.total_amount,
    household: row.household_id === null ? null : { id: String(row.household_id) },
    communeCode: row.commune_code,
    payee: row.payee_run === null ? null : { run: formatRun(row.payee_run) },
    method: row.method,
    bank: row.bank,
  };
}

const PAYMENT_FIELDS = 'period program { code } individualAmount totalAmount household { id } communeCode payee { run } method bank';

test('programs lists the 114 programmes of the RIS catalogue with as many per ministry as the reference file', async () => {
  const result: any = await execute(benefits, '{ programs { code ministry } }');
  const perMinistry: Record<string, number> = {};
  for (const p of result.data.programs) perMinistry[p.ministry] = (perMinistry[p.ministry] ?? 0) + 1;
  const csv = fs.readFileSync(`${referenceDataDir()}/programmes_by_ministry.csv`, 'utf8').trim().split('\n').slice(1);
  const expected = Object.fromEntries(csv.map((line) => line.split(',')).map(([ministry, count]) => [ministry, Number(count)]));
  expect({ total: result.data.programs.length, perMinistry }).toEqual({ total: 114, perMinistry: expected });
});

test('programs(ministry) lists only that ministry\'s programmes, ordered by code, with their target groups', async () => {
  const ministry = 'Ministerio de Desarrollo Social y Familia';
  const expected = (register.db.prepare('SELECT code FROM program WHERE ministry = ? ORDER BY code').all(ministry) as { code: string }[]).map((r) => programJson(r.code));
  const result = await execute(benefits, 'query ($m: String) { programs(ministry: $m) { code name ministry targetGroups } }', { m: ministry });
  expect(result).toEqual({ data: { programs: expected } });
});

test('program(code) returns the programme, and null for an unknown code', async () => {
  const code = pick<string>(register.db, 'SELECT code FROM program ORDER BY code LIMIT 1');
  const result = await execute(benefits, `{ known: program(code: "${code}") { code name ministry targetGroups } unknown: program(code: "NOPE") { code } }`);
  expect(result).toEqual({ data: { known: programJson(code), unknown: null } });
});

test('_entities resolves a Person\'s grants, payments and subsystem membership', async () => {
  const body = pick(register.db, 'SELECT payee_run FROM payment WHERE payee_run IN (SELECT run FROM benefit_grant) ORDER BY payee_run LIMIT 1');
  const grants = register.db.prepare('SELECT * FROM benefit_grant WHERE run = ? ORDER BY granted_on, id').all(body) as Record<string, any>[];
  const payments = register.db.prepare('SELECT * FROM payment WHERE payee_run = ? ORDER BY period, id').all(body) as Record<string, any>[];
  const membership = register.db.prepare('SELECT * FROM subsystem_membership WHERE run = ?').get(body) as Record<string, any> | undefined;
  const result = await execute(
    benefits,
    `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person {
      benefits { program { code } status grantedOn endedOn amount }
      payments { ${PAYMENT_FIELDS} }
      subsystemMembership { subsystem since active } } } }`,
    { reps: [{ __typename: 'Person', run: formatRun(body) }] },
  );
  expect(result).toEqual({
    data: { _entities: [{
      benefits: grants.map((g) => ({ program: { code: g.program_code }, status: g.status, grantedOn: iso(g.granted_on), endedOn: iso(g.ended_on), amount: g.amount })),
      payments: payments.map(paymentJson),
      subsystemMembership: membership ? { subsystem: membership.subsystem, since: iso(membership.since), active: membership.active === 1 } : null,
    }] },
  });
});

test('Household.payments(from, to) returns the payroll rows of the months between the two dates', async () => {
  const id = pick(register.db, 'SELECT household_id FROM payment GROUP BY household_id ORDER BY count(*) DESC LIMIT 1');
  const rows = register.db.prepare('SELECT * FROM payment WHERE household_id = ? AND period BETWEEN 202503 AND 202506 ORDER BY period, id').all(id) as Record<string, any>[];
  const result = await execute(
    benefits,
    `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Household { payments(from: "2025-03-15", to: "2025-06-01") { ${PAYMENT_FIELDS} } } } }`,
    { reps: [{ __typename: 'Household', id: String(id) }] },
  );
  expect(result).toEqual({ data: { _entities: [{ payments: rows.map(paymentJson) }] } });
});

test('payments with `from` after `to` is refused with BAD_USER_INPUT', async () => {
  const result = await execute(
    benefits,
    'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Household { payments(from: "2025-06-01", to: "2025-01-01") { period } } } }',
    { reps: [{ __typename: 'Household', id: '1' }] },
  );
  expect({ codes: codes(result), message: result.errors?.[0].message }).toEqual({
    codes: ['BAD_USER_INPUT'],
    message: 'expected `from` on or before `to`, got from 2025-06-01 and to 2025-01-01',
  });
});

test('a Date argument that is not an ISO date is refused with BAD_USER_INPUT', async () => {
  const result = await execute(
    benefits,
    'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Household { payments(from: "2025-02-30") { period } } } }',
    { reps: [{ __typename: 'Household', id: '1' }] },
  );
  expect({ codes: codes(result), message: result.errors?.[0].message }).toEqual({
    codes: ['BAD_USER_INPUT'],
    message: 'expected a date as "YYYY-MM-DD" (e.g. "2024-03-31"), got "2025-02-30"',
  });
});
