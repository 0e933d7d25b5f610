import { isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield/typings/types';
import { risError } from '../lib/errors';
import type { RequestAccess } from './access';

/**
 * Field authorization of a subgraph: a graphql-shield rule tree compiled from the subgraph's own
 * schema, one rule per object field ("Type.field"), allowing it only when the caller's agreement
 * grants that coordinate. Deny by default: `fallbackRule: deny` covers anything not compiled.
 *
 * - Rules look only at the agreement, never at the parent, so `contextual` caching (once per
 *   request per coordinate) is safe; row scope is enforced in the resolvers (authz/access.ts).
 * - The federation fields (_entities, _service, _Service.sdl) are allowed explicitly: the signed
 *   context has already been verified when the request got a context at all, and every field of
 *   an entity returned by _entities is checked by its own rule.
 * - `allowExternalErrors`: an error thrown by a resolver is reported as itself, not disguised as
 *   a denial (and lib/errors masks it as INTERNAL_SERVER_ERROR if it is not one of ours).
 */

/** The context shape the rules read. */
interface ShieldContext {
  access: RequestAccess;
}

const FEDERATION_FIELDS: IRules = {
  Query: { _entities: allow, _service: allow },
  _Service: { sdl: allow },
};

function coordinateRule(coordinate: string) {
  return rule(`grant ${coordinate}`, { cache: 'contextual' })((_parent, _args, context: ShieldContext) => {
    const { agreement } = context.access.caller;
    if (agreement.grants.has(coordinate)) {
      context.access.coordinates.add(coordinate);
      return true;
    }
    return risError(
      'FORBIDDEN',
      `${coordinate} is outside agreement ${agreement.id} (version ${agreement.version}): expected a field the agreement grants`,
    );
  });
}

/** The rule tree of a schema: every field of every object type, federation fields explicit. */
export function ruleTree(schema: GraphQLSchema): IRules {
  const tree: Record<string, Record<string, unknown>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fields: Record<string, unknown> = {};
    for (const field of Object.keys(type.getFields())) fields[field] = coordinateRule(`${type.name}.${field}`);
    tree[type.name] = fields;
  }
  for (const [type, fields] of Object.entries(FEDERATION_FIELDS as Record<string, Record<string, unknown>>)) {
    if (tree[type]) Object.assign(tree[type], fields);
  }
  return tree as IRules;
}

/** The schema with the shield applied. */
export function withShield(schema: GraphQLSchema): GraphQLSchema {
  const permissions = shield(ruleTree(schema), {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: () => risError('FORBIDDEN', 'expected a field some agreement may grant, got one no rule covers'),
  });
  return applyMiddleware(schema, permissions);
}
