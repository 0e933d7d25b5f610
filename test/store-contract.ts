import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateRegister } from '../data/generate';
import { formatRun } from '../lib/run';
import { migrate } from '../store/sqlite/migrate';
import { MAX_BATCH, type PeriodRange, type Run, type Store } from '../store/types';

/**
 * The contract every Store implementation must pass (store/types.ts), as one function each
 * implementation's test file calls with a way to open its store over a generated register.
 * Expected answers are read with plain SQL from the SQLite file of the same register (`db`), never
 * through a store, so SQLite and Oracle are both held to the register itself.
 */

export interface ContractSubject {
  store: Store;
  /** The same register as a SQLite database (read for expected answers). */
  db: Database.Database;
  close(): Promise<void>;
}

/** A generated SQLite register in a temporary folder (the Oracle suite loads it into Oracle). */
export interface GeneratedRegister {
  file: string;
  db: Database.Database;
  remove(): void;
}

export function generateRegisterFile(households = 600, seed = 11): GeneratedRegister {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-contract-'));
  const file = path.join(dir, 'register.db');
  const writer = new Database(file);
  migrate(writer);
  generateRegister(writer, { households, seed });
  writer.close();
  const db = new Database(file, { readonly: true });
  return {
    file,
    db,
    remove: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Row = Record<string, unknown>;

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

interface Shape {
  /** Columns of the table that are not in the store's row. */
  drop?: string[];
  /** RUN body columns (formatted "12345678-5" in rows). */
  runs?: string[];
  /** 0/1 columns (booleans in rows). */
  booleans?: string[];
}

/** A SQLite row in the store's shape: camelCase keys, RUNs formatted, booleans as booleans. */
function shaped(row: Row, shape: Shape): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (shape.drop?.includes(column)) continue;
    let converted = value;
    if (shape.runs?.includes(column) && value !== null) converted = formatRun(value as number);
    if (shape.booleans?.includes(column)) converted = value === 1;
    out[camel(column)] = converted;
  }
  return out;
}

const body = (run: Run) => Number(run.slice(0, run.indexOf('-')));
const byJson = (a: Row, b: Row) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);
/** Rows of an unordered lookup, in a canonical order for comparison. */
const canonical = (rows: readonly object[]) => [...(rows as Row[])].sort(byJson);

const SHAPES = {
  person: { runs: ['run'], booleans: ['deceased'] },
  member: { runs: ['run'] },
  register: { runs: ['run'] },
  withoutId: { runs: ['run'], drop: ['id'] },
  subsystem: { runs: ['run'], booleans: ['active'] },
  payment: { runs: ['payee_run'] },
} satisfies Record<string, Shape>;

const HOUSEHOLD_SQL = `SELECT h.*, (SELECT count(*) FROM household_member m WHERE m.household_id = h.id) AS size FROM household h`;

