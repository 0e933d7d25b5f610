import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { verifyContext } from '../authz/context';
import type { OperationRecord } from '../audit/types';
import { DEVELOPMENT_CONTEXT_SECRET } from '../lib/config';
import { MAX_BODY_BYTES } from '../lib/http';
import { DEMO_END_USER, DEMO_IDE_KEY, ideHeaders } from '../router/ide';
import { startRouter, type RunningRouter } from '../router/index';
import {
  base,
  closeStandIns,
  composeTestSupergraph,
  EXAMPLES,
  forgetSeen,
  get,
  MemoryAuditLog,
  memoryRegistry,
  post,
  startStandIns,
  standInUrls,
  testAgreement,
  testConfig,
  type GraphQLResult,
  type StandIns,
} from './support/router-fixtures';

/**
 * Access at the router, over HTTP against stand-in subgraphs: credentials (API key, client
 * certificate), agreement standing, purpose, end user and case, the signed context the subgraphs
 * receive, the rate limit, and the operation record written before every answer.
 */

/** The router's clock: a fixed day, moved by the rate-limit tests. */
let now = Date.parse('2026-03-02T12:00:00Z');
const TODAY = '2026-03-02';

const AGREEMENTS = [
  testAgreement('muni-13101', {
    keys: ['key-muni'],
    version: 3,
    institution: { code: '69070100', name: 'Municipalidad de Santiago' },
    kind: 'MUNICIPALITY',
    communes: new Set(['13101']),
    purposes: [{ code: 'FICHA-SOCIAL', text: 'Aplicación y actualización del Registro Social de Hogares' }],
    requireEndUser: true,
  }),
  testAgreement('ips', {
    keys: ['key-ips'],
    purposes: [
      { code: 'PAGOS', text: 'Pago de beneficios' },
      { code: 'FISCALIZACION', text: 'Fiscalización de pagos' },
    ],
  }),
  testAgreement('suspended', { keys: ['key-suspended'], status: 'suspended' }),
  testAgreement('expired', { keys: ['key-expired'], validUntil: '2025-12-31' }),
  testAgreement('future', { keys: ['key-future'], validFrom: '2027-01-01' }),
  testAgreement('limited', { keys: ['key-limited'], limits: { requestsPerMinute: 2 } }),
  testAgreement('limited-too', { keys: ['key-limited-too'], limits: { requestsPerMinute: 1 } }),
  testAgreement('mds-internal', {
    keys: [DEMO_IDE_KEY],
    demo: true,
    kind: 'INTERNAL',
    purposes: [{ code: 'GESTION-BENEFICIOS', text: 'Gestión de beneficios' }],
    requireEndUser: true,
  }),
];
const registry = memoryRegistry(AGREEMENTS);

/** The headers of a well-formed request of muni-13101 (one purpose, end user required). */
const MUNI = { authorization: 'Bearer key-muni', 'x-ris-end-user': '12.345.678-5' };
const QUERY = '{ person(run: "12345678-5") { givenNames household { id } } }';
const DATA = { person: { givenNames: 'MARÍA JOSÉ', household: { id: 'H123' } } };

const audit = new MemoryAuditLog();
let standIns: StandIns;
let router: RunningRouter;

beforeAll(async () => {
  standIns = await startStandIns();
  router = await startRouter({
    config: testConfig(standInUrls(standIns)),
    registry,
    audit,
    supergraphSdl: composeTestSupergraph(),
    examples: EXAMPLES,
    clock: () => now,
  });
});

afterAll(async () => {
  await router?.stop();
  await closeStandIns(standIns);
});

beforeEach(() => {
  // A minute later for every test: every rate-limit bucket is full again, the day stays the same.
  now += 60_000;
  forgetSeen(standIns);
  audit.entries.length = 0;
  audit.failing = false;
});

const subgraphRequests = () => Object.values(standIns).reduce((sum, standIn) => sum + standIn.seen.headers.length, 0);

/** A response reduced to what a client sees of a refusal. */
function refusal(result: { status: number; headers: Headers; body: GraphQLResult }) {
  return { status: result.status, body: result.body };
}

