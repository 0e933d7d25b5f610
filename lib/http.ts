import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/**
 * One HTTP front for every process (router and subgraphs): GraphQL at `/graphql` through Apollo
 * Server's integration API, plus plain routes (`/healthz`, `/readyz`, the IDE at `/`).
 * Plain node:http keeps the dependency surface small and the same code serves every process.
 */

/** Largest request body accepted, in bytes (a 1,000-RUN query is ~20 KB). */
export const MAX_BODY_BYTES = 1_000_000;

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface ListenOptions<Ctx extends BaseContext> {
  apollo: ApolloServer<Ctx>;
  /** Builds the per-request context (where per-request loaders are created). */
  context: (req: http.IncomingMessage) => Promise<Ctx>;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Extra GET routes by exact path. */
  routes?: Record<string, Route>;
}

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

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errorBody(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

async function handleGraphQL<Ctx extends BaseContext>(
  options: ListenOptions<Ctx>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (req.method === 'POST') {
    const raw = await readBody(req);
    if ((headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        sendJson(res, 400, errorBody('BAD_REQUEST', `expected a JSON body like {"query": "…"}, got text that is not JSON (${raw.length} bytes)`));
        return;
      }
    } else {
      body = raw;
    }
  }
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: () => options.context(req),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Starts the HTTP server; Apollo must already be started. Resolves once listening. */
export async function listen<Ctx extends BaseContext>(options: ListenOptions<Ctx>): Promise<Listening> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = req.method === 'GET' ? options.routes?.[url.pathname] : undefined;
    const work = route
      ? Promise.resolve(route(req, res))
      : url.pathname === '/graphql'
        ? handleGraphQL(options, req, res, url)
        : Promise.resolve(sendJson(res, 404, errorBody('NOT_FOUND', `expected a request to /graphql, got ${req.method} ${url.pathname}`)));
    work.catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
      } else if (error instanceof BodyTooLarge) {
        sendJson(res, 413, errorBody('LIMIT_EXCEEDED', `expected a request body of at most ${MAX_BODY_BYTES} bytes`));
      } else {
        console.error(`http: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        sendJson(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'internal error: the request could not be completed'));
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
