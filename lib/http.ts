import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/**
 * One HTTP front for every process (router and subgraphs): GraphQL at `/graphql` through Apollo
 * Server's integration API, plus plain routes (`/healthz`, `/readyz`, the IDE at `/`).
 * Plain node:http keeps the dependency surface small and the same code serves every process.
 *
 * A process that decides about requests itself (the router: credentials, purpose, limits, audit)
 * passes an `exchange` instead of a `context`: it is asked before the body of a /graphql request
 * is read, and every answer to /graphql passes through it before it is written.
 */

/** Largest request body accepted, in bytes (a 1,000-RUN query is ~20 KB). */
export const MAX_BODY_BYTES = 1_000_000;

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** A complete HTTP answer, held in memory until the exchange lets it go. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The GraphQL operation as the client sent it (JSON body or GET parameters), not yet validated. */
export interface OperationText {
  query: string | null;
  operationName: string | null;
}

/** What one process decides about one HTTP request; created once per request, whatever its path. */
export interface Exchange<Ctx> {
  /** Headers set on every response to this request: routes, 404s, refusals and results alike. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Called for a /graphql request before its body is read: how to build the context to execute
   * with, or a refusal answered without reading the body (it then still passes through `settle`).
   * The context builder runs inside Apollo Server, so a GraphQLError it throws is answered as
   * Apollo answers it (status from `extensions.http`).
   */
  admit(): Promise<{ context: () => Promise<Ctx> } | { refusal: Answer }>;
  /**
   * Every answer to /graphql passes here before anything is written: refusals, protocol errors
   * (400, 413) and results. What it returns is written. `operation` is null when the body was not
   * read or could not be understood.
   */
  settle(answer: Answer, operation: OperationText | null): Promise<Answer>;
}

/** Certificate, key and client CA of an HTTPS server that asks for client certificates. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

interface CommonListenOptions<Ctx extends BaseContext> {
  apollo: ApolloServer<Ctx>;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Extra GET routes by exact path. */
  routes?: Record<string, Route>;
  /**
   * An HTML page for browsers (Accept: text/html): served at GET / and at GET /graphql without a
   * `query` parameter, before any exchange (a browser opening the IDE brings no credentials).
   * GET / from a program is a 404 pointing to /graphql.
   */
  ide?: string;
  /**
   * HTTPS asking for (not requiring) client certificates: an unverified or missing certificate
   * still reaches the exchange, which answers 401 itself with a GraphQL error body instead of a
   * TLS handshake failure the client cannot read.
   */
  tls?: TlsFiles | null;
}

export type ListenOptions<Ctx extends BaseContext> = CommonListenOptions<Ctx> &
  (
    | {
        /** Builds the per-request context (where per-request loaders are created). */
        context: (req: http.IncomingMessage) => Promise<Ctx>;
        exchange?: never;
      }
    | {
        exchange: (req: http.IncomingMessage) => Exchange<Ctx>;
        context?: never;
      }
  );

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function errorBody(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { ...extensions, code } }] };
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

class BodyTooLarge extends Error {}

/**
 * Reads the body up to MAX_BODY_BYTES. Past the limit the rest is drained unread and the answer
 * closes the connection: destroying the request would also destroy the socket the 413 is written on.
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function operationText(method: string, body: unknown, url: URL): OperationText | null {
  if (method === 'GET') {
    return { query: url.searchParams.get('query'), operationName: url.searchParams.get('operationName') };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const fields = body as { query?: unknown; operationName?: unknown };
  return { query: stringOrNull(fields.query), operationName: stringOrNull(fields.operationName) };
}

/**
 * A request whose declared body is small enough for Node to drain after an early answer keeps its
 * connection; any other (unknown length, or large) is answered with `connection: close`, so a
 * refused client cannot make the server read a body it will not use.
 */
function closeUnlessDrainable(req: http.IncomingMessage, answer: Answer): Answer {
  const length = Number(req.headers['content-length'] ?? (req.headers['transfer-encoding'] ? NaN : 0));
  return Number.isFinite(length) && length <= MAX_BODY_BYTES ? answer : { ...answer, headers: { ...answer.headers, connection: 'close' } };
}

/** The exchange of a process that only builds a context: no headers, no refusals, answers as they are. */
function plainExchange<Ctx>(req: http.IncomingMessage, context: (req: http.IncomingMessage) => Promise<Ctx>): Exchange<Ctx> {
  return {
    headers: {},
    admit: async () => ({ context: () => context(req) }),
    settle: async (answer) => answer,
  };
}