describe('authentication', () => {
  test('a request without credentials is refused with 401 UNAUTHENTICATED and a Bearer challenge, and no subgraph is called', async () => {
    const result = await post(router.url, { query: QUERY });
    expect({ ...refusal(result), challenge: result.headers.get('www-authenticate'), subgraphRequests: subgraphRequests() }).toEqual({
      status: 401,
      body: { errors: [{ message: 'expected an API key of an agreement (Authorization: Bearer <key>), got no credentials', extensions: { code: 'UNAUTHENTICATED' } }] },
      challenge: 'Bearer realm="RIS Graph"',
      subgraphRequests: 0,
    });
  });

  test('an API key that belongs to no agreement is refused with 401 UNAUTHENTICATED without repeating the key', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer not-a-key-of-anyone' });
    expect({ ...refusal(result), challenge: result.headers.get('www-authenticate'), subgraphRequests: subgraphRequests() }).toEqual({
      status: 401,
      body: {
        errors: [
          { message: 'expected an API key of an agreement (Authorization: Bearer <key>), got an API key that belongs to no agreement', extensions: { code: 'UNAUTHENTICATED' } },
        ],
      },
      challenge: 'Bearer realm="RIS Graph", error="invalid_token"',
      subgraphRequests: 0,
    });
  });

  test('an Authorization header of another scheme is refused with 401 naming the scheme expected and the one received', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(refusal(result)).toEqual({
      status: 401,
      body: { errors: [{ message: 'expected the header Authorization: Bearer <key>, got an Authorization header of scheme "Basic"', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
  });

  test('credentials are checked before the body is parsed: a body that is not JSON, without credentials, is a 401', async () => {
    const response = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{ not json' });
    expect({ status: response.status, code: ((await response.json()) as GraphQLResult).errors?.[0].extensions?.code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
  });

  test('the IDE, /healthz and /readyz answer without credentials', async () => {
    const [ide, health, ready] = await Promise.all([
      get(base(router), 'text/html'),
      fetch(`${base(router)}healthz`),
      fetch(`${base(router)}readyz`),
    ]);
    expect({ ide: ide.status, health: health.status, ready: ready.status }).toEqual({ ide: 200, health: 200, ready: 200 });
  });
});

describe('agreement standing', () => {
  test('a suspended agreement is refused with 403 FORBIDDEN naming it', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-suspended' });
    expect({ ...refusal(result), subgraphRequests: subgraphRequests() }).toEqual({
      status: 403,
      body: { errors: [{ message: 'agreement suspended is suspended: expected an agreement in force, got one its officer has suspended', extensions: { code: 'FORBIDDEN' } }] },
      subgraphRequests: 0,
    });
  });

  test('an expired agreement is refused with 403 FORBIDDEN naming it, its last day and today', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-expired' });
    expect(refusal(result)).toEqual({
      status: 403,
      body: { errors: [{ message: `agreement expired is expired: it was valid until 2025-12-31, today is ${TODAY}`, extensions: { code: 'FORBIDDEN' } }] },
    });
  });

  test('an agreement not yet in force is refused with 403 FORBIDDEN naming its first day', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-future' });
    expect(refusal(result)).toEqual({
      status: 403,
      body: { errors: [{ message: `agreement future is not yet valid: it is valid from 2027-01-01, today is ${TODAY}`, extensions: { code: 'FORBIDDEN' } }] },
    });
  });
});

describe('purpose, end user and case', () => {
  test('a purpose outside the agreement is refused with 403 FORBIDDEN listing the purposes it covers', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-ips', 'x-ris-purpose': 'MARKETING' });
    expect({ ...refusal(result), subgraphRequests: subgraphRequests() }).toEqual({
      status: 403,
      body: {
        errors: [{ message: 'agreement ips does not cover the purpose "MARKETING": expected X-RIS-Purpose to be one of PAGOS, FISCALIZACION', extensions: { code: 'FORBIDDEN' } }],
      },
      subgraphRequests: 0,
    });
  });

  test('without X-RIS-Purpose an agreement with several purposes is refused with 403 listing them', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-ips' });
    expect(refusal(result)).toEqual({
      status: 403,
      body: {
        errors: [{ message: 'agreement ips has several purposes: expected the header X-RIS-Purpose with one of PAGOS, FISCALIZACION, got none', extensions: { code: 'FORBIDDEN' } }],
      },
    });
  });

  test('without X-RIS-Purpose an agreement with a single purpose acts under it', async () => {
    const result = await post(router.url, { query: QUERY }, MUNI);
    const claims = await verifyContext(String(standIns.persons.seen.headers[0]['x-ris-context']), DEVELOPMENT_CONTEXT_SECRET);
    expect({ status: result.status, body: result.body, purpose: claims.purpose }).toEqual({ status: 200, body: { data: DATA }, purpose: 'FICHA-SOCIAL' });
  });

  test('an agreement that requires an end user refuses a request without X-RIS-End-User with 403 FORBIDDEN', async () => {
    const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-muni' });
    expect(refusal(result)).toEqual({
      status: 403,
      body: {
        errors: [
          {
            message: 'agreement muni-13101 requires the header X-RIS-End-User with the RUN of the official making the consultation (like 12.345.678-5), got none',
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      },
    });
  });

  test('an X-RIS-End-User that is not a valid RUN is refused with 400 BAD_USER_INPUT saying why', async () => {
    const result = await post(router.url, { query: QUERY }, { ...MUNI, 'x-ris-end-user': '12.345.678-9' });
    expect(refusal(result)).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'X-RIS-End-User: expected a RUN like 12.345.678-5 with a valid check digit, got "12.345.678-9" (the check digit of 12345678 is 5)',
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      },
    });
  });

  test('a case reference longer than 100 characters is refused with 400 BAD_USER_INPUT', async () => {
    const result = await post(router.url, { query: QUERY }, { ...MUNI, 'x-ris-case': 'x'.repeat(101) });
    expect(refusal(result)).toEqual({
      status: 400,
      body: { errors: [{ message: 'X-RIS-Case: expected at most 100 printable characters, got 101', extensions: { code: 'BAD_USER_INPUT' } }] },
    });
  });
});

