import net from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLScalarType, Kind, parse } from 'graphql';
import { createApiKeyMatcher, createDigestMatcher, sha256Hex } from '../../authz/keys';
import type { Agreement, AgreementRegistry, AgreementSet } from '../../authz/types';
import { DEVELOPMENT_CONTEXT_SECRET } from '../../lib/config';
import { badInput, formatError, limitExceeded } from '../../lib/errors';
import { listen, sendJson, type Listening } from '../../lib/http';
import { parseRun, RunFormatError } from '../../lib/run';
import type { RouterOptions } from '../../router/index';
import { MemoryAuditLog } from './access';

export { MemoryAuditLog };

/**
 * Fixtures for the router's tests: four small stand-in subgraphs (persons, households, registers,
 * benefits) served in-process on free ports and composed into a test supergraph, agreements built
 * in code with an in-memory registry over them, and an in-memory audit log that can be made to
 * fail. The stand-ins keep only what the router's behaviours need: entities across subgraphs,
 * coded errors, and every header they were sent.
 */

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

export const SDL: Record<string, string> = {
  persons: `${FEDERATION}
    scalar RUN
    type Query { person(run: RUN!): Person  persons(runs: [RUN!]!): [Person]! }
    type Person @key(fields: "run") { run: RUN!  givenNames: String! }`,
  households: `${FEDERATION}
    scalar RUN
    type Query { household(id: ID!): Household }
    type Household @key(fields: "id") { id: ID!  size: Int! }
    type Person @key(fields: "run") { run: RUN!  household: Household }`,
  registers: `${FEDERATION}
    scalar RUN
    type Person @key(fields: "run") { run: RUN!  disabilityDegree: String }`,
  benefits: `${FEDERATION}
    type Query { programs: [String!]! }`,
};

/** The RUN scalar as the real subgraphs define it: a wrong check digit is BAD_USER_INPUT. */
const RUN = new GraphQLScalarType({
  name: 'RUN',
  serialize: (value) => value,
  parseValue: (value) => {
    try {
      return parseRun(value);
    } catch (error) {
      throw error instanceof RunFormatError ? badInput(error.message) : error;
    }
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) throw badInput(`expected a RUN as a string like "12.345.678-5", got ${node.kind}`);
    return parseRun(node.value);
  },
});

/** The resolver map buildSubgraphSchema takes (its type is not exported by @apollo/subgraph). */
type Resolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers']>;

const RESOLVERS: Record<string, Resolvers> = {
  persons: {
    RUN,
    Query: {
      person: (_: unknown, { run }: { run: string }) => ({ run, givenNames: 'MARÍA JOSÉ' }),
      persons: (_: unknown, { runs }: { runs: string[] }) => {
        if (runs.length > 2) throw limitExceeded(`expected at most 2 RUNs, got ${runs.length}`);
        return runs.map((run) => ({ run, givenNames: 'MARÍA JOSÉ' }));
      },
    },
  },
  households: {
    RUN,
    Query: { household: (_: unknown, { id }: { id: string }) => ({ id, size: 3 }) },
    Person: { household: ({ run }: { run: string }) => ({ id: `H${run.slice(0, 3)}`, size: 3 }) },
  },
  registers: { RUN, Person: { disabilityDegree: () => 'MODERATE' } },
  benefits: { Query: { programs: () => ['PROGRAMA FAMILIAS'] } },
};

/** What a stand-in subgraph saw of the router's requests to /graphql, one entry per request. */
export interface Seen {
  headers: IncomingHttpHeaders[];
  /** Client end (port) of each request's TCP connection. */
  connections: number[];
}

export interface StandIn {
  listening: Listening;
  seen: Seen;
  close(): Promise<void>;
}

async function startStandIn(name: string): Promise<StandIn> {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(SDL[name]), resolvers: RESOLVERS[name] }),
    formatError: (formatted, error) => formatError(formatted, error, () => undefined),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const seen: Seen = { headers: [], connections: [] };
  const listening = await listen({
    apollo,
    context: async (req) => {
      seen.headers.push({ ...req.headers });
      seen.connections.push(req.socket.remotePort ?? -1);
      return {};
    },
    host: '127.0.0.1',
    port: 0,
    routes: { '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }) },
  });
  return { listening, seen, close: async () => { await listening.close(); await apollo.stop(); } };
}

export type StandIns = Record<'persons' | 'households' | 'registers' | 'benefits', StandIn>;

