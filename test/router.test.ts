import fs from 'node:fs';
import { buildASTSchema, parse, validate } from 'graphql';
import type { Listening } from '../lib/http';
import { ideExamples } from '../router/ide';
import { startRouter, SUPERGRAPH_FILE, type RunningRouter } from '../router/index';
import {
  base,
  closeStandIns,
  composeTestSupergraph,
  deadUrl,
  EXAMPLES,
  forgetSeen,
  get,
  MemoryAuditLog,
  memoryRegistry,
  post as postTo,
  startStandIns,
  standInUrls,
  testAgreement,
  testConfig,
  type StandIns,
} from './support/router-fixtures';

/**
 * The router over HTTP against four small stand-in subgraphs (test/support/router-fixtures.ts),
 * composed into a test supergraph: query planning, errors, request ids, readiness, the IDE.
 * Every request carries the key of one test agreement; access itself is test/router-auth.test.ts.
 */

const KEY = 'router-test-key';
const registry = memoryRegistry([testAgreement('router-test', { keys: [KEY] })]);

async function post(router: Listening, body: { query: string; variables?: Record<string, unknown> }, headers: Record<string, string> = {}) {
  const result = await postTo(router.url, body, { authorization: `Bearer ${KEY}`, ...headers });
  return { status: result.status, requestId: result.headers.get('x-request-id'), body: result.body };
}

const requestIdsSeen = (standIns: StandIns, name: keyof StandIns) => standIns[name].seen.headers.map((headers) => headers['x-request-id']);

let standIns: StandIns;
let router: RunningRouter;
/** The same router setup, but the households subgraph URL points where nothing listens. */
let degraded: RunningRouter;

beforeAll(async () => {
  standIns = await startStandIns();
  const subgraphUrls = standInUrls(standIns);
  const supergraphSdl = composeTestSupergraph();
  const audit = new MemoryAuditLog();
  router = await startRouter({ config: testConfig(subgraphUrls), registry, audit, supergraphSdl, examples: EXAMPLES });
  degraded = await startRouter({
    config: testConfig({ ...subgraphUrls, households: await deadUrl() }),
    registry,
    audit,
    supergraphSdl,
    examples: EXAMPLES,
  });
});

afterAll(async () => {
  await Promise.all([router?.stop(), degraded?.stop()]);
  await closeStandIns(standIns);
});

beforeEach(() => forgetSeen(standIns));

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
      persons: requestIdsSeen(standIns, 'persons'),
      households: requestIdsSeen(standIns, 'households'),
    }).toEqual({ echoed: 'caso-2026-000123', persons: ['caso-2026-000123'], households: ['caso-2026-000123'] });
  });

  test('without X-Request-Id the router generates a UUID, echoes it and forwards it', async () => {
    const result = await post(router, { query: '{ person(run: "12345678-5") { run } }' });
    expect({
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(result.requestId ?? ''),
      forwarded: requestIdsSeen(standIns, 'persons'),
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