async function executeGraphQL<Ctx extends BaseContext>(
  apollo: ApolloServer<Ctx>,
  req: http.IncomingMessage,
  url: URL,
  context: () => Promise<Ctx>,
): Promise<{ answer: Answer; operation: OperationText | null }> {
  const method = req.method ?? 'GET';
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (method === 'POST') {
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      const answer = jsonAnswer(413, errorBody('LIMIT_EXCEEDED', `expected a request body of at most ${MAX_BODY_BYTES} bytes, got more`), { connection: 'close' });
      return { answer, operation: null };
    }
    if ((headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        const answer = jsonAnswer(400, errorBody('BAD_REQUEST', `expected a JSON body like {"query": "…"}, got text that is not JSON (${raw.length} bytes)`));
        return { answer, operation: null };
      }
    } else {
      body = raw;
    }
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context,
  });
  // Held whole so the exchange can decide before anything is sent; incremental delivery (@defer)
  // is not offered by these servers, so a streamed body does not occur in practice.
  let text: string;
  if (response.body.kind === 'complete') {
    text = response.body.string;
  } else {
    text = '';
    for await (const chunk of response.body.asyncIterator) text += chunk;
  }
  const answer: Answer = { status: response.status ?? 200, headers: Object.fromEntries(response.headers), body: text };
  return { answer, operation: operationText(method, body, url) };
}

async function handleGraphQL<Ctx extends BaseContext>(
  apollo: ApolloServer<Ctx>,
  exchange: Exchange<Ctx>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const admitted = await exchange.admit();
  if ('refusal' in admitted) {
    write(res, exchange, await exchange.settle(closeUnlessDrainable(req, admitted.refusal), null));
    return;
  }
  let result: { answer: Answer; operation: OperationText | null };
  try {
    result = await executeGraphQL(apollo, req, url, admitted.context);
  } catch (error) {
    // Still settled (and so audited): a failed request is a request.
    console.error(`http: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    result = { answer: jsonAnswer(500, errorBody('INTERNAL_SERVER_ERROR', 'internal error: the request could not be completed')), operation: null };
  }
  write(res, exchange, await exchange.settle(result.answer, result.operation));
}

function write<Ctx>(res: http.ServerResponse, exchange: Exchange<Ctx>, answer: Answer): void {
  res.writeHead(answer.status, { ...answer.headers, ...exchange.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}

function acceptsHtml(req: http.IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function sendHtml(res: http.ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-cache' });
  res.end(html);
}

/** Starts the HTTP(S) server; Apollo must already be started. Resolves once listening. */
export async function listen<Ctx extends BaseContext>(options: ListenOptions<Ctx>): Promise<Listening> {
  const exchangeOf = (req: http.IncomingMessage): Exchange<Ctx> =>
    options.exchange ? options.exchange(req) : plainExchange(req, options.context);
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const exchange = exchangeOf(req);
    for (const [name, value] of Object.entries(exchange.headers)) res.setHeader(name, value);
    const { ide } = options;
    const get = req.method === 'GET';
    let work: Promise<void>;
    if (get && ide !== undefined && url.pathname === '/') {
      work = Promise.resolve(
        acceptsHtml(req)
          ? sendHtml(res, ide)
          : sendJson(res, 404, errorBody('NOT_FOUND', 'expected a browser request for the IDE (Accept: text/html) at GET /, or a GraphQL request to /graphql')),
      );
    } else if (get && ide !== undefined && url.pathname === '/graphql' && acceptsHtml(req) && !url.searchParams.has('query')) {
      work = Promise.resolve(sendHtml(res, ide));
    } else if (get && options.routes?.[url.pathname]) {
      work = Promise.resolve(options.routes[url.pathname](req, res));
    } else if (url.pathname === '/graphql') {
      work = handleGraphQL(options.apollo, exchange, req, res, url);
    } else {
      work = Promise.resolve(sendJson(res, 404, errorBody('NOT_FOUND', `expected a request to /graphql, got ${req.method} ${url.pathname}`)));
    }
    work.catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      console.error(`http: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendJson(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'internal error: the request could not be completed'));
    });
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca, requestCert: true, rejectUnauthorized: false }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}/graphql`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