export async function startStandIns(): Promise<StandIns> {
  const started: Partial<StandIns> = {};
  for (const name of ['persons', 'households', 'registers', 'benefits'] as const) started[name] = await startStandIn(name);
  return started as StandIns;
}

export function standInUrls(standIns: StandIns): Record<keyof StandIns, string> {
  return {
    persons: standIns.persons.listening.url,
    households: standIns.households.listening.url,
    registers: standIns.registers.listening.url,
    benefits: standIns.benefits.listening.url,
  };
}

export function forgetSeen(standIns: StandIns): void {
  for (const standIn of Object.values(standIns)) {
    standIn.seen.headers.length = 0;
    standIn.seen.connections.length = 0;
  }
}

export async function closeStandIns(standIns: StandIns | undefined): Promise<void> {
  if (standIns) await Promise.all(Object.values(standIns).map((standIn) => standIn.close()));
}

/** A URL where nothing listens: a port taken from the system and released. */
export async function deadUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

export function composeTestSupergraph(): string {
  const result = composeServices(
    Object.keys(SDL).map((name) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(SDL[name]) })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

export const EXAMPLES = { run: '12345678-5', householdId: '4711' };

/** The router configuration of the tests: plain HTTP on a free port, development mode. */
export function testConfig(subgraphUrls: Record<keyof StandIns, string>): RouterOptions['config'] {
  return {
    host: '127.0.0.1',
    routerPort: 0,
    subgraphUrls,
    production: false,
    contextSecret: DEVELOPMENT_CONTEXT_SECRET,
    contextTtlSeconds: 30,
    tls: null,
  };
}

/**
 * An agreement for tests: an active institution with one purpose, no end user required, every
 * commune, 600 requests a minute, holding the API keys `keys` (stored, as in files, by SHA-256)
 * and the client-certificate fingerprints `fingerprints`; `overrides` replace any field.
 */
export function testAgreement(
  id: string,
  options: { keys?: string[]; fingerprints?: string[] } & Partial<Omit<Agreement, 'id' | 'credentials'>> = {},
): Agreement {
  const { keys = [], fingerprints = [], ...overrides } = options;
  return {
    id,
    version: 1,
    institution: { code: '61533000', name: 'Instituto de Prueba' },
    kind: 'INSTITUTION',
    status: 'active',
    validFrom: '2024-01-01',
    validUntil: '2099-12-31',
    communes: null,
    purposes: [{ code: 'PRUEBA', text: 'Pruebas automáticas' }],
    requireEndUser: false,
    grants: new Set(['Query.person', 'Person.run', 'Person.givenNames']),
    grantPatterns: ['Query.person', 'Person.{run,givenNames}'],
    credentials: {
      apiKeys: keys.map((key, i) => ({ id: `k${i + 1}`, sha256: sha256Hex(key) })),
      clientCertificates: fingerprints.map((sha256Fingerprint) => ({ sha256Fingerprint })),
    },
    limits: { requestsPerMinute: 600 },
    demo: false,
    file: `${id}.yaml`,
    ...overrides,
  };
}

/** A fixed registry over `agreements` (no folder, no reloads), matching keys as the real one does. */
export function memoryRegistry(agreements: Agreement[]): AgreementRegistry {
  const set: AgreementSet = { agreements: new Map(agreements.map((agreement) => [agreement.id, agreement])), loadedAt: new Date().toISOString() };
  const byKey = createApiKeyMatcher(
    agreements.flatMap((agreement) => agreement.credentials.apiKeys.map((key) => ({ sha256: key.sha256, value: { agreement, keyId: key.id } }))),
  );
  const byCertificate = createDigestMatcher(
    agreements.flatMap((agreement) => agreement.credentials.clientCertificates.map((cert) => ({ digest: cert.sha256Fingerprint, value: agreement }))),
  );
  return {
    current: () => set,
    get: (id) => set.agreements.get(id),
    byApiKey: byKey,
    byCertificate,
    onChange: () => undefined,
    close: () => undefined,
  };
}

export interface GraphQLResult {
  data?: unknown;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface Posted {
  status: number;
  headers: Headers;
  body: GraphQLResult;
}

/** POSTs an operation to the router's /graphql. */
export async function post(url: string, body: { query: string; variables?: Record<string, unknown>; operationName?: string }, headers: Record<string, string> = {}): Promise<Posted> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResult };
}

export async function get(url: string, accept: string) {
  const response = await fetch(url, { headers: { accept } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The router's base URL ("http://127.0.0.1:1234/") from its GraphQL URL. */
export const base = (router: Listening) => router.url.replace(/graphql$/, '');
