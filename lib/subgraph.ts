import fs from 'node:fs';
import type http from 'node:http';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { Store } from '../store/types';
import { AuditUnavailableError, type AuditLog } from '../audit/types';
import { RequestAccess } from '../authz/access';
import { CONTEXT_HEADER, ContextError, verifyContext } from '../authz/context';
import { fieldRulesPlugin, guardedSchema } from '../authz/shield';
import { isoDay, standingOn, type AgreementRegistry, type Caller } from '../authz/types';
import type { SubgraphName } from './config';
import { formatError, risError, type ErrorCode } from './errors';
import type { Geography } from './geo';
import { listen, sendJson, type Listening } from './http';
import { fromRoot } from './paths';
import { DateScalar, RunScalar } from './scalars';

/**
 * The one shape every subgraph has (DESIGN.md §8.1): a folder with `schema.graphql`, `resolvers.ts`,
 * `loaders.ts` and `index.ts` exporting a SubgraphModule. This file turns a module into a running
 * Apollo server; the process entry (`subgraphs/serve.ts`) and the tests use the same builder.
 */

/** What every resolver receives. `loaders` and `access` are created anew for each request. */
export interface SubgraphContext<L> {
  store: Store;
  geography: Geography;
  loaders: L;
  /** Who asks (from the verified signed context), their row scope, and what this request returned. */
  access: RequestAccess;
  /** The request id the router assigned (from the signed context). */
  requestId: string;
}

export interface SubgraphModule<L> {
  name: SubgraphName;
  resolvers: GraphQLResolverMap<SubgraphContext<L>>;
  /** Builds this subgraph's per-request loaders. */
  createLoaders(store: Store): L;
}

/** What a subgraph needs to decide and record access. */
export interface SubgraphSecurity {
  registry: AgreementRegistry;
  audit: AuditLog;
  /** The secret the router signs contexts with (lib/config contextSecret). */
  contextSecret: string;
}

export interface SubgraphDeps {
  store: Store;
  geography: Geography;
  security: SubgraphSecurity;
}

export interface BuiltSubgraph<L> {
  name: SubgraphName;
  schema: GraphQLSchema;
  apollo: ApolloServer<SubgraphContext<L>>;
  /** A fresh per-request context for a caller whose signed context has been verified. */
  context(caller: Caller): SubgraphContext<L>;
  stop(): Promise<void>;
}

/** The SDL file of a subgraph, parsed. */
export function subgraphTypeDefs(name: SubgraphName) {
  return parse(fs.readFileSync(fromRoot('subgraphs', name, 'schema.graphql'), 'utf8'));
}

export interface BuildOptions {
  /**
   * Field rules (graphql-shield). Always on in every process entry; turned off only by the
   * benchmarks (bench/, scenario S4) to measure what authorization costs. Not configurable.
   */
  fieldRules?: boolean;
}

export async function buildSubgraph<L>(
  module: SubgraphModule<L>,
  deps: SubgraphDeps,
  options: BuildOptions = {},
): Promise<BuiltSubgraph<L>> {
  const plain = buildSubgraphSchema({
    typeDefs: subgraphTypeDefs(module.name),
    resolvers: { RUN: RunScalar, Date: DateScalar, ...module.resolvers } as GraphQLResolverMap<unknown>,
  });
  const fieldRules = options.fieldRules !== false;
  const schema = fieldRules ? guardedSchema(plain) : plain;
  const apollo = new ApolloServer<SubgraphContext<L>>({
    schema,
    formatError: (formatted, error) => formatError(formatted, error),
    includeStacktraceInErrorResponses: false,
    // The router reports no traces to Apollo Studio and nothing here uses cache hints: both plugins
    // would hook every field resolution for nothing (bench S4: ~45% of a 1,000-person query).
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...(fieldRules ? [fieldRulesPlugin<SubgraphContext<L>>(schema)] : []),
      accessAuditPlugin<L>(module.name, deps.security.audit),
    ],
  });
  await apollo.start();
  return {
    name: module.name,
    schema,
    apollo,
    context: (caller) => ({
      store: deps.store,
      geography: deps.geography,
      loaders: module.createLoaders(deps.store),
      access: new RequestAccess(caller, deps.store),
      requestId: caller.requestId,
    }),
    stop: () => apollo.stop(),
  };
}

