import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';

/**
 * Paths for the authorization matrix: for every schema coordinate, the ways to reach it from a
 * root field, each a list of coordinates from Query down to it. The matrix picks, per agreement,
 * the shortest path it grants entirely (so a granted coordinate is really exercised), else the
 * shortest path of all (the denial then lands on the first coordinate the agreement lacks).
 */

export type CoordinatePath = string[];

const MAX_DEPTH = 5;

/** Every simple path (no type visited twice) from Query to each coordinate, shortest first. */
export function pathsToCoordinates(schema: GraphQLSchema): Map<string, CoordinatePath[]> {
  const paths = new Map<string, CoordinatePath[]>();
  const walk = (type: GraphQLObjectType, prefix: CoordinatePath, seen: Set<string>) => {
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const path = [...prefix, coordinate];
      const list = paths.get(coordinate) ?? [];
      list.push(path);
      paths.set(coordinate, list);
      const next = getNamedType(field.type);
      if (isObjectType(next) && !seen.has(next.name) && path.length < MAX_DEPTH) walk(next, path, new Set([...seen, next.name]));
    }
  };
  const query = schema.getQueryType();
  if (!query) throw new Error('schema has no Query type');
  walk(query, [], new Set(['Query']));
  for (const list of paths.values()) list.sort((a, b) => a.length - b.length);
  return paths;
}

/** The path used for an agreement, and the coordinate the agreement is expected to be refused at. */
export function probeFor(paths: CoordinatePath[], grants: ReadonlySet<string>): { path: CoordinatePath; deniedAt: string | null } {
  const granted = paths.find((path) => path.every((coordinate) => grants.has(coordinate)));
  if (granted) return { path: granted, deniedAt: null };
  const path = paths[0];
  return { path, deniedAt: path.find((coordinate) => !grants.has(coordinate)) ?? null };
}

/** Arguments a root field needs, as variable definitions and their use. */
const ROOT_ARGUMENTS: Record<string, { variables: string; args: string }> = {
  'Query.person': { variables: '$run: RUN!', args: '(run: $run)' },
  'Query.persons': { variables: '$run: RUN!', args: '(runs: [$run])' },
  'Query.household': { variables: '$household: ID!', args: '(id: $household)' },
  'Query.householdsInCommune': { variables: '$commune: String!', args: '(communeCode: $commune, first: 5)' },
  'Query.programs': { variables: '', args: '' },
  'Query.program': { variables: '$program: ID!', args: '(code: $program)' },
  'Query.verifyIdentity': { variables: '$run: RUN!, $serial: String!', args: '(run: $run, documentSerial: $serial)' },
};

/** The operation selecting the last coordinate of a path (objects get `__typename`, which no rule guards). */
export function operationFor(schema: GraphQLSchema, path: CoordinatePath): string {
  const root = ROOT_ARGUMENTS[path[0]];
  if (!root) throw new Error(`matrix: no arguments known for root field ${path[0]}; add it to ROOT_ARGUMENTS`);
  const last = path[path.length - 1];
  const [typeName, fieldName] = last.split('.');
  const lastType = getNamedType((schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName].type);
  const lastArgs = path.length === 1 ? root.args : '';
  let selection = isObjectType(lastType) ? `${fieldName}${lastArgs} { __typename }` : `${fieldName}${lastArgs}`;
  for (let i = path.length - 2; i >= 0; i -= 1) {
    const field = path[i].split('.')[1];
    selection = `${field}${i === 0 ? root.args : ''} { ${selection} }`;
  }
  return `query Matrix${root.variables ? `(${root.variables})` : ''} { ${selection} }`;
}
