import fs from 'node:fs';
import { buildASTSchema, parse, validate } from 'graphql';
import { loadConfig } from '../lib/config';
import { fromRoot } from '../lib/paths';
import { exampleRecords } from '../data/generate';
import { SUPERGRAPH_FILE } from '../router/index';
import { createTestRegister, type TestRegister } from './support/register';

/**
 * The README's example records are what a newcomer pastes first: they must exist in the register
 * `npm start` generates by default (same size, same seed).
 */

let register: TestRegister;

beforeAll(async () => {
  const { households, seed } = loadConfig({});
  register = await createTestRegister(households, seed);
});

afterAll(() => register.close());

test('the README names the example records of the default register', () => {
  const readme = fs.readFileSync(fromRoot('README.md'), 'utf8');
  const examples = exampleRecords(register.db);
  const rows: Record<string, string> = {
    santiago: `| household in Santiago (13101) | household \`${examples.santiagoHousehold?.id}\`, head \`${examples.santiagoHousehold?.headRun}\` |`,
    valparaiso: `| household in Valparaíso (05101) | household \`${examples.valparaisoHousehold?.id}\`, head \`${examples.valparaisoHousehold?.headRun}\` |`,
    largest: `| largest household (${examples.largestHousehold?.size} members) | household \`${examples.largestHousehold?.id}\`, head \`${examples.largestHousehold?.headRun}\` |`,
    disability: `| person in the disability register | \`${examples.disabilityRun}\` |`,
    subsystem: `| person in Seguridades y Oportunidades | \`${examples.subsystemRun}\` |`,
    payee: `| payee of payroll payments | \`${examples.payeeRun}\` |`,
  };
  const serial = (register.db.prepare('SELECT document_serial AS s FROM civil_identity WHERE run = ?').get(Number(examples.subsystemRun?.split('-')[0])) as { s: string }).s;
  Object.assign(rows, { identity: `verifyIdentity(run: "${examples.subsystemRun}", documentSerial: "${serial}")` });
  const missing = Object.entries(rows).filter(([, row]) => !readme.includes(row)).map(([name, row]) => `${name}: ${row}`);
  expect(missing).toEqual([]);
});

test('every GraphQL example in the README is valid against the committed supergraph', () => {
  const readme = fs.readFileSync(fromRoot('README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]);
  const schema = buildASTSchema(parse(fs.readFileSync(SUPERGRAPH_FILE, 'utf8')));
  const invalid = blocks.flatMap((block) => validate(schema, parse(block)).map((error) => `${error.message} in:\n${block}`));
  expect({ blocks: blocks.length, invalid }).toEqual({ blocks: 6, invalid: [] });
});