/**
 * Writes this subgraph's access record (entity keys returned, coordinates resolved) before the
 * response leaves; when the record cannot be written the response carries AUDIT_UNAVAILABLE and
 * no data at all.
 */
function accessAuditPlugin<L>(process: string, audit: AuditLog): ApolloServerPlugin<SubgraphContext<L>> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          const { access } = contextValue;
          const { caller } = access;
          const codes = [...new Set((response.body.singleResult.errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          try {
            await audit.append({
              kind: 'access',
              process,
              requestId: caller.requestId,
              agreementId: caller.agreement.id,
              agreementVersion: caller.agreement.version,
              institution: caller.agreement.institution.code,
              endUser: caller.endUser,
              purpose: caller.purpose,
              caseRef: caller.caseRef,
              runs: [...access.runs].sort(),
              householdIds: [...access.householdIds].sort((a, b) => a - b).map(String),
              coordinates: [...access.coordinates].sort(),
              outcome: codes.length ? codes.join(',') : 'ok',
            });
          } catch (error) {
            const reason = error instanceof AuditUnavailableError ? error.message : String(error);
            console.error(`audit: access record of request ${caller.requestId} not written: ${reason}`);
            response.body.singleResult = {
              errors: [{ message: 'the audit trail cannot be written, so no data is returned; retry later', extensions: { code: 'AUDIT_UNAVAILABLE' } }],
            };
            response.http.status = 503;
          }
        },
      };
    },
  };
}

function refusal(code: ErrorCode, status: number, message: string): GraphQLError {
  return risError(code, message, { http: { status } });
}

/**
 * The caller of an HTTP request, from the router's signed context: verified signature and
 * expiry, an agreement this process knows at the same version, in force today. Anything else is
 * refused before the operation is even parsed.
 */
export async function callerFromRequest(req: http.IncomingMessage, security: SubgraphSecurity): Promise<Caller> {
  const header = req.headers[CONTEXT_HEADER];
  let claims;
  try {
    claims = await verifyContext(typeof header === 'string' ? header : undefined, security.contextSecret);
  } catch (error) {
    if (error instanceof ContextError) throw refusal('UNAUTHENTICATED', 401, error.message);
    throw error;
  }
  const agreement = security.registry.get(claims.agreementId);
  if (!agreement) {
    throw refusal('UNAUTHENTICATED', 401, `expected a signed context for a known agreement, got ${JSON.stringify(claims.agreementId)}`);
  }
  if (agreement.version !== claims.agreementVersion) {
    throw refusal(
      'UNAUTHENTICATED',
      401,
      `agreement ${agreement.id} changed while the request was in flight (version ${claims.agreementVersion} signed, ${agreement.version} in force); retry`,
    );
  }
  const standing = standingOn(agreement, isoDay());
  if (standing !== 'active') throw refusal('FORBIDDEN', 403, `agreement ${agreement.id} is ${standing.replace(/-/g, ' ')}`);
  return {
    agreement,
    purpose: claims.purpose,
    endUser: claims.endUser,
    caseRef: claims.caseRef,
    requestId: claims.requestId,
  };
}

/** Serves a built subgraph at `/graphql` with a `/healthz` that checks the store answers. */
export function serveSubgraph<L>(built: BuiltSubgraph<L>, deps: SubgraphDeps, host: string, port: number): Promise<Listening> {
  return listen({
    apollo: built.apollo,
    context: async (req) => built.context(await callerFromRequest(req, deps.security)),
    host,
    port,
    routes: {
      '/healthz': async (_req, res) => {
        try {
          await deps.store.ping();
          sendJson(res, 200, { status: 'ok', subgraph: built.name });
        } catch {
          sendJson(res, 503, { status: 'unavailable', subgraph: built.name, reason: 'store does not answer' });
        }
      },
    },
  });
}
