import Database from 'better-sqlite3';
import { formatRun } from '../lib/run';
import { createLoaders as personsLoaders } from '../subgraphs/persons/loaders';
import { createLoaders as householdsLoaders } from '../subgraphs/households/loaders';
import { createLoaders as registersLoaders } from '../subgraphs/registers/loaders';
import { createLoaders as benefitsLoaders } from '../subgraphs/benefits/loaders';
import { addHousehold } from '../test/support/fixtures';
import { createTestRegister } from '../test/support/register';
import { startStack } from '../test/support/stack';
import { HOUSEHOLD_GRAPH_QUERY } from './support/queries';
import type { BenchContext, Row, ScenarioResult } from './support/types';

/**
 * S3 no N+1: SQL statements per household graph query for households of 1, 5 and 20 members
 * (goal: the same count, ratio 1.0), and the statements a loader sends for 999, 1000, 1001 and
 * 5000 keys asked in one tick (goal: ceil(n/1000)). Counting needs the store object, so the whole
 * stack runs in this process (test/support/stack.ts: real subgraphs and router over HTTP) on a
 * register generated for the scenario, with one 20-member household added (test/support/fixtures.ts).
 */

const REGISTER_HOUSEHOLDS = 5_000;
const SAMPLES_PER_SIZE = 3;
const BULK_SIZES = [999, 1000, 1001, 5000];

