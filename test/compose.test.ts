import fs from 'node:fs';
import { buildASTSchema, parse } from 'graphql';
import { composeSupergraph, SUPERGRAPH_FILE } from '../schema/compose';

describe('the committed supergraph', () => {
  const fresh = composeSupergraph();
  const committed = fs.existsSync(SUPERGRAPH_FILE) ? fs.readFileSync(SUPERGRAPH_FILE, 'utf8') : '';

  test('equals a fresh composition of supergraph.yaml (run `npm run compose` when this fails)', () => {
    const stale = committed !== fresh.supergraphSdl;
    expect({ stale, fix: stale ? 'run `npm run compose` and commit schema/supergraph.graphql' : 'none' }).toEqual({
      stale: false,
      fix: 'none',
    });
  });

  test('holds every root field of the API contract with its arguments', () => {
    const query = buildASTSchema(parse(fresh.supergraphSdl)).getQueryType();
    const fields = Object.fromEntries(
      ['person', 'persons', 'household', 'householdsInCommune', 'programs', 'program'].map((name) => {
        const field = query?.getFields()[name];
        return [name, field ? `${field.args.map((arg) => `${arg.name}: ${String(arg.type)}`).join(', ')} => ${String(field.type)}` : 'missing'];
      }),
    );
    expect(fields).toEqual({
      person: 'run: RUN! => Person',
      persons: 'runs: [RUN!]! => [Person]!',
      household: 'id: ID! => Household',
      householdsInCommune: 'communeCode: String!, first: Int, after: String => HouseholdConnection!',
      programs: 'ministry: String => [Program!]!',
      program: 'code: ID! => Program',
    });
  });
});
