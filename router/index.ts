import fs from 'node:fs';
import type { AgreementRegistry } from '../authz/types';
import type { AuditLog } from '../audit/types';
import type { Config } from '../lib/config';
import { listen, sendJson, type Listening, type TlsFiles } from '../lib/http';
import { fromRoot } from '../lib/paths';
import { routerExchange } from './exchange';
import { createGatewayServer } from './gateway';
import { checkSubgraphs } from './health';
import { ideHeaders, renderIde, type IdeExamples } from './ide';
import { RateLimiter } from './ratelimit';

/** The committed supergraph the router serves unless told otherwise. */
export const SUPERGRAPH_FILE = fromRoot('schema', 'supergraph.graphql');

export interface RouterOptions {
  config: Pick<Config, 'host' | 'routerPort' | 'subgraphUrls' | 'production' | 'contextSecret' | 'contextTtlSeconds' | 'tls'>;
  /** The live agreements: who may call, under which purposes and limits. Owned by the caller. */
  registry: AgreementRegistry;
  /** Where every request's operation record is written before its answer. Owned by the caller. */
  audit: AuditLog;
  /** Supergraph SDL; schema/supergraph.graphql when absent. */
  supergraphSdl?: string;
  /** Example records the IDE's operations are filled in with. */
  examples: IdeExamples;
  /** Milliseconds since the epoch, for agreement validity and rate limits; Date.now when absent (tests inject one). */
  clock?: () => number;
}

export interface RunningRouter extends Listening {
  /** Stops accepting requests, closes connections and stops the gateway (not the registry or audit log). */
  stop(): Promise<void>;
}

function readTls(tls: NonNullable<Config['tls']>): TlsFiles {
  const read = (variable: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(`${variable}: expected a readable PEM file, got ${JSON.stringify(file)} (${typeof code === 'string' ? code : 'unreadable'})`);
    }
  };
  return { cert: read('RIS_TLS_CERT', tls.certFile), key: read('RIS_TLS_KEY', tls.keyFile), ca: read('RIS_TLS_CA', tls.caFile) };
}

/**
 * Starts the router: GraphQL at /graphql (credentials, purpose, end user, rate limit and audit
 * first), the IDE at GET / and GET /graphql (browsers), liveness at /healthz and readiness at
 * /readyz (200 only when every configured subgraph answers its /healthz in time); these three
 * need no credentials. With config.tls it serves HTTPS and accepts client certificates.
 * The router starts even when subgraphs are down; /readyz tells when it can serve.
 */
export async function startRouter(options: RouterOptions): Promise<RunningRouter> {
  const { config } = options;
  const tls = config.tls ? readTls(config.tls) : null;
  const supergraphSdl = options.supergraphSdl ?? fs.readFileSync(SUPERGRAPH_FILE, 'utf8');
  const ide = renderIde(options.examples, { endpoint: '/graphql', headers: ideHeaders(options.registry, config.production) });
  const apollo = createGatewayServer({ supergraphSdl, subgraphUrls: config.subgraphUrls, landingPageHtml: ide });
  await apollo.start();
  const exchange = routerExchange({
    registry: options.registry,
    audit: options.audit,
    limiter: new RateLimiter(),
    signing: { contextSecret: config.contextSecret, contextTtlSeconds: config.contextTtlSeconds },
    now: options.clock ?? (() => Date.now()),
    tls: tls !== null,
  });
  let listening: Listening;
  try {
    listening = await listen({
      apollo,
      exchange,
      host: config.host,
      port: config.routerPort,
      tls,
      ide,
      routes: {
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
