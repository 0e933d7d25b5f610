import { createLoaders as personsLoaders } from '../subgraphs/persons/loaders';
import { createLoaders as householdsLoaders } from '../subgraphs/households/loaders';
import { createLoaders as registersLoaders } from '../subgraphs/registers/loaders';
import { createLoaders as benefitsLoaders } from '../subgraphs/benefits/loaders';
import { formatRun } from '../lib/run';
import { createTestRegister, type TestRegister } from './support/register';

let register: TestRegister;
let runs: string[];
let householdIds: number[];

beforeAll(async () => {
  register = await createTestRegister(1200, 21);
  runs = (register.db.prepare('SELECT run FROM person ORDER BY run').all() as { run: number }[]).map((r) => formatRun(r.run));
  householdIds = (register.db.prepare('SELECT id FROM household ORDER BY id').all() as { id: number }[]).map((r) => r.id);
});

afterAll(() => register.close());

/** Statements the store sent while `work` ran. */
async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = register.store.statementCount;
  await work();
  return register.store.statementCount - before;
}

test('a loader asked for 2,500 keys in one tick sends ceil(2500/1000) = 3 statements and answers in key order', async () => {
  expect(runs.length).toBeGreaterThanOrEqual(2500);
  const keys = runs.slice(0, 2500).reverse();
  const loaders = personsLoaders(register.store);
  let answered: (string | null)[] = [];
  const statements = await statementsDuring(async () => {
    answered = (await Promise.all(keys.map((run) => loaders.personByRun.load(run)))).map((row) => row?.run ?? null);
  });
  expect({ statements, answered }).toEqual({ statements: 3, answered: keys });
});

test('a loader answers null for keys with no row, in their place', async () => {
  const missing = formatRun(99_999_990);
  const loaders = personsLoaders(register.store);
  const answered = await loaders.personByRun.loadMany([runs[1], missing, runs[0]]);
  expect(answered.map((row) => (row && 'run' in row ? row.run : row))).toEqual([runs[1], null, runs[0]]);
});

test('a one-to-many loader answers [] for keys with no row and keeps rows grouped by key', async () => {
  const loaders = householdsLoaders(register.store);
  const [first, none] = await Promise.all([loaders.membersByHouseholdId.load(householdIds[0]), loaders.membersByHouseholdId.load(10_000_000)]);
  const expected = (register.db.prepare('SELECT run FROM household_member WHERE household_id = ? ORDER BY ordinal').all(householdIds[0]) as { run: number }[]).map((r) => formatRun(r.run));
  expect({ first: first.map((m) => m.run), none }).toEqual({ first: expected, none: [] });
});

test('every register and benefits loader sends one statement for 1,000 keys', async () => {
  const keys = runs.slice(0, 1000);
  const registers = registersLoaders(register.store);
  const benefits = benefitsLoaders(register.store);
  const loads = {
    disability: () => registers.disability.loadMany(keys),
    indigenous: () => registers.indigenous.loadMany(keys),
    healthInsurance: () => registers.healthInsurance.loadMany(keys),
    streetSituation: () => registers.streetSituation.loadMany(keys),
    emergencyRecords: () => registers.emergencyRecords.loadMany(keys),
    grants: () => benefits.grantsByRun.loadMany(keys),
    subsystem: () => benefits.subsystemByRun.loadMany(keys),
    paymentsByPayee: () => benefits.paymentsByPayee({ from: null, to: null }).loadMany(keys),
    paymentsByHousehold: () => benefits.paymentsByHousehold({ from: 202501, to: 202512 }).loadMany(householdIds.slice(0, 1000)),
  };
  const counts: Record<string, number> = {};
  for (const [name, load] of Object.entries(loads)) counts[name] = await statementsDuring(load);
  expect(counts).toEqual(Object.fromEntries(Object.keys(loads).map((name) => [name, 1])));
});

test('payment loaders for different period ranges are kept apart, each batching its own keys', async () => {
  const benefits = benefitsLoaders(register.store);
  const statements = await statementsDuring(() =>
    Promise.all([
      ...householdIds.slice(0, 10).map((id) => benefits.paymentsByHousehold({ from: 202501, to: 202503 }).load(id)),
      ...householdIds.slice(0, 10).map((id) => benefits.paymentsByHousehold({ from: null, to: null }).load(id)),
    ]),
  );
  expect(statements).toBe(2);
});

test('loaders are per request: a second request\'s loaders query the store again', async () => {
  const statements = await statementsDuring(async () => {
    await personsLoaders(register.store).personByRun.load(runs[5]);
    await personsLoaders(register.store).personByRun.load(runs[5]);
  });
  expect(statements).toBe(2);
});