describe('signed context', () => {
  test("a client's own x-ris-context never reaches a subgraph: each gets the router's, signed once, with the request's claims", async () => {
    const result = await post(router.url, { query: QUERY }, { ...MUNI, 'x-ris-case': 'EXP-2026-17', 'x-request-id': 'ctx-1', 'x-ris-context': 'forged.by.client' });
    const tokens = [standIns.persons.seen.headers[0]['x-ris-context'], standIns.households.seen.headers[0]['x-ris-context']];
    expect({
      data: result.body.data,
      oneToken: tokens[0] === tokens[1],
      claims: await verifyContext(String(tokens[1]), DEVELOPMENT_CONTEXT_SECRET),
    }).toEqual({
      data: DATA,
      oneToken: true,
      claims: { agreementId: 'muni-13101', agreementVersion: 3, purpose: 'FICHA-SOCIAL', endUser: '12345678-5', caseRef: 'EXP-2026-17', requestId: 'ctx-1' },
    });
  });

  test("no header the client sends is forwarded to a subgraph except the request id the router chose", async () => {
    const sent = { ...MUNI, 'x-ris-purpose': 'FICHA-SOCIAL', 'x-ris-case': 'EXP-1', 'x-ris-context': 'forged', 'x-forwarded-for': '10.0.0.1', cookie: 'a=b', 'x-custom': '1' };
    await post(router.url, { query: QUERY }, sent);
    const forwarded = standIns.persons.seen.headers.flatMap((headers) => Object.keys(sent).filter((name) => headers[name] !== undefined && headers[name] === sent[name as keyof typeof sent]));
    const contextForged = standIns.persons.seen.headers.some((headers) => headers['x-ris-context'] === 'forged');
    expect({ forwarded, contextForged, requests: standIns.persons.seen.headers.length }).toEqual({ forwarded: [], contextForged: false, requests: 1 });
  });
});

