import fs from 'node:fs';
import net from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { buildASTSchema, GraphQLScalarType, Kind, parse, validate } from 'graphql';
import { badInput, formatError, limitExceeded } from '../lib/errors';
import { listen, sendJson, type Listening } from '../lib/http';
import { parseRun, RunFormatError } from '../lib/run';
import { ideExamples } from '../router/ide';
import { startRouter, SUPERGRAPH_FILE, type RunningRouter } from '../router/index';

/**
 * The router over HTTP against four small stand-in subgraphs (persons, households, registers,
 * benefits) served in-process on free ports, composed into a test supergraph. The stand-ins keep
 * only what the router's behaviours need: entities across subgraphs, coded errors, headers seen.
 */

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

const SDL: Record<string, string> = {
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

/** What a stand-in subgraph saw of the router's requests to /graphql. */
interface Seen {
  requestIds: (string | undefined)[];
  /** Client end (port) of each request's TCP connection. */
  connections: number[];
}

interface StandIn {
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
  const seen: Seen = { requestIds: [], connections: [] };
  const listening = await listen({
    apollo,
    context: async (req) => {
      const id = req.headers['x-request-id'];
      seen.requestIds.push(Array.isArray(id) ? id[0] : id);
      seen.connections.push(req.socket.remotePort ?? -1);
      return {};
    },
    host: '127.0.0.1',
    port: 0,
    routes: { '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }) },
  });
  return { listening, seen, close: async () => { await listening.close(); await apollo.stop(); } };
}

/** A URL where nothing listens: a port taken from the system and released. */
async function deadUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

function composeTestSupergraph(): string {
  const result = composeServices(
    Object.keys(SDL).map((name) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(SDL[name]) })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

const EXAMPLES = { run: '12345678-5', householdId: '4711' };

interface GraphQLResult {
  data?: unknown;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function post(router: Listening, body: { query: string; variables?: Record<string, unknown> }, headers: Record<string, string> = {}) {
  const response = await fetch(router.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as GraphQLResult };
}

async function get(url: string, accept: string) {
  const response = await fetch(url, { headers: { accept } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const base = (router: Listening) => router.url.replace(/graphql$/, '');

const standIns: Record<string, StandIn> = {};
let router: RunningRouter;
/** The same router setup, but the households subgraph URL points where nothing listens. */
let degraded: RunningRouter;

beforeAll(async () => {
  for (const name of Object.keys(SDL)) standIns[name] = await startStandIn(name);
  const subgraphUrls = {
    persons: standIns.persons.listening.url,
    households: standIns.households.listening.url,
    registers: standIns.registers.listening.url,
    benefits: standIns.benefits.listening.url,
  };
  const supergraphSdl = composeTestSupergraph();
  router = await startRouter({ config: { host: '127.0.0.1', routerPort: 0, subgraphUrls }, supergraphSdl, examples: EXAMPLES });
  degraded = await startRouter({
    config: { host: '127.0.0.1', routerPort: 0, subgraphUrls: { ...subgraphUrls, households: await deadUrl() } },
    supergraphSdl,
    examples: EXAMPLES,
  });
});

afterAll(async () => {
  await Promise.all([router?.stop(), degraded?.stop()]);
  await Promise.all(Object.values(standIns).map((standIn) => standIn.close()));
});

beforeEach(() => {
  for (const standIn of Object.values(standIns)) {
    standIn.seen.requestIds.length = 0;
    standIn.seen.connections.length = 0;
  }
});

describe('health', () => {
  test('/healthz answers 200 ok', async () => {
    const response = await fetch(`${base(router)}healthz`);
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  test('/readyz answers 200 when every subgraph answers its /healthz', async () => {
    const response = await fetch(`${base(router)}readyz`);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: { status: 'ready', subgraphs: { persons: 'ok', households: 'ok', registers: 'ok', benefits: 'ok' } },
    });
  });

  test('/readyz answers 503 naming the subgraph that does not answer', async () => {
    const response = await fetch(`${base(degraded)}readyz`);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 503,
      body: { status: 'unready', subgraphs: { persons: 'ok', households: 'unreachable', registers: 'ok', benefits: 'ok' } },
    });
  });
});

describe('query planning across subgraphs', () => {
  test('a person with their household and register data is fetched from three subgraphs in one operation', async () => {
    const result = await post(router, { query: '{ person(run: "12.345.678-5") { run givenNames disabilityDegree household { id size } } }' });
    expect(result.body).toEqual({
      data: { person: { run: '12345678-5', givenNames: 'MARÍA JOSÉ', disabilityDegree: 'MODERATE', household: { id: 'H123', size: 3 } } },
    });
  });

  test('sequential operations reuse one keep-alive connection to a subgraph', async () => {
    for (let i = 0; i < 5; i++) await post(router, { query: '{ person(run: "12345678-5") { givenNames } }' });
    const { connections } = standIns.persons.seen;
    expect({ operations: connections.length, connections: new Set(connections).size }).toEqual({ operations: 5, connections: 1 });
  });
});

describe('subgraph errors through the router', () => {
  test('a RUN with a wrong check digit, refused by the subgraph with HTTP 400, reaches the client as BAD_USER_INPUT', async () => {
    const result = await post(router, { query: 'query ($run: RUN!) { person(run: $run) { run } }', variables: { run: '12345678-0' } });
    expect(result.body.errors?.map((error) => ({ code: error.extensions?.code, message: error.message }))).toEqual([
      {
        code: 'BAD_USER_INPUT',
        message:
          'Variable "$run" got invalid value "12345678-0"; expected a RUN like 12.345.678-5 with a valid check digit, got "12345678-0" (the check digit of 12345678 is 5)',
      },
    ]);
  });

  test('an error raised by a subgraph resolver keeps its code and message, with the path in the client operation', async () => {
    const result = await post(router, { query: '{ persons(runs: ["12345678-5", "11111111-1", "22222222-2"]) { run } }' });
    expect(result.body).toEqual({
      data: null,
      errors: [{ message: 'expected at most 2 RUNs, got 3', path: ['persons'], extensions: { code: 'LIMIT_EXCEEDED' } }],
    });
  });

  test('a subgraph that does not answer gives UPSTREAM_UNAVAILABLE naming it, and the data of the others', async () => {
    const result = await post(degraded, { query: '{ person(run: "12345678-5") { givenNames household { id } } }' });
    expect({
      data: result.body.data,
      errors: result.body.errors?.map((error) => ({ code: error.extensions?.code, message: error.message.replace(/ \(E[A-Z]+\)/, '') })),
    }).toEqual({
      data: { person: { givenNames: 'MARÍA JOSÉ', household: null } },
      errors: [{ code: 'UPSTREAM_UNAVAILABLE', message: 'expected an answer from the households service, got none; try again later' }],
    });
  });
});

describe('request id', () => {
  test('a client X-Request-Id is echoed in the response and forwarded to every subgraph called', async () => {
    const result = await post(router, { query: '{ person(run: "12345678-5") { household { id } } }' }, { 'x-request-id': 'caso-2026-000123' });
    expect({
      echoed: result.requestId,
      persons: standIns.persons.seen.requestIds,
      households: standIns.households.seen.requestIds,
    }).toEqual({ echoed: 'caso-2026-000123', persons: ['caso-2026-000123'], households: ['caso-2026-000123'] });
  });

  test('without X-Request-Id the router generates a UUID, echoes it and forwards it', async () => {
    const result = await post(router, { query: '{ person(run: "12345678-5") { run } }' });
    expect({
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(result.requestId ?? ''),
      forwarded: standIns.persons.seen.requestIds,
    }).toEqual({ uuid: true, forwarded: [result.requestId] });
  });
});

describe('IDE', () => {
  /** Script, stylesheet, import or url() references to anything outside the page. */
  const EXTERNAL = /<script[^>]*\ssrc=["']?(?:https?:)?\/\/|<link[^>]*\shref=["']?(?:https?:)?\/\/|@import\s+(?:url\()?["']?(?:https?:)?\/\/|url\(["']?(?:https?:)?\/\//gi;

  test('GET / from a browser is the self-contained GraphiQL page with the example operations', async () => {
    const page = await get(base(router), 'text/html,application/xhtml+xml');
    expect({
      status: page.status,
      type: page.type,
      title: /<title>([^<]*)<\/title>/.exec(page.text)?.[1],
      operations: ['HouseholdComposition', 'CseBracket', 'Address', 'SubsystemMembership', 'HouseholdGraph'].filter((name) =>
        page.text.includes(`query ${name}(`),
      ),
      exampleRun: page.text.includes('12345678-5'),
      exampleHousehold: page.text.includes('4711'),
      external: page.text.match(EXTERNAL) ?? [],
    }).toEqual({
      status: 200,
      type: 'text/html; charset=utf-8',
      title: 'RIS Graph — Registro de Información Social',
      operations: ['HouseholdComposition', 'CseBracket', 'Address', 'SubsystemMembership', 'HouseholdGraph'],
      exampleRun: true,
      exampleHousehold: true,
      external: [],
    });
  });

  test('GET / from a program that does not accept HTML is a 404 pointing to /graphql', async () => {
    const page = await get(base(router), 'application/json');
    expect({ status: page.status, body: JSON.parse(page.text) }).toEqual({
      status: 404,
      body: {
        errors: [
          {
            message: 'expected a browser request for the IDE (Accept: text/html) at GET /, or a GraphQL request to /graphql',
            extensions: { code: 'NOT_FOUND' },
          },
        ],
      },
    });
  });

  test('GET /graphql from a browser shows the same offline IDE instead of a CDN-hosted page', async () => {
    const [atGraphql, atRoot] = await Promise.all([get(router.url, 'text/html'), get(base(router), 'text/html')]);
    expect({ status: atGraphql.status, same: atGraphql.text === atRoot.text }).toEqual({ status: 200, same: true });
  });

  test('every example operation is valid against the committed supergraph', () => {
    const schema = buildASTSchema(parse(fs.readFileSync(SUPERGRAPH_FILE, 'utf8')));
    const invalid = ideExamples(EXAMPLES).flatMap((tab) => validate(schema, parse(tab.query)).map((error) => error.message));
    expect(invalid).toEqual([]);
  });
});
