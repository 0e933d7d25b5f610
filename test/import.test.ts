import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { registersCommands } from '../data/import/commands';
import { exportSnapshot } from '../data/import/export';
import { importSnapshot, ImportRefused, listSnapshots, rejectsPathOf } from '../data/import/importer';
import { REGISTER_NAMES, REGISTERS, type RegisterName } from '../data/import/registers';
import { AS_OF } from '../data/generate';
import { fromRoot } from '../lib/paths';
import { formatRun } from '../lib/run';
import { migrate } from '../store/sqlite/migrate';
import { createTestRegister, type TestRegister } from './support/register';

let register: TestRegister;
let dir: string;
let db: Database.Database;
let dbFile: string;

beforeAll(async () => {
  register = await createTestRegister(1500, 11);
});

afterAll(async () => {
  await register.close();
});

// Each test gets its own read-write copy of the generated register (the shared store is read-only).
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-import-'));
  dbFile = path.join(dir, 'register.db');
  fs.copyFileSync(register.file, dbFile);
  db = new Database(dbFile);
  migrate(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** SHA-256 of every row of a table in a fixed order: equal checksums, equal tables. */
function checksum(table: string): string {
  const hash = crypto.createHash('sha256');
  for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3, 4`).raw().iterate()) hash.update(JSON.stringify(row));
  return hash.digest('hex');
}

function rows<T>(sql: string, ...params: unknown[]): T[] {
  return db.prepare(sql).all(...params) as T[];
}

/** Writes a file of `register` from the live table, with `edit` applied to its lines (header excluded). */
function snapshotFile(name: RegisterName, fileName: string, edit: (lines: string[]) => string[] = (lines) => lines): string {
  const file = path.join(dir, fileName);
  exportSnapshot(db, name, file);
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  fs.writeFileSync(file, `${[header, ...edit(lines)].join('\n')}\n`);
  return file;
}

/** A RUN body in no table, and its written forms. */
function freshBody(offset: number): number {
  return 30_000_000 + offset;
}

function dotted(body: number): string {
  const run = formatRun(body);
  const [digits, check] = run.split('-');
  return `${digits.replace(/\B(?=(\d{3})+$)/g, '.')}-${check}`;
}

class Capture {
  text = '';
  isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

test('the generated register exports a file of each register that imports back unchanged in content', async () => {
  for (const name of REGISTER_NAMES) {
    const spec = REGISTERS[name];
    const data = [...spec.key, ...spec.data].map((column) => column.name).join(', ');
    const before = rows(`SELECT ${data} FROM ${spec.table} ORDER BY ${data}`);
    const file = snapshotFile(name, `${name}_2025-12-31.csv`);
    const result = await importSnapshot(db, { register: name, file });
    expect(result).toMatchObject({ status: 'imported', counts: { read: before.length, accepted: before.length, rejected: 0, new: 0, changed: 0, removed: 0, unchanged: before.length } });
    expect(rows(`SELECT ${data} FROM ${spec.table} ORDER BY ${data}`)).toEqual(before);
  }
});

test('a file with bad rows rejects exactly those rows with reasons, applies the rest and counts them', async () => {
  const live = rows<{ run: number; degree: string; registered_on: number }>('SELECT run, degree, registered_on FROM disability_record ORDER BY run');
  const [first, second, third, fourth] = live;
  const changedDegree = first.degree === 'SEVERE' ? 'MILD' : 'SEVERE';
  const added = [freshBody(1), freshBody(2)];
  const bad = [
    `${formatRun(freshBody(3)).slice(0, -1)}${formatRun(freshBody(3)).endsWith('0') ? '1' : '0'},MILD,2020-01-01`,
    `${formatRun(freshBody(4))},LIGHT,2020-01-01`,
    `${formatRun(freshBody(5))},MILD,2025-02-30`,
    `${formatRun(freshBody(6))},MILD,2026-01-15`,
    `${formatRun(freshBody(7))},MILD`,
    `${dotted(fourth.run)},MODERATE,2001-01-01`,
  ];
  const file = snapshotFile('disability', 'disability_2025-12-31.csv', (lines) => [
    `${formatRun(first.run)},${changedDegree},${isoOf(first.registered_on)}`,
    ...lines.slice(3),
    `${dotted(added[0])},profound,20240105`,
    `${formatRun(added[1]).replace('-', '')},MODERATE,2025-12-31`,
    ...bad,
  ]);
  // Lines: 1 header, 2 changed first row, 3.. the rest from the 4th live row, then added and bad.
  const firstBad = 2 + 1 + (live.length - 3) + 2;

  const result = await importSnapshot(db, { register: 'disability', file });

  expect(result).toEqual({
    status: 'imported',
    register: 'disability',
    asOf: 20251231,
    file,
    sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    counts: { read: live.length - 2 + 2 + bad.length, accepted: live.length - 2 + 2, rejected: 6, new: 2, changed: 1, removed: 2, unchanged: live.length - 3 },
    rejectsFile: rejectsPathOf(file),
    identityCacheInvalidated: null,
    seconds: expect.any(Number),
  });
  const checkOf = (body: number) => formatRun(body).slice(-1);
  expect(fs.readFileSync(rejectsPathOf(file), 'utf8')).toBe(
    [
      'line,reason,run,degree,registered_on',
      `${firstBad},"run: expected a RUN like 12.345.678-5 with a valid check digit, got ""${bad[0].split(',')[0]}"" (the check digit of ${freshBody(3)} is ${checkOf(freshBody(3))})",${bad[0]}`,
      `${firstBad + 1},"degree: expected one of MILD, MODERATE, SEVERE, PROFOUND, got ""LIGHT""",${bad[1]}`,
      `${firstBad + 2},"registered_on: expected a real date as YYYY-MM-DD or YYYYMMDD, got ""2025-02-30""",${bad[2]}`,
      `${firstBad + 3},"registered_on: expected a date on or before the snapshot date 2025-12-31, got 2026-01-15",${bad[3]}`,
      `${firstBad + 4},"expected 3 fields (run,degree,registered_on), got 2",${bad[4]}`,
      `${firstBad + 5},"duplicate: expected one row per run, got ${formatRun(fourth.run)} again (first on line 3)",${bad[5]}`,
      '',
    ].join('\n'),
  );
  expect(rows('SELECT run, degree, registered_on, source, as_of FROM disability_record ORDER BY run')).toEqual(
    [
      { ...first, degree: changedDegree },
      ...live.slice(3),
      { run: added[0], degree: 'PROFOUND', registered_on: 20240105 },
      { run: added[1], degree: 'MODERATE', registered_on: 20251231 },
    ]
      .map((row) => ({ ...row, source: 'SENADIS/COMPIN', as_of: 20251231 }))
      .sort((a, b) => a.run - b.run),
  );
  expect(rows('SELECT run FROM disability_record WHERE run IN (?, ?)', second.run, third.run)).toEqual([]);
  expect(listSnapshots(db)).toEqual([
    {
      register: 'disability', as_of: 20251231, file_name: 'disability_2025-12-31.csv', file_sha256: (result as { sha256: string }).sha256,
      imported_at: expect.any(String), rows_read: live.length + bad.length, accepted: live.length, rejected: 6, new_rows: 2, changed_rows: 1, removed_rows: 2,
    },
  ]);
});

function isoOf(value: number): string {
  const s = String(value);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
}

test('rows absent from a health snapshot disappear and every row gets the new asOf and its insurer source', async () => {
  const live = rows<{ run: number; insurer: string; bracket: string | null }>('SELECT run, insurer, bracket FROM health_insurance ORDER BY run');
  const switched = live.find((row) => row.insurer === 'FONASA')!;
  const file = snapshotFile('health', 'health_20260131.csv', (lines) =>
    lines
      .filter((_, i) => i % 10 !== 3)
      .map((line) => (line.startsWith(`${formatRun(switched.run)},`) ? `${formatRun(switched.run)},ISAPRE,` : line)),
  );
  const kept = live.filter((_, i) => i % 10 !== 3);

  const result = await importSnapshot(db, { register: 'health', file });

  expect(result).toMatchObject({ status: 'imported', asOf: 20260131, counts: { accepted: kept.length, rejected: 0, new: 0, removed: live.length - kept.length, changed: kept.includes(switched) ? 1 : 0 } });
  expect(rows('SELECT run, insurer, bracket, source, as_of FROM health_insurance ORDER BY run')).toEqual(
    kept.map((row) => {
      const insurer = row === switched ? 'ISAPRE' : row.insurer;
      return {
        run: row.run,
        insurer,
        bracket: row === switched ? null : row.bracket,
        source: insurer === 'FONASA' ? 'FONASA' : 'Superintendencia de Salud',
        as_of: 20260131,
      };
    }),
  );
});

test('re-importing the same file changes nothing and says it was already imported', async () => {
  const file = snapshotFile('indigenous', 'indigenous_2025-12-31.csv', (lines) => lines.slice(1));
  const io = { out: new Capture(), err: new Capture() };
  expect(await registersCommands.import(['--register', 'indigenous', '--file', file, '--db', dbFile], io)).toBe(0);
  const after = checksum('indigenous_record');
  const snapshots = listSnapshots(db);

  const again = { out: new Capture(), err: new Capture() };
  expect(await registersCommands.import(['--register', 'indigenous', '--file', file, '--db', dbFile], again)).toBe(0);

  expect(again.out.text).toBe(
    `indigenous_2025-12-31.csv already imported on ${snapshots[0].imported_at} as the indigenous snapshot of 2025-12-31 (same SHA-256 ${snapshots[0].file_sha256.slice(0, 12)}…); nothing changed\n`,
  );
  expect(again.err.text).toBe('');
  expect(checksum('indigenous_record')).toBe(after);
  expect(listSnapshots(db)).toEqual(snapshots);
});

test('an import interrupted mid-file leaves the previous snapshot intact', async () => {
  const before = checksum('disability_record');
  const file = snapshotFile('disability', 'disability_2025-12-31.csv', (lines) => [
    ...lines.slice(5).map((line) => line.replace(/,(MILD|MODERATE),/, ',PROFOUND,')),
    `${formatRun(freshBody(9))},MILD,bad-date`,
  ]);

  await expect(
    importSnapshot(db, {
      register: 'disability',
      file,
      batchSize: 10,
      hooks: {
        afterBatch: (read) => {
          if (read >= 20) throw new Error('simulated crash after 20 rows');
        },
      },
    }),
  ).rejects.toThrow('simulated crash after 20 rows');

  expect(checksum('disability_record')).toBe(before);
  expect(listSnapshots(db)).toEqual([]);
  expect(fs.existsSync(rejectsPathOf(file))).toBe(false);
});

test('an import failing after the table was rewritten but before commit leaves the previous snapshot intact', async () => {
  const before = checksum('emergency_record');
  const file = snapshotFile('emergency', 'emergency_2025-12-31.csv', (lines) => lines.slice(0, Math.ceil(lines.length * 0.7)));

  await expect(
    importSnapshot(db, {
      register: 'emergency',
      file,
      hooks: {
        beforeCommit: () => {
          expect(checksum('emergency_record')).not.toBe(before);
          throw new Error('simulated failure before COMMIT');
        },
      },
    }),
  ).rejects.toThrow('simulated failure before COMMIT');

  expect(checksum('emergency_record')).toBe(before);
  expect(listSnapshots(db)).toEqual([]);
});

test('a snapshot older than the latest imported is refused unless forced', async () => {
  await importSnapshot(db, { register: 'street', file: snapshotFile('street', 'street_2026-01-31.csv') });
  const after = checksum('street_situation_record');
  const older = snapshotFile('street', 'street_2025-12-31.csv', (lines) => lines.slice(0, -1));

  await expect(importSnapshot(db, { register: 'street', file: older })).rejects.toThrow(
    new ImportRefused('expected a snapshot of street on or after the latest imported, 2026-01-31, got 2025-12-31 (pass --force to import an older snapshot)'),
  );
  expect(checksum('street_situation_record')).toBe(after);

  const forced = await importSnapshot(db, { register: 'street', file: older, force: true });
  expect(forced).toMatchObject({ status: 'imported', asOf: 20251231, counts: { removed: 1 } });
  expect(listSnapshots(db, 'street').map((row) => row.as_of)).toEqual([20260131, 20251231]);
});

test('a file without a snapshot date in its name or --as-of is refused', async () => {
  const file = snapshotFile('disability', 'disability_latest.csv');
  const io = { out: new Capture(), err: new Capture() };
  expect(await registersCommands.import(['--register', 'disability', '--file', file, '--db', dbFile], io)).toBe(1);
  expect(io.err.text).toBe(
    'refused: expected the snapshot date from --as-of YYYY-MM-DD or in the file name (like disability_2025-11-30.csv), got neither in "disability_latest.csv"\n',
  );
  expect(await registersCommands.import(['--register', 'disability', '--file', file, '--db', dbFile, '--as-of', '2025-12-31'], io)).toBe(0);
  expect(listSnapshots(db).map((row) => [row.register, row.as_of])).toEqual([['disability', 20251231]]);
});

test('a snapshot removing more than half of a table is refused unless forced', async () => {
  const before = checksum('indigenous_record');
  const total = rows('SELECT run FROM indigenous_record').length;
  const file = snapshotFile('indigenous', 'indigenous_2025-12-31.csv', (lines) => lines.slice(0, 3));
  await expect(importSnapshot(db, { register: 'indigenous', file })).rejects.toThrow(
    `expected a snapshot removing at most 50% of indigenous_record (${total.toLocaleString('en-US')} rows), got one removing ${(total - 3).toLocaleString('en-US')}`,
  );
  expect(checksum('indigenous_record')).toBe(before);
  await importSnapshot(db, { register: 'indigenous', file, force: true });
  expect(rows('SELECT run FROM indigenous_record')).toHaveLength(3);
});

test('a civil file reconciles civil_identity and invalidates the identity cache rows of documents that changed', async () => {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'identity_cache'").get()) {
    // Before identity/'s migration 003 lands: a stand-in with its columns.
    db.exec('CREATE TABLE identity_cache (run INTEGER NOT NULL, document_serial TEXT NOT NULL, valid INTEGER NOT NULL, reason TEXT, verified_at TEXT NOT NULL, PRIMARY KEY (run, document_serial))');
  }
  const live = rows<{ run: number; document_serial: string; document_status: string; expires_on: number }>(
    'SELECT run, document_serial, document_status, expires_on FROM civil_identity ORDER BY run',
  );
  const [renewed, removed, untouched] = live;
  for (const row of [renewed, removed, untouched]) {
    db.prepare("INSERT INTO identity_cache (run, document_serial, valid, reason, verified_at) VALUES (?, ?, 1, NULL, '2025-11-02T10:00:00.000Z')").run(row.run, row.document_serial);
  }
  const file = snapshotFile('civil', 'civil_2025-12-31.csv', (lines) => [
    `${formatRun(renewed.run)},999999999,VALID,2035-12-01`,
    ...lines.slice(2),
    `${formatRun(freshBody(11))},999999998,VALID,20301231`,
  ]);

  const result = await importSnapshot(db, { register: 'civil', file });

  expect(result).toMatchObject({ status: 'imported', counts: { accepted: live.length, rejected: 0, new: 1, changed: 1, removed: 1 }, identityCacheInvalidated: 2 });
  expect(rows('SELECT run FROM identity_cache')).toEqual([{ run: untouched.run }]);
  expect(rows('SELECT * FROM civil_identity WHERE run IN (?, ?, ?) ORDER BY run', renewed.run, removed.run, freshBody(11))).toEqual(
    [
      { run: renewed.run, document_serial: '999999999', document_status: 'VALID', expires_on: 20351201, source: 'Registro Civil', as_of: 20251231 },
      { run: freshBody(11), document_serial: '999999998', document_status: 'VALID', expires_on: 20301231, source: 'Registro Civil', as_of: 20251231 },
    ].sort((a, b) => a.run - b.run),
  );
  expect(rows('SELECT DISTINCT source, as_of FROM civil_identity')).toEqual([{ source: 'Registro Civil', as_of: 20251231 }]);
});

test('a civil file rejects a document serial already given to another RUN', async () => {
  const [a, b] = rows<{ run: number; document_serial: string }>('SELECT run, document_serial FROM civil_identity ORDER BY run LIMIT 2');
  const file = snapshotFile('civil', 'civil_2025-12-31.csv', (lines) => [lines[0], `${formatRun(b.run)},${a.document_serial},VALID,2030-01-01`, ...lines.slice(2)]);
  const result = await importSnapshot(db, { register: 'civil', file });
  expect(result).toMatchObject({ counts: { rejected: 1, removed: 1 } });
  expect(fs.readFileSync(rejectsPathOf(file), 'utf8')).toBe(
    `line,reason,run,document_serial,document_status,expires_on\n3,"duplicate: expected each document_serial once, got ${a.document_serial} again (first on line 2)",${formatRun(b.run)},${a.document_serial},VALID,2030-01-01\n`,
  );
});

test('an emergency snapshot replaces the whole set of records of a person whose records changed', async () => {
  const person = rows<{ run: number }>('SELECT run FROM emergency_record GROUP BY run ORDER BY run LIMIT 1')[0].run;
  const untouchedIds = rows<{ id: number }>('SELECT id FROM emergency_record WHERE run <> ? ORDER BY id', person);
  const file = snapshotFile('emergency', 'emergency_2025-12-31.csv', (lines) => [
    ...lines.filter((line) => !line.startsWith(`${formatRun(person)},`)),
    `${formatRun(person)},"Incendio forestal Viña del Mar, 2024",2024-02-02,05109`,
    `${formatRun(person)},Sistema frontal junio 2023,2023-06-23,6103`,
  ]);
  const before = rows('SELECT event FROM emergency_record WHERE run = ?', person).length;

  const result = await importSnapshot(db, { register: 'emergency', file });

  expect(result).toMatchObject({ counts: { rejected: 0, new: 2, changed: 0, removed: before } });
  expect(rows('SELECT event, occurred_on, commune_code, source, as_of FROM emergency_record WHERE run = ? ORDER BY occurred_on', person)).toEqual([
    { event: 'Sistema frontal junio 2023', occurred_on: 20230623, commune_code: '06103', source: 'SISE', as_of: 20251231 },
    { event: 'Incendio forestal Viña del Mar, 2024', occurred_on: 20240202, commune_code: '05109', source: 'SISE', as_of: 20251231 },
  ]);
  // Records of everyone else are kept as they were (same ids), only restamped.
  expect(rows<{ id: number }>('SELECT id FROM emergency_record WHERE run <> ? ORDER BY id', person)).toEqual(untouchedIds);
});

test('the import command draws progress and prints a summary with every count', async () => {
  const file = snapshotFile('disability', 'disability_2025-12-31.csv', (lines) => [...lines, `${formatRun(freshBody(21))},MILD,1990`]);
  const count = rows('SELECT run FROM disability_record').length;
  const io = { out: new Capture(), err: new Capture() };

  expect(await registersCommands.import(['--register=disability', `--file=${file}`, `--db=${dbFile}`], io)).toBe(0);

  expect(io.err.text).toMatch(/^disability_2025-12-31\.csv \(bytes\): 100\.0% [\d,]+\/[\d,]+ [\d,]+\/s in [\d.]+ s · [\d,]+ rows [\d,]+ rows\/s\n$/);
  expect(io.out.text.replace(/ {2}seconds .*\n/, '  seconds …\n')).toBe(
    [
      `imported the disability snapshot of 2025-12-31 from ${file} into ${dbFile}`,
      `  read       ${String(count + 1).padStart(12)}`,
      `  accepted   ${String(count).padStart(12)}`,
      `  rejected   ${'1'.padStart(12)}  → ${rejectsPathOf(file)}`,
      `  new        ${'0'.padStart(12)}`,
      `  changed    ${'0'.padStart(12)}`,
      `  removed    ${'0'.padStart(12)}`,
      `  unchanged  ${String(count).padStart(12)}`,
      '  seconds …',
      '',
    ].join('\n'),
  );
});

test('every sample file in test/fixtures/import is accepted whole', async () => {
  const fixtures = fromRoot('test', 'fixtures', 'import');
  for (const name of REGISTER_NAMES) {
    const file = path.join(dir, `${name}_2025-11-30.csv`);
    fs.copyFileSync(path.join(fixtures, `${name}_2025-11-30.csv`), file);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').length - 1;
    const result = await importSnapshot(db, { register: name, file, force: true });
    expect([name, result]).toMatchObject([name, { status: 'imported', asOf: AS_OF, counts: { read: lines, accepted: lines, rejected: 0 } }]);
  }
});