describe('request id', () => {
  test("the router's refusals echo the client's X-Request-Id: 401, 403, 400 and 429 alike", async () => {
    const refused: Record<string, string>[] = [{}, { authorization: 'Bearer key-suspended' }, { ...MUNI, 'x-ris-end-user': 'nobody' }];
    const echoed = await Promise.all(
      refused.map(async (headers, i) => {
        const result = await post(router.url, { query: QUERY }, { ...headers, 'x-request-id': `refused-${i}` });
        return [result.status, result.headers.get('x-request-id')];
      }),
    );
    await post(router.url, { query: QUERY }, { authorization: 'Bearer key-limited-too' });
    const limited = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-limited-too', 'x-request-id': 'refused-3' });
    expect([...echoed, [limited.status, limited.headers.get('x-request-id')]]).toEqual([
      [401, 'refused-0'],
      [403, 'refused-1'],
      [400, 'refused-2'],
      [429, 'refused-3'],
    ]);
  });

  test("the HTTP front's own answers echo it too: 404 elsewhere, 400 for a body that is not JSON, 413 for one over the limit", async () => {
    const send = async (url: string, body: string, id: string) => {
      const response = await fetch(url, { method: 'POST', headers: { ...MUNI, 'content-type': 'application/json', 'x-request-id': id }, body });
      const json = (await response.json()) as GraphQLResult;
      return [response.status, json.errors?.[0].extensions?.code, response.headers.get('x-request-id')];
    };
    expect([
      await send(`${base(router)}elsewhere`, '{}', 'front-1'),
      await send(router.url, '{ not json', 'front-2'),
      await send(router.url, JSON.stringify({ query: `{ person(run: "12345678-5") { run } } #${'x'.repeat(MAX_BODY_BYTES)}` }), 'front-3'),
    ]).toEqual([
      [404, 'NOT_FOUND', 'front-1'],
      [400, 'BAD_REQUEST', 'front-2'],
      [413, 'LIMIT_EXCEEDED', 'front-3'],
    ]);
  });
});

describe('rate limit', () => {
  test('past its requests a minute an agreement gets 429 RATE_LIMITED with Retry-After until a token refills', async () => {
    const attempt = async () => {
      const result = await post(router.url, { query: QUERY }, { authorization: 'Bearer key-limited' });
      return { status: result.status, retryAfter: result.headers.get('retry-after'), errors: result.body.errors ?? null };
    };
    const limitedFor = (seconds: number) => ({
      status: 429,
      retryAfter: String(seconds),
      errors: [
        {
          message: `agreement limited allows 2 requests a minute: expected the next request in ${seconds} s, got it now`,
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
        },
      ],
    });
    const admitted = { status: 200, retryAfter: null, errors: null };
    const attempts = [await attempt(), await attempt(), await attempt()];
    now += 29_000;
    attempts.push(await attempt());
    now += 1_000;
    attempts.push(await attempt());
    expect(attempts).toEqual([admitted, admitted, limitedFor(30), limitedFor(1), admitted]);
  });

  test('the limit is counted per agreement: one agreement over its limit does not limit another', async () => {
    const statuses: number[] = [];
    for (const key of ['key-limited-too', 'key-limited-too', 'key-ips']) {
      const result = await post(router.url, { query: QUERY }, { authorization: `Bearer ${key}`, ...(key === 'key-ips' ? { 'x-ris-purpose': 'PAGOS' } : {}) });
      statuses.push(result.status);
    }
    expect(statuses).toEqual([200, 429, 200]);
  });
});

