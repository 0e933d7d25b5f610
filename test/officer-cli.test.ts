import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { schemaCatalog } from '../authz/agreement';
import { sha256Hex } from '../authz/keys';
import { openRegistry, type WatchedRegistry } from '../authz/registry';
import { main } from '../bin/ris';
import { fromRoot } from '../lib/paths';

/**
 * The officer's command line (`ris`), run in-process through `main` with captured output:
 * agreements check and explain, keys create, and usage errors.
 */

const SDL = fs.readFileSync(fromRoot('schema', 'supergraph.graphql'), 'utf8');
const DEMO_DIR = fromRoot('authz', 'agreements');
const TODAY = new Date('2026-12-04T12:00:00Z');
const catalog = schemaCatalog(SDL);
const OBJECT_TYPES = [...catalog.objectTypes.keys()].sort().join(', ');
const TOTAL_FIELDS = [...catalog.objectTypes.values()].reduce((sum, fields) => sum + fields.length, 0);

async function ris(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: { write: (text) => out.push(text) }, err: { write: (text) => err.push(text) }, now: () => TODAY });
  return { code, out: out.join(''), err: err.join('') };
}

const folders: string[] = [];
const registries: WatchedRegistry[] = [];

/** A copy of the demo agreements in a temporary folder. */
function demoCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-cli-'));
  folders.push(dir);
  for (const name of fs.readdirSync(DEMO_DIR)) fs.copyFileSync(path.join(DEMO_DIR, name), path.join(dir, name));
  return dir;
}

