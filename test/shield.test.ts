import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { selectedCoordinates } from '../authz/shield';
import { subgraphTypeDefs } from '../lib/subgraph';

/**
 * The proof that lets an operation skip the graphql-shield evaluation: the coordinates it can
 * resolve. It must never miss one (a missed coordinate would skip a denial), so these tests cover
 * every way a field can be selected.
 */

const schema = buildSubgraphSchema({ typeDefs: subgraphTypeDefs('persons') });

const coordinates = (query: string) => {
  const set = selectedCoordinates(schema, parse(query));
  return set === null ? null : [...set].sort();
};

test('the coordinates of fields selected directly, in fragments and in inline fragments are all counted', () => {
  expect(
    coordinates(`query { a: person(run: "1-9") { ...F ... on Person { contact { email } } } }
      fragment F on Person { run address { commune { region { name } } } }`),
  ).toEqual(['Address.commune', 'Commune.region', 'Contact.email', 'Person.address', 'Person.contact', 'Person.run', 'Query.person', 'Region.name']);
});

test('fields under @skip or @include and in unused fragments count too (over-approximation is safe)', () => {
  expect(coordinates('query { person(run: "1-9") { run birthDate @skip(if: true) } } fragment Unused on Person { sex }')).toEqual([
    'Person.birthDate',
    'Person.run',
    'Person.sex',
    'Query.person',
  ]);
});

test('a field selected through the _Entity union counts for the entity type, and introspection fields count for nothing', () => {
  expect(coordinates('query ($r: [_Any!]!) { __typename _entities(representations: $r) { __typename ... on Person { givenNames } } }')).toEqual([
    'Person.givenNames',
    'Query._entities',
  ]);
});