export async function runS3(ctx: BenchContext): Promise<ScenarioResult> {
  let twenty: number[] = [];
  ctx.log(`generating an in-process register of ${REGISTER_HOUSEHOLDS} households with ${SAMPLES_PER_SIZE} added 20-member households`);
  const register = await createTestRegister(REGISTER_HOUSEHOLDS, 2017, (writer) => {
    twenty = Array.from({ length: SAMPLES_PER_SIZE }, () => addHousehold(writer, 20));
  });
  const rows: Row[] = [];
  const ratios: ScenarioResult['ratios'] = [];
  try {
    const bySize = (size: number) =>
      (register.db.prepare(`SELECT household_id AS id FROM household_member GROUP BY household_id HAVING count(*) = ?
        ORDER BY (household_id IN (SELECT household_id FROM payment)) DESC, household_id LIMIT ?`).all(size, SAMPLES_PER_SIZE) as { id: number }[]).map((r) => r.id);
    const households: Record<string, number[]> = { '1': bySize(1), '5': bySize(5), '20': twenty };
    const stack = await startStack(register);
    const perSize: Record<string, number[]> = {};
    try {
      for (const [size, ids] of Object.entries(households)) {
        perSize[size] = [];
        for (const id of ids) {
          const before = register.store.statementCount;
          const response = await stack.post({ query: HOUSEHOLD_GRAPH_QUERY, variables: { id: String(id) } });
          if (response.status !== 200 || response.body.errors) throw new Error(`household ${id}: ${JSON.stringify(response.body.errors ?? response.status)}`);
          const members = response.body.data.household.members.length;
          if (members !== Number(size)) throw new Error(`household ${id}: expected ${size} members, got ${members}`);
          perSize[size].push(register.store.statementCount - before);
        }
        rows.push({ label: `household graph query, ${size}-member households (${ids.join(', ')}): SQL statements each`, value: perSize[size][0], unit: `statements (all: ${perSize[size].join(', ')})` });
        ctx.log(`${size}-member households: ${perSize[size].join(', ')} statements`);
      }
    } finally {
      await stack.stop();
    }
    const max = (size: string) => Math.max(...perSize[size]);
    const min = (size: string) => Math.min(...perSize[size]);
    const ratio20 = max('20') / min('1');
    const ratio5 = max('5') / min('1');
    ratios.push({ label: 'statements, 20-member / 1-member household (household graph query)', value: ratio20, goal: '= 1.0', met: ratio20 === 1 && min('20') / max('1') === 1 });
    ratios.push({ label: 'statements, 5-member / 1-member household', value: ratio5, goal: '= 1.0', met: ratio5 === 1 && min('5') / max('1') === 1 });

    // Bulk: every loader of each subgraph asked for n keys in one tick.
    const db = new Database(register.file, { readonly: true });
    const runs = (db.prepare('SELECT run FROM person ORDER BY run LIMIT 5000').all() as { run: number }[]).map((r) => formatRun(r.run));
    const ids = (db.prepare('SELECT id FROM household ORDER BY id LIMIT 5000').all() as { id: number }[]).map((r) => r.id);
    db.close();
    if (runs.length < 5000 || ids.length < 5000) throw new Error(`expected 5,000 persons and households, got ${runs.length} and ${ids.length}`);
    const range = { from: null, to: null };
    const loaders: Record<string, (n: number) => Promise<unknown>> = {
      'persons.personByRun': (n) => { const l = personsLoaders(register.store); return Promise.all(runs.slice(0, n).map((k) => l.personByRun.load(k))); },
      'households.householdById': (n) => { const l = householdsLoaders(register.store); return Promise.all(ids.slice(0, n).map((k) => l.householdById.load(k))); },
      'households.membersByHouseholdId': (n) => { const l = householdsLoaders(register.store); return Promise.all(ids.slice(0, n).map((k) => l.membersByHouseholdId.load(k))); },
      'registers.disability': (n) => { const l = registersLoaders(register.store); return Promise.all(runs.slice(0, n).map((k) => l.disability.load(k))); },
      'registers.emergencyRecords': (n) => { const l = registersLoaders(register.store); return Promise.all(runs.slice(0, n).map((k) => l.emergencyRecords.load(k))); },
      'benefits.grantsByRun': (n) => { const l = benefitsLoaders(register.store); return Promise.all(runs.slice(0, n).map((k) => l.grantsByRun.load(k))); },
      'benefits.paymentsByHousehold': (n) => { const l = benefitsLoaders(register.store).paymentsByHousehold(range); return Promise.all(ids.slice(0, n).map((k) => l.load(k))); },
    };
    let allMet = true;
    const table: string[] = [];
    for (const n of BULK_SIZES) {
      const expected = Math.ceil(n / 1000);
      const counts: string[] = [];
      for (const [name, load] of Object.entries(loaders)) {
        const before = register.store.statementCount;
        await load(n);
        const statements = register.store.statementCount - before;
        if (statements !== expected) allMet = false;
        counts.push(`${name} ${statements}`);
      }
      const distinct = [...new Set(counts.map((c) => Number(c.split(' ')[1])))];
      rows.push({ label: `loaders asked for ${n} keys in one tick: statements per loader (expected ceil(n/1000) = ${expected})`, value: distinct.length === 1 ? distinct[0] : NaN, unit: `statements (${counts.join('; ')})` });
      table.push(`${n}: ${distinct.join('/')}`);
      ctx.log(`${n} keys: ${counts.join(', ')}`);
    }
    ratios.push({ label: `bulk loaders: statements = ceil(n/1000) for n = ${BULK_SIZES.join(', ')} (${Object.keys(loaders).length} loaders; 1 = every one exact)`, value: allMet ? 1 : 0, goal: '= 1 (all exact)', met: allMet });
  } finally {
    await register.close();
  }
  return {
    id: 's3',
    title: 'S3 no N+1: SQL statements per household graph query and per bulk loader call',
    rows,
    ratios,
    notes: [
      `In-process (test/support/stack.ts: the four real subgraphs and the router over HTTP on free ports, demo agreements, real SQLite audit trail) over a register of ${REGISTER_HOUSEHOLDS.toLocaleString('en')} households (seed 2017) plus ${SAMPLES_PER_SIZE} households of 20 members added by test/support/fixtures.ts addHousehold; the counts are SqliteStore.statementCount of the one store all four subgraphs share, so they are the statements of the whole federated query.`,
      'The household graph query is the README\'s HouseholdGraph (every register and benefit field of every member, plus payments); each answer is checked to have the expected number of members and no errors. Households of 1 and 5 members are the first ones with payments.',
      'Bulk: one loader instance per measurement, n distinct keys loaded in the same tick (Promise.all of load()); the store binds each batch of at most 1,000 keys as one JSON parameter (json_each), so one statement per batch whatever n.',
    ],
  };
}
