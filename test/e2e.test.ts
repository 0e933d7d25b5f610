import { formatRun } from '../lib/run';
import { createTestRegister, type TestRegister } from './support/register';
import { addHousehold } from './support/fixtures';
import { startStack, type Stack } from './support/stack';
import { ADDRESS_FIELDS, addressJson, iso, pick } from './support/expected';

/**
 * End to end over HTTP: the router in front of the four real subgraphs, on a generated register.
 * Expected answers are read from the database the generator wrote, never written by hand.
 */

let register: TestRegister;
let stack: Stack;
let twentyMemberHousehold: number;

beforeAll(async () => {
  register = await createTestRegister(1500, 17, (writer) => {
    twentyMemberHousehold = addHousehold(writer, 20);
  });
  stack = await startStack(register);
});

afterAll(async () => {
  await stack.stop();
  await register.close();
});

const HOUSEHOLD_GRAPH = `query HouseholdGraph($id: ID!) {
  household(id: $id) {
    id cseBracket size registeredOn ${ADDRESS_FIELDS}
    head { run }
    members {
      relationship
      person {
        run givenNames paternalSurname maternalSurname birthDate sex
        disability { degree source asOf }
        indigenousStatus { people }
        healthInsurance { insurer bracket }
        streetSituation { since }
        emergencyRecords { event occurredOn commune { code } }
        benefits { program { code name } status grantedOn amount }
        subsystemMembership { subsystem since active }
      }
    }
    payments { period program { code name } individualAmount totalAmount payee { run givenNames } method }
  }
}`;

function householdGraphJson(id: number) {
  const db = register.db;
  const all = (sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as Record<string, any>[];
  const one = (sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as Record<string, any> | undefined;
  const household = one('SELECT * FROM household WHERE id = ?', id)!;
  const members = all('SELECT m.run, m.relationship, p.* FROM household_member m JOIN person p ON p.run = m.run WHERE m.household_id = ? ORDER BY m.ordinal', id);
  const programName = (code: string) => one('SELECT name FROM program WHERE code = ?', code)!.name as string;
  const person = (m: Record<string, any>) => {
    const disability = one('SELECT * FROM disability_record WHERE run = ?', m.run);
    const indigenous = one('SELECT * FROM indigenous_record WHERE run = ?', m.run);
    const health = one('SELECT * FROM health_insurance WHERE run = ?', m.run);
    const street = one('SELECT * FROM street_situation_record WHERE run = ?', m.run);
    const subsystem = one('SELECT * FROM subsystem_membership WHERE run = ?', m.run);
    return {
      run: formatRun(m.run),
      givenNames: m.given_names,
      paternalSurname: m.paternal_surname,
      maternalSurname: m.maternal_surname,
      birthDate: iso(m.birth_date),
      sex: m.sex === 'F' ? 'FEMALE' : 'MALE',
      disability: disability ? { degree: disability.degree, source: disability.source, asOf: iso(disability.as_of) } : null,
      indigenousStatus: indigenous ? { people: indigenous.people } : null,
      healthInsurance: health ? { insurer: health.insurer, bracket: health.bracket } : null,
      streetSituation: street ? { since: iso(street.since) } : null,
      emergencyRecords: all('SELECT * FROM emergency_record WHERE run = ? ORDER BY occurred_on, id', m.run).map((e) => ({
        event: e.event, occurredOn: iso(e.occurred_on), commune: { code: e.commune_code },
      })),
      benefits: all('SELECT * FROM benefit_grant WHERE run = ? ORDER BY granted_on, id', m.run).map((g) => ({
        program: { code: g.program_code, name: programName(g.program_code) }, status: g.status, grantedOn: iso(g.granted_on), amount: g.amount,
      })),
      subsystemMembership: subsystem ? { subsystem: subsystem.subsystem, since: iso(subsystem.since), active: subsystem.active === 1 } : null,
    };
  };
  const head = members.find((m) => m.relationship === 'HEAD');
  return {
    household: {
      id: String(id),
      cseBracket: household.cse_bracket,
      size: members.length,
      registeredOn: iso(household.registered_on),
      address: addressJson(db, household as any),
      head: head ? { run: formatRun(head.run) } : null,
      members: members.map((m) => ({ relationship: m.relationship, person: person(m) })),
      payments: all('SELECT * FROM payment WHERE household_id = ? ORDER BY period, id', id).map((p) => ({
        period: `${Math.floor(p.period / 100)}-${String(p.period % 100).padStart(2, '0')}`,
        program: { code: p.program_code, name: programName(p.program_code) },
        individualAmount: p.individual_amount,
        totalAmount: p.total_amount,
        payee: p.payee_run === null ? null : { run: formatRun(p.payee_run), givenNames: one('SELECT given_names FROM person WHERE run = ?', p.payee_run)!.given_names },
        method: p.method,
      })),
    },
  };
}

/** A household of exactly `size` members that has payments when one exists, else any. */
function householdOfSize(size: number): number {
  return pick(register.db, `SELECT household_id FROM household_member GROUP BY household_id HAVING count(*) = ?
    ORDER BY (household_id IN (SELECT household_id FROM payment)) DESC, household_id LIMIT 1`, size);
}

test('the household graph query spans the four subgraphs and returns exactly the rows the generator created', async () => {
  const id = pick(register.db, `SELECT household_id FROM household_member WHERE household_id IN (SELECT household_id FROM payment)
    AND run IN (SELECT run FROM benefit_grant) GROUP BY household_id HAVING count(*) >= 4 ORDER BY household_id LIMIT 1`);
  const response = await stack.post({ query: HOUSEHOLD_GRAPH, variables: { id: String(id) } });
  expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { data: householdGraphJson(id) } });
});