export function storeContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`${name}: the Store contract`, () => {
    let subject: ContractSubject;
    let store: Store;
    let db: Database.Database;
    let runs: Run[];
    let sampleRuns: Run[];
    let householdIds: number[];
    let sampleHouseholds: number[];
    const missingRun = formatRun(99_999_998);
    const missingHousehold = 987_654_321;

    /** Rows of `table` whose `column` is one of `keys`, in the store's shape, optionally ordered. */
    function expected(table: string, column: string, keys: readonly (string | number)[], shape: Shape, orderBy?: string, extraWhere = ''): Row[] {
      const sql = `SELECT * FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?)) ${extraWhere} ${orderBy ? `ORDER BY ${orderBy}` : ''}`;
      return (db.prepare(sql).all(JSON.stringify(keys)) as Row[]).map((row) => shaped(row, shape));
    }

    function expectedHouseholds(ids: readonly number[]): Row[] {
      return (db.prepare(`${HOUSEHOLD_SQL} WHERE h.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Row[]).map((row) => shaped(row, {}));
    }

    const column = (sql: string): unknown[] => (db.prepare(sql).all() as Row[]).map((row) => Object.values(row)[0]);

    /** Statements the store sent while `work` ran. */
    async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
      const before = store.statementCount;
      await work();
      return store.statementCount - before;
    }

    beforeAll(async () => {
      subject = await open();
      ({ store, db } = subject);
      runs = (column('SELECT run FROM person ORDER BY run') as number[]).map(formatRun);
      householdIds = column('SELECT id FROM household ORDER BY id') as number[];
      // persons of every register, so each lookup below has rows to return (and a RUN with none)
      const withRecords = [
        'SELECT run FROM disability_record LIMIT 40',
        'SELECT run FROM indigenous_record LIMIT 40',
        'SELECT run FROM street_situation_record LIMIT 40',
        'SELECT DISTINCT run FROM emergency_record LIMIT 40',
        'SELECT run FROM subsystem_membership LIMIT 40',
        'SELECT DISTINCT payee_run FROM payment WHERE payee_run IS NOT NULL LIMIT 40',
        'SELECT DISTINCT run FROM benefit_grant LIMIT 40',
        'SELECT run FROM health_insurance LIMIT 40',
        'SELECT run FROM person WHERE deceased = 1 LIMIT 10',
        'SELECT run FROM person ORDER BY run LIMIT 100',
      ].flatMap((sql) => column(sql) as number[]);
      sampleRuns = [...new Set(withRecords)].map(formatRun);
      sampleRuns.push(missingRun);
      sampleHouseholds = [
        ...new Set([
          ...(column('SELECT id FROM household ORDER BY id LIMIT 60') as number[]),
          ...(column('SELECT DISTINCT household_id FROM payment WHERE household_id IS NOT NULL LIMIT 40') as number[]),
          ...(column('SELECT household_id FROM household_member GROUP BY household_id ORDER BY count(*) DESC LIMIT 5') as number[]),
        ]),
        missingHousehold,
      ];
    }, 600_000);

    afterAll(async () => {
      await subject?.close();
    });

    test('regions() returns the whole region table ordered by code', async () => {
      const want = (db.prepare('SELECT * FROM region ORDER BY code').all() as Row[]).map((row) => shaped(row, {}));
      expect(await store.regions()).toEqual(want);
    });

    test('communes() returns the whole commune table ordered by code', async () => {
      const want = (db.prepare('SELECT * FROM commune ORDER BY code').all() as Row[]).map((row) => shaped(row, {}));
      expect(await store.communes()).toEqual(want);
    });

    test('personsByRun returns exactly the person rows of the RUNs asked for; a missing RUN is absent', async () => {
      const got = await store.personsByRun(sampleRuns);
      expect(canonical(got)).toEqual(canonical(expected('person', 'run', sampleRuns.map(body), SHAPES.person)));
      expect(got.some((row) => row.run === missingRun)).toBe(false);
    });

    test('householdsById returns the household rows with their size; a missing id is absent', async () => {
      expect(canonical(await store.householdsById(sampleHouseholds))).toEqual(canonical(expectedHouseholds(sampleHouseholds)));
    });

    test('membershipsByRun returns the membership row of each RUN that has one', async () => {
      expect(canonical(await store.membershipsByRun(sampleRuns))).toEqual(canonical(expected('household_member', 'run', sampleRuns.map(body), SHAPES.member)));
    });

    test('membersByHouseholdId returns member rows ordered by household, then ordinal', async () => {
      const want = expected('household_member', 'household_id', sampleHouseholds, SHAPES.member, 'household_id, ordinal');
      expect(await store.membersByHouseholdId(sampleHouseholds)).toEqual(want);
    });

    test('householdsInCommune pages by id with a keyset cursor and counts the whole commune', async () => {
      const [{ code, total }] = db.prepare('SELECT commune_code AS code, count(*) AS total FROM household GROUP BY commune_code ORDER BY total DESC, code LIMIT 1').all() as { code: string; total: number }[];
      const want = (db.prepare(`${HOUSEHOLD_SQL} WHERE h.commune_code = ? ORDER BY h.id`).all(code) as Row[]).map((row) => shaped(row, {}));
      const pages: { ids: number[]; hasNextPage: boolean; totalCount: number }[] = [];
      const seen: Row[] = [];
      let after: number | null = null;
      for (;;) {
        const page = await store.householdsInCommune(code, 7, after);
        pages.push({ ids: page.rows.map((row) => row.id), hasNextPage: page.hasNextPage, totalCount: page.totalCount });
        seen.push(...(page.rows as unknown as Row[]));
        if (!page.hasNextPage) break;
        after = page.rows[page.rows.length - 1].id;
      }
      expect(seen).toEqual(want);
      expect(pages.every((page) => page.totalCount === total)).toBe(true);
      expect(pages.map((page) => page.hasNextPage)).toEqual([...Array(Math.ceil(total / 7) - 1).fill(true), false]);
    });

    test('householdsInCommune answers an empty page for a commune without households and after the last id', async () => {
      const last = householdIds[householdIds.length - 1];
      const [{ code }] = db.prepare('SELECT commune_code AS code FROM household WHERE id = ?').all(last) as { code: string }[];
      const total = (db.prepare('SELECT count(*) AS n FROM household WHERE commune_code = ?').get(code) as { n: number }).n;
      expect(await store.householdsInCommune('99999', 5, null)).toEqual({ rows: [], hasNextPage: false, totalCount: 0 });
      expect(await store.householdsInCommune(code, 5, last)).toEqual({ rows: [], hasNextPage: false, totalCount: total });
    });

    test('the register lookups by RUN return exactly the rows of the RUNs asked for', async () => {
      const keys = sampleRuns.map(body);
      const got = {
        disability: canonical(await store.disabilityByRun(sampleRuns)),
        indigenous: canonical(await store.indigenousByRun(sampleRuns)),
        healthInsurance: canonical(await store.healthInsuranceByRun(sampleRuns)),
        streetSituation: canonical(await store.streetSituationByRun(sampleRuns)),
        subsystem: canonical(await store.subsystemByRun(sampleRuns)),
        communes: canonical(await store.communesByRun(sampleRuns)),
      };
      const communes = (db.prepare('SELECT run, commune_code FROM person WHERE run IN (SELECT value FROM json_each(?))').all(JSON.stringify(keys)) as Row[]).map((row) => shaped(row, SHAPES.register));
      expect(got).toEqual({
        disability: canonical(expected('disability_record', 'run', keys, SHAPES.register)),
        indigenous: canonical(expected('indigenous_record', 'run', keys, SHAPES.register)),
        healthInsurance: canonical(expected('health_insurance', 'run', keys, SHAPES.register)),
        streetSituation: canonical(expected('street_situation_record', 'run', keys, SHAPES.register)),
        subsystem: canonical(expected('subsystem_membership', 'run', keys, SHAPES.subsystem)),
        communes: canonical(communes),
      });
      expect(got.disability.length * got.indigenous.length * got.streetSituation.length * got.subsystem.length).toBeGreaterThan(0);
    });

    test('emergencyRecordsByRun returns rows ordered by run, then date', async () => {
      const want = expected('emergency_record', 'run', sampleRuns.map(body), SHAPES.withoutId, 'run, occurred_on, id');
      expect(want.length).toBeGreaterThan(0);
      expect(await store.emergencyRecordsByRun(sampleRuns)).toEqual(want);
    });

    test('grantsByRun returns rows ordered by run, then grant date', async () => {
      const want = expected('benefit_grant', 'run', sampleRuns.map(body), SHAPES.withoutId, 'run, granted_on, id');
      expect(want.length).toBeGreaterThan(0);
      expect(await store.grantsByRun(sampleRuns)).toEqual(want);
    });

    test('programs() lists every programme by code, or those of one ministry', async () => {
      const all = (db.prepare('SELECT * FROM program ORDER BY code').all() as Row[]).map((row) => shaped(row, {}));
      const ministry = all[0].ministry as string;
      expect({ all: await store.programs(null), one: await store.programs(ministry), none: await store.programs('No such ministry') }).toEqual({
        all,
        one: all.filter((row) => row.ministry === ministry),
        none: [],
      });
    });

    test('programsByCode and targetGroupsByProgram return the rows of the codes asked for (target groups ordered)', async () => {
      const codes = [...(column('SELECT code FROM program ORDER BY code DESC') as string[]), 'NO-SUCH-PROGRAM'];
      expect(canonical(await store.programsByCode(codes))).toEqual(canonical(expected('program', 'code', codes, {})));
      expect(await store.targetGroupsByProgram(codes)).toEqual(expected('program_target_group', 'program_code', codes, {}, 'program_code, target_group'));
    });

    test('communesByHousehold returns the commune of each household asked for', async () => {
      const want = (db.prepare('SELECT id, commune_code FROM household WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(sampleHouseholds)) as Row[]).map((row) => shaped(row, {}));
      expect(canonical(await store.communesByHousehold(sampleHouseholds))).toEqual(canonical(want));
    });

    describe('payments within a period range (inclusive; either end open)', () => {
      const ranges: PeriodRange[] = [
        { from: null, to: null },
        { from: 202503, to: null },
        { from: null, to: 202506 },
        { from: 202503, to: 202506 },
        { from: 203001, to: null },
      ];
      const filter = (range: PeriodRange) =>
        `${range.from === null ? '' : `AND period >= ${range.from}`} ${range.to === null ? '' : `AND period <= ${range.to}`}`;

      test.each(ranges)('paymentsByPayee(%o) returns rows ordered by payee, then period', async (range) => {
        const want = expected('payment', 'payee_run', sampleRuns.map(body), SHAPES.payment, 'payee_run, period, id', filter(range));
        expect(await store.paymentsByPayee(sampleRuns, range)).toEqual(want);
      });

      test.each(ranges)('paymentsByHousehold(%o) returns rows ordered by household, then period', async (range) => {
        const want = expected('payment', 'household_id', sampleHouseholds, SHAPES.payment, 'household_id, period, id', filter(range));
        expect(await store.paymentsByHousehold(sampleHouseholds, range)).toEqual(want);
      });
    });

    test(`every batched lookup sends one statement for 1, 2, 11, 999 and ${MAX_BATCH} keys`, async () => {
      const allRuns = runs.slice(0, MAX_BATCH);
      const ids = [...householdIds, ...Array.from({ length: MAX_BATCH }, (_, i) => missingHousehold + i)].slice(0, MAX_BATCH);
      const codes = [...(column('SELECT code FROM program') as string[]), ...Array.from({ length: MAX_BATCH }, (_, i) => `NONE-${i}`)].slice(0, MAX_BATCH);
      const open: PeriodRange = { from: null, to: null };
      const lookups: Record<string, (n: number) => Promise<unknown>> = {
        personsByRun: (n) => store.personsByRun(allRuns.slice(0, n)),
        householdsById: (n) => store.householdsById(ids.slice(0, n)),
        membershipsByRun: (n) => store.membershipsByRun(allRuns.slice(0, n)),
        membersByHouseholdId: (n) => store.membersByHouseholdId(ids.slice(0, n)),
        disabilityByRun: (n) => store.disabilityByRun(allRuns.slice(0, n)),
        indigenousByRun: (n) => store.indigenousByRun(allRuns.slice(0, n)),
        healthInsuranceByRun: (n) => store.healthInsuranceByRun(allRuns.slice(0, n)),
        streetSituationByRun: (n) => store.streetSituationByRun(allRuns.slice(0, n)),
        emergencyRecordsByRun: (n) => store.emergencyRecordsByRun(allRuns.slice(0, n)),
        programsByCode: (n) => store.programsByCode(codes.slice(0, n)),
        targetGroupsByProgram: (n) => store.targetGroupsByProgram(codes.slice(0, n)),
        grantsByRun: (n) => store.grantsByRun(allRuns.slice(0, n)),
        subsystemByRun: (n) => store.subsystemByRun(allRuns.slice(0, n)),
        paymentsByPayee: (n) => store.paymentsByPayee(allRuns.slice(0, n), open),
        paymentsByHousehold: (n) => store.paymentsByHousehold(ids.slice(0, n), open),
        communesByRun: (n) => store.communesByRun(allRuns.slice(0, n)),
        communesByHousehold: (n) => store.communesByHousehold(ids.slice(0, n)),
      };
      expect(allRuns.length).toBe(MAX_BATCH);
      const sizes = [1, 2, 11, 999, MAX_BATCH];
      const counts: Record<string, number[]> = {};
      for (const [lookup, call] of Object.entries(lookups)) {
        counts[lookup] = [];
        for (const n of sizes) counts[lookup].push(await statementsDuring(() => call(n)));
      }
      expect(counts).toEqual(Object.fromEntries(Object.keys(lookups).map((lookup) => [lookup, sizes.map(() => 1)])));
    });

    test(`personsByRun with ${MAX_BATCH} keys returns all ${MAX_BATCH} persons`, async () => {
      const keys = runs.slice(0, MAX_BATCH);
      expect((await store.personsByRun(keys)).map((row) => row.run).sort()).toEqual([...keys].sort());
    });

    test('ping resolves while the database answers', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
