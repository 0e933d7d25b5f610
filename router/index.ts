import fs from 'node:fs';
import type http from 'node:http';
import type { Config } from '../lib/config';
import { listen, sendJson, type Listening } from '../lib/http';
import { fromRoot } from '../lib/paths';
import { routerContext } from './context';
import { createGatewayServer } from './gateway';
import { checkSubgraphs } from './health';
import { renderIde, type IdeExamples } from './ide';

/** The committed supergraph the router serves unless told otherwise. */
export const SUPERGRAPH_FILE = fromRoot('schema', 'supergraph.graphql');

export interface RouterOptions {
  /** Host, router port and subgraph URLs are read from here. */
  config: Pick<Config, 'host' | 'routerPort' | 'subgraphUrls'>;
  /** Supergraph SDL; schema/supergraph.graphql when absent. */
  supergraphSdl?: string;
  /** Example records the IDE's operations are filled in with. */
  examples: IdeExamples;
  /** Headers shown in the IDE's headers editor (e.g. a demo key in development). */
  ideHeaders?: Record<string, string>;
}

export interface RunningRouter extends Listening {
  /** Stops accepting requests, closes connections and stops the gateway. */
  stop(): Promise<void>;
}

function acceptsHtml(req: http.IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * Starts the router: GraphQL at /graphql, the IDE at GET / (browsers), liveness at /healthz and
 * readiness at /readyz (200 only when every configured subgraph answers its /healthz in time).
 * The router starts even when subgraphs are down; /readyz tells when it can serve.
 */
export async function startRouter(options: RouterOptions): Promise<RunningRouter> {
  const { config } = options;
  const supergraphSdl = options.supergraphSdl ?? fs.readFileSync(SUPERGRAPH_FILE, 'utf8');
  const ide = renderIde(options.examples, { endpoint: '/graphql', headers: options.ideHeaders });
  const apollo = createGatewayServer({ supergraphSdl, subgraphUrls: config.subgraphUrls, landingPageHtml: ide });
  await apollo.start();
  let listening: Listening;
  try {
    listening = await listen({
      apollo,
      context: async (req) => routerContext(req.headers),
      host: config.host,
      port: config.routerPort,
      routes: {
        '/': (req, res) => {
          if (!acceptsHtml(req)) {
            sendJson(res, 404, {
              errors: [{ message: 'expected a browser request for the IDE (Accept: text/html) at GET /, or a GraphQL request to /graphql', extensions: { code: 'NOT_FOUND' } }],
            });
            return;
          }
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(ide), 'cache-control': 'no-cache' });
          res.end(ide);
        },
        '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
        '/readyz': async (_req, res) => {
          const readiness = await checkSubgraphs(config.subgraphUrls);
          sendJson(res, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'unready', subgraphs: readiness.subgraphs });
        },
      },
    });
  } catch (error) {
    await apollo.stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    ...listening,
    stop: () => {
      stopping ??= listening.close().finally(() => apollo.stop());
      return stopping;
    },
  };
}