test('the household graph query of a 20-member household returns every member with their registers and benefits', async () => {
  const response = await stack.post({ query: HOUSEHOLD_GRAPH, variables: { id: String(twentyMemberHousehold) } });
  expect(response.body).toEqual({ data: householdGraphJson(twentyMemberHousehold) });
});

test('the household graph query sends the same number of SQL statements for households of 1, 5 and 20 members', async () => {
  const statements: Record<string, number> = {};
  for (const [label, id] of [['1', householdOfSize(1)], ['5', householdOfSize(5)], ['20', twentyMemberHousehold]] as const) {
    const before = register.store.statementCount;
    const response = await stack.post({ query: HOUSEHOLD_GRAPH, variables: { id: String(id) } });
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    statements[label] = register.store.statementCount - before;
  }
  expect(new Set(Object.values(statements)).size).toBe(1);
  expect(statements).toEqual({ 1: statements['1'], 5: statements['1'], 20: statements['1'] });
});

test('person → household → members resolves across subgraphs from a RUN', async () => {
  const member = register.db.prepare("SELECT run, household_id AS id FROM household_member WHERE relationship = 'SPOUSE_OR_PARTNER' ORDER BY run LIMIT 1").get() as { run: number; id: number };
  const response = await stack.post({
    query: 'query ($run: RUN!) { person(run: $run) { run household { id members { relationship person { run } } } } }',
    variables: { run: formatRun(member.run) },
  });
  const members = (register.db.prepare('SELECT run, relationship FROM household_member WHERE household_id = ? ORDER BY ordinal').all(member.id) as { run: number; relationship: string }[])
    .map((m) => ({ relationship: m.relationship, person: { run: formatRun(m.run) } }));
  expect(response.body).toEqual({ data: { person: { run: formatRun(member.run), household: { id: String(member.id), members } } } });
});

test('a RUN with a wrong check digit sent through the router is refused with BAD_USER_INPUT and no person', async () => {
  const response = await stack.post({ query: '{ person(run: "12.345.678-9") { run } }' });
  expect({ status: response.status, codes: response.body.errors.map((e: any) => e.extensions.code), data: response.body.data }).toEqual({
    status: 200, codes: ['BAD_USER_INPUT'], data: { person: null },
  });
});