describe('operation audit', () => {
  const hash = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
  /** Records with the duration checked for shape and then left out of the comparison. */
  const recorded = () =>
    audit.entries.map((entry) => {
      const { durationMs, ...rest } = entry as OperationRecord;
      return { ...rest, durationMs: typeof durationMs === 'number' && durationMs >= 0 ? 'measured' : durationMs };
    });

  test('an admitted request leaves one operation record: who, on whose behalf, why, which operation, the outcome', async () => {
    const query = 'query PersonName { person(run: "12345678-5") { givenNames } }';
    await post(router.url, { query }, { ...MUNI, 'x-ris-case': 'EXP-2026-17', 'x-request-id': 'audit-1' });
    expect(recorded()).toEqual([
      {
        kind: 'operation',
        process: 'router',
        requestId: 'audit-1',
        agreementId: 'muni-13101',
        agreementVersion: 3,
        institution: '69070100',
        endUser: '12345678-5',
        purpose: 'FICHA-SOCIAL',
        caseRef: 'EXP-2026-17',
        operationName: 'PersonName',
        operationHash: hash(query),
        outcome: 'ok',
        durationMs: 'measured',
      },
    ]);
  });

  test('a request without credentials leaves a record with no agreement and the outcome UNAUTHENTICATED', async () => {
    await post(router.url, { query: QUERY }, { 'x-request-id': 'audit-2', 'x-ris-end-user': '12.345.678-5' });
    expect(recorded()).toEqual([
      {
        kind: 'operation',
        process: 'router',
        requestId: 'audit-2',
        agreementId: null,
        agreementVersion: null,
        institution: null,
        endUser: null,
        purpose: null,
        caseRef: null,
        operationName: null,
        operationHash: null,
        outcome: 'UNAUTHENTICATED',
        durationMs: 'measured',
      },
    ]);
  });

  test('a request refused for its purpose leaves a record naming the agreement and the outcome FORBIDDEN', async () => {
    await post(router.url, { query: QUERY }, { authorization: 'Bearer key-ips', 'x-ris-purpose': 'MARKETING', 'x-ris-case': 'C-9', 'x-request-id': 'audit-3' });
    expect(recorded()).toEqual([
      {
        kind: 'operation',
        process: 'router',
        requestId: 'audit-3',
        agreementId: 'ips',
        agreementVersion: 1,
        institution: '61533000',
        endUser: null,
        purpose: null,
        caseRef: 'C-9',
        operationName: null,
        operationHash: null,
        outcome: 'FORBIDDEN',
        durationMs: 'measured',
      },
    ]);
  });

  test('an operation that fails in a subgraph is recorded with the distinct error codes sent', async () => {
    const query = '{ persons(runs: ["12345678-5", "11111111-1", "22222222-2"]) { run } }';
    await post(router.url, { query }, { ...MUNI, 'x-request-id': 'audit-4' });
    expect(recorded().map(({ requestId, operationHash, outcome }) => ({ requestId, operationHash, outcome }))).toEqual([
      { requestId: 'audit-4', operationHash: hash(query), outcome: 'LIMIT_EXCEEDED' },
    ]);
  });

  test('when the operation record cannot be written the client gets 503 AUDIT_UNAVAILABLE and no data', async () => {
    audit.failing = true;
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await post(router.url, { query: QUERY }, { ...MUNI, 'x-request-id': 'audit-5' });
    const operatorTold = logged.mock.calls.map((args) => String(args[0]));
    logged.mockRestore();
    expect({ status: result.status, body: result.body, requestId: result.headers.get('x-request-id'), operatorTold }).toEqual({
      status: 503,
      body: {
        errors: [
          {
            message:
              'expected to record this consultation in the audit trail before answering, but the audit trail could not be written; no data was sent. Try again later, quoting request id audit-5',
            extensions: { code: 'AUDIT_UNAVAILABLE' },
          },
        ],
      },
      requestId: 'audit-5',
      operatorTold: ['audit: operation record of request audit-5 not written, answer withheld: test: audit storage made to fail'],
    });
  });
});

describe('IDE headers', () => {
  test("in development the IDE opens with the demo internal agreement's key, its first purpose and a demo official", () => {
    expect(ideHeaders(registry, false)).toEqual({
      Authorization: `Bearer ${DEMO_IDE_KEY}`,
      'X-RIS-Purpose': 'GESTION-BENEFICIOS',
      'X-RIS-End-User': DEMO_END_USER,
    });
  });

  test('the headers the IDE opens with are admitted by the router', async () => {
    const result = await post(router.url, { query: QUERY }, ideHeaders(registry, false));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: { data: DATA } });
  });

  test('the IDE page of a development router carries the demo key; in production it carries no headers', async () => {
    const production = await startRouter({
      config: { ...testConfig(standInUrls(standIns)), production: true },
      registry,
      audit,
      supergraphSdl: composeTestSupergraph(),
      examples: EXAMPLES,
    });
    try {
      const [development, inProduction] = await Promise.all([get(base(router), 'text/html'), get(base(production), 'text/html')]);
      expect({ development: development.text.includes(DEMO_IDE_KEY), production: inProduction.text.includes(DEMO_IDE_KEY) }).toEqual({
        development: true,
        production: false,
      });
    } finally {
      await production.stop();
    }
  });
});

/**
 * Mutual TLS: a CA, the router's server certificate and client certificates made with the openssl
 * CLI in a temporary folder. Without openssl these tests are skipped with a printed notice.
 */
const OPENSSL = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!OPENSSL) console.warn('router-auth.test.ts: openssl not found on PATH; the mutual TLS tests are SKIPPED');

interface Pem {
  cert: Buffer;
  key: Buffer;
}

const describeTls = OPENSSL ? describe : describe.skip;

