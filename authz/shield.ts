import {
  defaultFieldResolver,
  isAbstractType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
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

/**
 * The coordinates ("Type.field") an operation document can resolve: every field of the operation
 * and of every fragment in it, whatever @skip/@include say (over-approximation is safe); a field
 * selected on an abstract type counts for each of its possible types. Introspection fields have no
 * rules. `null` when a field's parent type cannot be determined (then nothing is proved).
 */
export function selectedCoordinates(schema: GraphQLSchema, document: DocumentNode): ReadonlySet<string> | null {
  const typeInfo = new TypeInfo(schema);
  const coordinates = new Set<string>();
  let complete = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        if (name.startsWith('__')) return;
        const parent = typeInfo.getParentType();
        if (!parent) {
          complete = false;
          return;
        }
        const types = isAbstractType(parent) ? schema.getPossibleTypes(parent) : [parent];
        for (const type of types) coordinates.add(`${type.name}.${name}`);
      },
    }),
  );
  return complete ? coordinates : null;
}

/** Fields the rule tree allows for every caller (FEDERATION_FIELDS). */
const ALWAYS_ALLOWED = new Set(['Query._entities', 'Query._service', '_Service.sdl']);

/**
 * The subgraph schema with graphql-shield applied where it can matter. graphql-shield wraps every
 * field resolution in asynchronous rule evaluation, which on long lists costs several times the
 * work of the resolvers themselves (bench S4). But our rules depend only on the agreement, never
 * on the parent, so the decision for a whole operation can be proved before execution:
 * - `fieldRulesPlugin` checks every coordinate the operation can resolve against the agreement;
 * - when all are granted, each field resolves directly (recording its coordinate for the audit);
 * - when any is not, every field of the request resolves through the graphql-shield rule tree,
 *   which produces the FORBIDDEN errors exactly as it always does.
 * So graphql-shield remains the one place a field is denied; the proof only skips it when it
 * could deny nothing.
 */
export function guardedSchema(plain: GraphQLSchema): GraphQLSchema {
  const shielded = withShield(plain);
  for (const type of Object.values(plain.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const shieldedFields = (shielded.getType(type.name) as GraphQLObjectType).getFields();
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const direct: GraphQLFieldResolver<unknown, ShieldContext> = field.resolve ?? defaultFieldResolver;
      const ruled = shieldedFields[field.name].resolve as GraphQLFieldResolver<unknown, ShieldContext>;
      field.resolve = (parent, args, context: ShieldContext, info) => {
        if (context.access.fieldRulesNeeded) return ruled(parent, args, context, info);
        context.access.coordinates.add(coordinate);
        return direct(parent, args, context, info);
      };
    }
  }
  return plain;
}

/** Decides, once per request before execution, whether the field rules must run (see guardedSchema). */
export function fieldRulesPlugin<C extends ShieldContext>(schema: GraphQLSchema): ApolloServerPlugin<C> {
  const proofs = new WeakMap<DocumentNode, ReadonlySet<string> | null>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          let coordinates = proofs.get(document);
          if (coordinates === undefined) {
            coordinates = selectedCoordinates(schema, document);
            proofs.set(document, coordinates);
          }
          const { grants } = contextValue.access.caller.agreement;
          contextValue.access.fieldRulesNeeded =
            coordinates === null || [...coordinates].some((coordinate) => !grants.has(coordinate) && !ALWAYS_ALLOWED.has(coordinate));
        },
      };
    },
  };
}