afterEach(() => {
  for (const registry of registries.splice(0)) registry.close();
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('ris agreements check', () => {
  test('check reports the shipped folder valid', async () => {
    expect(await ris('agreements', 'check')).toEqual({ code: 0, out: '5 agreements valid in authz/agreements\n', err: '' });
  });

  test('check lists every problem and exits 1', async () => {
    const dir = demoCopy();
    const file = path.join(dir, 'fosis.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('validUntil: 2027-02-28', 'validUntil: 2023-02-28').replace('  - SubsystemMembership.*', '  - Subsystem.*'));
    expect(await ris('agreements', 'check', '--dir', dir)).toEqual({
      code: 1,
      out:
        `2 problems in ${dir}:\n` +
        `  ${file}:13: validUntil: expected a date on or after validFrom (2024-03-01), got 2023-02-28\n` +
        `  ${file}:22: grants[2]: unknown coordinate "Subsystem.*": Subsystem is an enum, not an object type; expected a field of an object type (${OBJECT_TYPES})\n`,
      err: '',
    });
  });

  test('check notes agreements that are valid files but not in force today', async () => {
    const dir = demoCopy();
    const file = path.join(dir, 'ips.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('status: active ', 'status: suspended'));
    expect(await ris('agreements', 'check', '--dir', dir)).toEqual({
      code: 0,
      out: `5 agreements valid in ${dir}\n  note: ips is suspended today (2026-12-04): its partner is refused\n`,
      err: '',
    });
  });

  test('check --production refuses the demo agreements', async () => {
    const result = await ris('agreements', 'check', '--production');
    expect([result.code, result.out.split('\n')[0]]).toEqual([1, '10 problems in authz/agreements (production mode):']);
  });
});

describe('ris agreements explain', () => {
  test('explain shows the terms of muni-13101 and never a key hash', async () => {
    const { code, out, err } = await ris('agreements', 'explain', 'muni-13101');
    expect({ code, err, head: out.split('\n').slice(0, 14) }).toEqual({
      code: 0,
      err: '',
      head: [
        'muni-13101: Municipalidad de Santiago (institution 69070100)',
        '  file           authz/agreements/muni-13101.yaml',
        '  version        1',
        '  kind           MUNICIPALITY',
        '  status         active; valid 2024-01-01 to 2027-12-31; today (2026-12-04): active',
        '  communes       13101 Santiago',
        '  purposes       FICHA-SOCIAL: Aplicación y actualización del Registro Social de Hogares',
        '  end user       required: every request names the official (X-RIS-End-User)',
        '  rate limit     600 requests per minute',
        '  API keys       demo (only their SHA-256 is stored)',
        '  certificates   none',
        '  demo           yes: refused in production mode',
        '',
        `Permissions: 49 of ${TOTAL_FIELDS} fields granted; everything else is denied`,
      ],
    });
    expect(out).not.toContain(sha256Hex('demo-muni-13101'));
  });

  test('explain prints the permission matrix of muni-13101, one row per type', async () => {
    const lines = (await ris('agreements', 'explain', 'muni-13101')).out.split('\n');
    const rows = [
      'type                   ✓ granted                                     ✗ denied',
      'Address                street, number, unit, commune                 —',
      'BenefitGrant           —                                             program, status, grantedOn, endedOn, amount',
      'Household              id, cseBracket, address, members, head,       payments',
      '                       size, registeredOn, updatedOn',
      'HouseholdMember        person, relationship                          —',
      'Person                 run, subsystemMembership, household,          benefits, payments, disability,',
      'SubsystemMembership    subsystem, since, active                      —',
    ];
    expect(rows.filter((row) => !lines.includes(row))).toEqual([]);
    // The Query row's denied list grows with the supergraph; its granted list is the agreement's.
    const query = 'Query                  household, householdsInCommune, person,       ';
    expect(lines.find((line) => line.startsWith('Query '))?.slice(0, query.length)).toBe(query);
  });

  test('explain of an unknown agreement names the ones there are', async () => {
    expect(await ris('agreements', 'explain', 'muni-99999')).toEqual({
      code: 2,
      out: '',
      err: 'expected the id of an agreement in authz/agreements (fosis, ips, mds-internal, muni-05101, muni-13101), got "muni-99999"\n',
    });
  });
});

describe('ris keys create', () => {
  test('keys create prints the key once, stores only its hash and bumps the version', async () => {
    const dir = demoCopy();
    const file = path.join(dir, 'muni-13101.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const { code, out, err } = await ris('keys', 'create', 'muni-13101', '--dir', dir);
    const key = /^ {4}(ris_[A-Za-z0-9_-]{43})$/m.exec(out)?.[1] ?? '';
    const sha256 = sha256Hex(key);
    expect({ code, err, out: out.replace(key, '<key>') }).toEqual({
      code: 0,
      err: '',
      out: [
        `Created API key k2026a for muni-13101 (Municipalidad de Santiago); version 1 → 2 in ${file}`,
        '',
        '    <key>',
        '',
        "Store it now in the partner's secret store and hand it over by a secure channel: it is shown only",
        `this once, and the agreement file keeps only its SHA-256 (${sha256.slice(0, 12)}…). Running processes`,
        'apply the change within a second; the partner sends it as "Authorization: Bearer <key>".',
        '',
      ].join('\n'),
    });
    const after = fs.readFileSync(file, 'utf8');
    expect(after.includes(key)).toBe(false);
    // Only the version and the new key line differ; comments and alignment are kept.
    expect(after).toBe(
      before
        .replace('version: 1                       #', 'version: 2                       #')
        .replace(/(    - \{ id: demo, sha256: "[0-9a-f]{64}" \}\n)/, `$1    - { id: k2026a, sha256: "${sha256}" }\n`),
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['fosis.yaml', 'ips.yaml', 'mds-internal.yaml', 'muni-05101.yaml', 'muni-13101.yaml']);
  });

  test('a created key authenticates to its agreement once the running registry reloads', async () => {
    const dir = demoCopy();
    const registry = openRegistry({ dir, supergraphSdl: SDL, production: false, debounceMs: 50, log: () => undefined });
    registries.push(registry);
    const reloaded = new Promise<boolean>((resolve) => registry.onChange((event) => resolve(event.applied)));
    const { out } = await ris('keys', 'create', 'ips', '--key-id', 'payroll-2027', '--dir', dir);
    const key = /^ {4}(ris_\S+)$/m.exec(out)?.[1] ?? '';
    expect(await reloaded).toBe(true);
    const found = registry.byApiKey(key);
    expect(found && { agreement: found.agreement.id, version: found.agreement.version, keyId: found.keyId }).toEqual({ agreement: 'ips', version: 2, keyId: 'payroll-2027' });
    expect(registry.byApiKey('demo-ips')?.keyId).toBe('demo');
  });

  test('keys create gives a first key to an agreement that has no credentials yet', async () => {
    const dir = demoCopy();
    const file = path.join(dir, 'fosis.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/credentials:\n(  .*\n)+/, ''));
    const { code, out } = await ris('keys', 'create', 'fosis', '--dir', dir);
    const key = /^ {4}(ris_\S+)$/m.exec(out)?.[1] ?? '';
    const registry = openRegistry({ dir, supergraphSdl: SDL, production: false, watch: false });
    const found = registry.byApiKey(key);
    expect([code, found && { agreement: found.agreement.id, version: found.agreement.version, keyId: found.keyId }]).toEqual([0, { agreement: 'fosis', version: 2, keyId: 'k2026a' }]);
    expect(fs.readFileSync(file, 'utf8')).toContain('# Identity and subsystem membership only');
  });

  test('keys create refuses a key id the agreement already uses, and writes nothing', async () => {
    const dir = demoCopy();
    const before = fs.readFileSync(path.join(dir, 'fosis.yaml'), 'utf8');
    expect(await ris('keys', 'create', 'fosis', '--key-id', 'demo', '--dir', dir)).toEqual({
      code: 2,
      out: '',
      err: '--key-id: expected a key id not yet used by fosis (demo), got "demo"\n',
    });
    expect(fs.readFileSync(path.join(dir, 'fosis.yaml'), 'utf8')).toBe(before);
  });

  test('keys create refuses to change an invalid folder', async () => {
    const dir = demoCopy();
    fs.writeFileSync(path.join(dir, 'fosis.yaml'), fs.readFileSync(path.join(dir, 'fosis.yaml'), 'utf8').replace('kind: INSTITUTION', 'kind: MUNICIPALITY'));
    const before = fs.readFileSync(path.join(dir, 'ips.yaml'), 'utf8');
    expect(await ris('keys', 'create', 'ips', '--dir', dir)).toEqual({
      code: 1,
      out:
        `1 problem in ${dir}:\n` +
        `  ${dir}/fosis.yaml:10: communes: a MUNICIPALITY sees only its own communes: expected a non-empty list of CUT codes like ["13101"], got nothing\n` +
        'no key created: expected a valid folder before changing it\n',
      err: '',
    });
    expect(fs.readFileSync(path.join(dir, 'ips.yaml'), 'utf8')).toBe(before);
  });
});

describe('usage', () => {
  test('an unknown command names the commands there are', async () => {
    expect(await ris('agreement', 'check')).toEqual({
      code: 2,
      out: '',
      err: expect.stringMatching(/\nexpected one of the commands agreements check, agreements explain, keys create, audit verify, audit who-consulted, registers import, registers snapshots, registers export, registers sample, oracle migrate, oracle load, got "agreement"\n$/),
    });
  });

  test('a missing argument says what was expected', async () => {
    expect(await ris('keys', 'create')).toEqual({
      code: 2,
      out: '',
      err: 'usage: ris keys create <agreement-id> [--key-id ID] [--dir D]\nexpected <agreement-id>, got nothing\n',
    });
  });

  test('an unknown option says which options there are', async () => {
    expect(await ris('agreements', 'check', '--folder', 'x')).toEqual({
      code: 2,
      out: '',
      err: 'usage: ris agreements check [--dir D] [--production]\nexpected the options --dir <value>, --production, got "--folder"\n',
    });
  });
});