describeTls('mutual TLS', () => {
  let dir: string;
  let ca: Buffer;
  let known: Pem;
  let unknown: Pem;
  let foreign: Pem;
  let tlsRouter: RunningRouter;

  /** A key and certificate for `cn`, signed by `signer` (a CA in `dir`), or self-signed when null. */
  function issue(name: string, cn: string, signer: string | null, extensions = 'extendedKeyUsage=clientAuth'): Pem {
    const file = (ext: string) => path.join(dir, `${name}.${ext}`);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    fs.writeFileSync(file('ext'), `${extensions}\n`);
    if (signer === null) {
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('key'), '-out', file('crt'), '-days', '2', '-subj', `/CN=${cn}`);
    } else {
      openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('key'), '-out', file('csr'), '-subj', `/CN=${cn}`);
      openssl('x509', '-req', '-in', file('csr'), '-CA', path.join(dir, `${signer}.crt`), '-CAkey', path.join(dir, `${signer}.key`), '-CAcreateserial', '-out', file('crt'), '-days', '2', '-extfile', file('ext'));
    }
    return { cert: fs.readFileSync(file('crt')), key: fs.readFileSync(file('key')) };
  }

  const fingerprint = (pem: Pem) => new crypto.X509Certificate(pem.cert).fingerprint256.replace(/:/g, '').toLowerCase();

  function tlsPost(client: Pem | null, headers: Record<string, string> = {}): Promise<{ status: number; body: GraphQLResult }> {
    const body = JSON.stringify({ query: '{ person(run: "12345678-5") { givenNames } }' });
    return new Promise((resolve, reject) => {
      const request = https.request(
        tlsRouter.url,
        { method: 'POST', ca, ...(client ?? {}), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as GraphQLResult }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-mtls-'));
    issue('ca', 'RIS Test CA', null, 'basicConstraints=critical,CA:TRUE');
    ca = fs.readFileSync(path.join(dir, 'ca.crt'));
    issue('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
    known = issue('known', 'Municipalidad de Prueba', 'ca');
    unknown = issue('unknown', 'Sin convenio', 'ca');
    issue('other-ca', 'Another CA', null, 'basicConstraints=critical,CA:TRUE');
    foreign = issue('foreign', 'Municipalidad de Prueba', 'other-ca');
    tlsRouter = await startRouter({
      config: {
        ...testConfig(standInUrls(standIns)),
        tls: { certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key'), caFile: path.join(dir, 'ca.crt') },
      },
      registry: memoryRegistry([testAgreement('cert-holder', { fingerprints: [fingerprint(known)] })]),
      audit,
      supergraphSdl: composeTestSupergraph(),
      examples: EXAMPLES,
    });
  });

  afterAll(async () => {
    await tlsRouter?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a client certificate registered in an agreement authenticates without an API key', async () => {
    const result = await tlsPost(known);
    const claims = await verifyContext(String(standIns.persons.seen.headers[0]['x-ris-context']), DEVELOPMENT_CONTEXT_SECRET);
    expect({ ...result, agreement: claims.agreementId }).toEqual({ status: 200, body: { data: { person: { givenNames: 'MARÍA JOSÉ' } } }, agreement: 'cert-holder' });
  });

  test('a client certificate of the CA registered in no agreement is refused with 401 UNAUTHENTICATED naming its fingerprint', async () => {
    expect(await tlsPost(unknown)).toEqual({
      status: 401,
      body: {
        errors: [
          {
            message: `expected an API key of an agreement (Authorization: Bearer <key>) or a client certificate registered in an agreement, got a client certificate (SHA-256 fingerprint ${fingerprint(unknown)}) registered in no agreement`,
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      },
    });
  });

  test('a client certificate from another CA is refused with 401 UNAUTHENTICATED even with a registered fingerprint', async () => {
    const registered = await startRouter({
      config: { ...testConfig(standInUrls(standIns)), tls: { certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key'), caFile: path.join(dir, 'ca.crt') } },
      registry: memoryRegistry([testAgreement('foreign-holder', { fingerprints: [fingerprint(foreign)] })]),
      audit,
      supergraphSdl: composeTestSupergraph(),
      examples: EXAMPLES,
    });
    const previous = tlsRouter;
    tlsRouter = registered;
    try {
      expect(await tlsPost(foreign)).toEqual({
        status: 401,
        body: {
          errors: [
            {
              message:
                'expected an API key of an agreement (Authorization: Bearer <key>) or a client certificate registered in an agreement, got a client certificate not issued by the certificate authority the RIS accepts',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        },
      });
    } finally {
      tlsRouter = previous;
      await registered.stop();
    }
  });

  test('over TLS without a certificate or key the request is refused with 401 UNAUTHENTICATED', async () => {
    expect((await tlsPost(null)).status).toBe(401);
  });
});
