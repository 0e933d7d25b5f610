import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../data/cli';
import { exampleRecords, generateRegister, REGISTER_TABLES, type GenerateStats } from '../data/generate';
import { loadCensus, loadProgrammeCounts, TARGET_GROUPS } from '../data/reference';
import { createProgress } from '../lib/progress';
import { checkDigit, formatRun, parseRun } from '../lib/run';
import { migrate } from '../store/sqlite/migrate';

function register(households: number, seed: number): { db: Database.Database; stats: GenerateStats } {
  const db = new Database(':memory:');
  migrate(db);
  const stats = generateRegister(db, { households, seed });
  return { db, stats };
}

/** A hash of every row of every register table, in primary-key order (generated_at excluded). */
function contentHashes(db: Database.Database): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const table of REGISTER_TABLES) {
    const hash = crypto.createHash('sha256');
    const where = table === 'register_meta' ? "WHERE key <> 'generated_at'" : '';
    for (const row of db.prepare(`SELECT * FROM ${table} ${where} ORDER BY 1, 2`).iterate()) hash.update(JSON.stringify(row));
    hashes[table] = hash.digest('hex');
  }
  return hashes;
}

class Capture {
  text = '';
  isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

let shared: Database.Database;

beforeAll(() => {
  shared = register(1500, 2017).db;
});

afterAll(() => {
  shared.close();
});

test('the same seed gives an identical database', () => {
  const a = register(400, 7);
  const b = register(400, 7);
  expect(contentHashes(b.db)).toEqual(contentHashes(a.db));
  expect(b.stats.rows).toEqual(a.stats.rows);
  a.db.close();
  b.db.close();
});

test('a different seed gives a different register', () => {
  const a = register(400, 7);
  const b = register(400, 8);
  const ha = contentHashes(a.db);
  const hb = contentHashes(b.db);
  expect({ person: hb.person, household: hb.household, payment: hb.payment }).not.toEqual({
    person: ha.person,
    household: ha.household,
    payment: ha.payment,
  });
  expect({ program: hb.program, commune: hb.commune }).toEqual({ program: ha.program, commune: ha.commune });
  a.db.close();
  b.db.close();
});

test('every table of the schema is filled', () => {
  const empty = REGISTER_TABLES.filter((table) => shared.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() === undefined
    || (shared.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n === 0);
  expect(empty).toEqual([]);
});

test('every person has a valid, unique RUN and every living person a unique document serial', () => {
  const runs = (shared.prepare('SELECT run FROM person').all() as { run: number }[]).map((row) => row.run);
  const invalid = runs.filter((body) => !Number.isInteger(body) || body < 1_000_000 || body > 99_999_999 || parseRun(formatRun(body)) !== `${body}-${checkDigit(body)}`);
  expect({ invalid, unique: new Set(runs).size }).toEqual({ invalid: [], unique: runs.length });
  const serials = shared.prepare(
    `SELECT COUNT(*) AS n, COUNT(DISTINCT document_serial) AS distinctSerials,
            SUM(length(document_serial) = 9 AND document_serial GLOB '[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]') AS wellFormed,
            (SELECT COUNT(*) FROM person WHERE deceased = 0) AS living
       FROM civil_identity`,
  ).get() as { n: number; distinctSerials: number; wellFormed: number; living: number };
  expect(serials).toEqual({ n: serials.living, distinctSerials: serials.living, wellFormed: serials.living, living: serials.living });
});

test('each household has exactly one HEAD, at ordinal 1, and membership covers every person once', () => {
  const check = shared.prepare(
    `SELECT
       (SELECT COUNT(*) FROM household h WHERE (SELECT COUNT(*) FROM household_member m WHERE m.household_id = h.id AND m.relationship = 'HEAD') <> 1) AS withoutOneHead,
       (SELECT COUNT(*) FROM household_member WHERE relationship = 'HEAD' AND ordinal <> 1) AS headNotFirst,
       (SELECT COUNT(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM household_member m WHERE m.run = p.run)) AS personsWithoutHousehold,
       (SELECT COUNT(*) FROM household_member) - (SELECT COUNT(*) FROM person) AS extraMembers,
       (SELECT COUNT(*) FROM household_member m JOIN household h ON h.id = m.household_id JOIN person p ON p.run = m.run
         WHERE p.commune_code <> h.commune_code OR p.street IS NOT h.street OR p.unit IS NOT h.unit) AS addressMismatches`,
  ).get();
  expect(check).toEqual({ withoutOneHead: 0, headNotFirst: 0, personsWithoutHousehold: 0, extraMembers: 0, addressMismatches: 0 });
});

test('children are at least 15 years younger than the head and Chilean children carry the head\'s surname', () => {
  const rows = shared.prepare(
    `SELECT c.birth_date AS child, h.birth_date AS head, c.paternal_surname AS cp, c.maternal_surname AS cm,
            h.paternal_surname AS hp, h.maternal_surname AS hm
       FROM household_member mc JOIN person c ON c.run = mc.run
       JOIN household_member mh ON mh.household_id = mc.household_id AND mh.relationship = 'HEAD'
       JOIN person h ON h.run = mh.run
      WHERE mc.relationship = 'CHILD' AND c.nationality = 'CHILENA'`,
  ).all() as { child: number; head: number; cp: string; cm: string | null; hp: string; hm: string | null }[];
  expect(rows.length).toBeGreaterThan(300);
  const tooClose = rows.filter((row) => row.child - row.head < 15_0000);
  const noHeadSurname = rows.filter((row) => row.cp !== row.hp && row.cm !== row.hp);
  expect({ tooClose, noHeadSurname }).toEqual({ tooClose: [], noHeadSurname: [] });
});

test('programme counts per ministry and per target group equal programmes_by_ministry.csv', () => {
  const expected = Object.fromEntries(
    loadProgrammeCounts().map((row) => [row.ministry, { programmes: row.programmes, ...row.groups }]),
  );
  const actual: Record<string, Record<string, number>> = {};
  for (const row of shared.prepare('SELECT ministry, COUNT(*) AS n FROM program GROUP BY ministry').all() as { ministry: string; n: number }[]) {
    actual[row.ministry] = { programmes: row.n, ...Object.fromEntries(TARGET_GROUPS.map((group) => [group, 0])) };
  }
  const groups = shared.prepare(
    'SELECT p.ministry AS ministry, g.target_group AS targetGroup, COUNT(*) AS n FROM program_target_group g JOIN program p ON p.code = g.program_code GROUP BY 1, 2',
  ).all() as { ministry: string; targetGroup: string; n: number }[];
  for (const row of groups) actual[row.ministry][row.targetGroup] = row.n;
  expect(actual).toEqual(expected);
  const withoutGroup = shared.prepare('SELECT code FROM program WHERE code NOT IN (SELECT program_code FROM program_target_group)').all();
  expect(withoutGroup).toEqual([]);
});

test('commune shares of households follow the census population', () => {
  const { db } = register(5000, 11);
  const census = new Map<string, number>();
  let population = 0;
  for (const cell of loadCensus()) {
    census.set(cell.communeCode, (census.get(cell.communeCode) ?? 0) + cell.population);
    population += cell.population;
  }
  const counts = new Map(
    (db.prepare('SELECT commune_code AS code, COUNT(*) AS n FROM household GROUP BY 1').all() as { code: string; n: number }[]).map((r) => [r.code, r.n]),
  );
  const codes = [...census.keys()];
  const xs = codes.map((code) => census.get(code)! / population);
  const ys = codes.map((code) => (counts.get(code) ?? 0) / 5000);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const cov = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const correlation = cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * ys.reduce((s, y) => s + (y - my) ** 2, 0));
  const ratio = (code: string): number => (counts.get(code) ?? 0) / 5000 / (census.get(code)! / population);
  expect({
    correlationAbove095: correlation > 0.95,
    santiagoWithin35Percent: Math.abs(ratio('13101') - 1) < 0.35,
    puenteAltoWithin35Percent: Math.abs(ratio('13201') - 1) < 0.35,
  }).toEqual({ correlationAbove095: true, santiagoWithin35Percent: true, puenteAltoWithin35Percent: true });
  db.close();
});

test('CSE 40 is the most frequent bracket, held by about half of the households', () => {
  const rows = shared.prepare('SELECT cse_bracket AS bracket, COUNT(*) AS n FROM household GROUP BY 1 ORDER BY n DESC').all() as { bracket: number; n: number }[];
  const share40 = rows[0].n / 1500;
  expect({ mostFrequent: rows[0].bracket, about_half: share40 > 0.45 && share40 < 0.6 }).toEqual({ mostFrequent: 40, about_half: true });
});

test('a household of at least 10 members exists even in a small register', () => {
  const { db } = register(300, 3);
  const largest = db.prepare('SELECT MAX(ordinal) AS n FROM household_member').get() as { n: number };
  expect(largest.n).toBeGreaterThanOrEqual(10);
  db.close();
});

test('payments belong to their household, commune and a living member as payee', () => {
  const bad = shared.prepare(
    `SELECT COUNT(*) AS n FROM payment pay
       JOIN household h ON h.id = pay.household_id
       LEFT JOIN household_member m ON m.run = pay.payee_run AND m.household_id = pay.household_id
       LEFT JOIN person p ON p.run = pay.payee_run
      WHERE pay.commune_code <> h.commune_code OR m.run IS NULL OR p.deceased = 1
         OR pay.total_amount % pay.individual_amount <> 0 OR pay.period NOT BETWEEN 202412 AND 202511
         OR (pay.method = 'CASH_AT_COUNTER') <> (pay.bank IS NULL)`,
  ).get();
  expect(bad).toEqual({ n: 0 });
});

test('exampleRecords returns records that exist in the register', () => {
  const examples = exampleRecords(shared);
  const households = [examples.santiagoHousehold, examples.valparaisoHousehold, examples.largestHousehold];
  expect(households.every((h) => h !== null)).toBe(true);
  for (const household of households) {
    const row = shared.prepare(
      `SELECT h.commune_code AS communeCode, COUNT(*) AS size,
              MAX(CASE WHEN m.relationship = 'HEAD' THEN m.run END) AS head
         FROM household h JOIN household_member m ON m.household_id = h.id WHERE h.id = ? GROUP BY h.id`,
    ).get(Number(household!.id)) as { communeCode: string; size: number; head: number };
    expect({ communeCode: row.communeCode, size: row.size, headRun: formatRun(row.head) }).toEqual({
      communeCode: household!.communeCode,
      size: household!.size,
      headRun: household!.headRun,
    });
  }
  expect([examples.santiagoHousehold!.communeCode, examples.valparaisoHousehold!.communeCode]).toEqual(['13101', '05101']);
  const body = (run: string | null): number => Number(run!.split('-')[0]);
  expect({
    disability: shared.prepare('SELECT 1 AS found FROM disability_record WHERE run = ?').get(body(examples.disabilityRun)),
    subsystem: shared.prepare("SELECT active FROM subsystem_membership WHERE run = ? AND subsystem = 'SEGURIDADES_Y_OPORTUNIDADES'").get(body(examples.subsystemRun)),
    payee: shared.prepare('SELECT 1 AS found FROM payment WHERE payee_run = ? LIMIT 1').get(body(examples.payeeRun)),
  }).toEqual({ disability: { found: 1 }, subsystem: { active: 1 }, payee: { found: 1 } });
});

describe('the CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-generate-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('refuses to overwrite an existing database without --force', () => {
    const file = path.join(dir, 'register.db');
    fs.writeFileSync(file, 'not empty');
    const [out, err] = [new Capture(), new Capture()];
    const code = main(['--db', file, '--households', '50'], out, err);
    expect({ code, message: err.text.includes(`refusing to overwrite ${file}`) && err.text.includes('--force'), content: fs.readFileSync(file, 'utf8') }).toEqual({
      code: 1,
      message: true,
      content: 'not empty',
    });
  });

  test('replaces an existing database with --force and prints the summary', () => {
    const file = path.join(dir, 'register.db');
    fs.writeFileSync(file, 'not empty');
    fs.writeFileSync(`${file}-wal`, 'stale');
    const [out, err] = [new Capture(), new Capture()];
    const code = main(['--db', file, '--households', '120', '--seed', '5', '--force'], out, err);
    expect(code).toBe(0);
    expect(out.text).toMatch(/households\s+120\n/);
    expect(out.text).toMatch(/persons\/s/);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM household').get()).toEqual({ n: 120 });
    db.close();
  });

  test('says what it expected and what it received for a bad argument', () => {
    const [out, err] = [new Capture(), new Capture()];
    const code = main(['--households', 'many'], out, err);
    expect({ code, message: err.text }).toEqual({ code: 2, message: '--households: expected a whole number from 1 to 10000000, got "many"\n' });
  });
});

test('the progress reporter prints a plain line every 10% when not on a terminal', () => {
  const stream = new Capture();
  let clock = 0;
  const progress = createProgress('rows', 1000, stream, { now: () => clock });
  for (let done = 1; done <= 1000; done++) {
    clock += 1;
    progress.tick(done);
  }
  progress.done();
  const lines = stream.text.trim().split('\n');
  expect(lines.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
    'rows: 10.0%', 'rows: 20.0%', 'rows: 30.0%', 'rows: 40.0%', 'rows: 50.0%', 'rows: 60.0%', 'rows: 70.0%', 'rows: 80.0%', 'rows: 90.0%', 'rows: 100.0%',
  ]);
  expect(lines[9]).toBe('rows: 100.0% 1,000/1,000 1,000/s in 1.0 s');
});
