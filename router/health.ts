import type { Fetch } from './upstream';

/**
 * Readiness of the router: every subgraph answers its `/healthz` with 200 within the time limit.
 * Plain functions over `fetch`, so the check does not depend on the gateway library.
 */

/** How long a subgraph may take to answer its `/healthz`, in milliseconds. */
export const HEALTH_TIMEOUT_MS = 1_000;

/** ok: 200 in time; unhealthy: answered with another status; unreachable: no answer in time. */
export type SubgraphHealth = 'ok' | 'unhealthy' | 'unreachable';

export interface Readiness {
  ready: boolean;
  subgraphs: Record<string, SubgraphHealth>;
}

/**
 * The health URL beside a subgraph's GraphQL URL, resolved relative to it so that a path prefix
 * survives: http://h:4001/graphql → http://h:4001/healthz, http://lb/persons/graphql → http://lb/persons/healthz.
 */
export function healthUrl(graphqlUrl: string): string {
  return new URL('healthz', graphqlUrl).toString();
}

async function probe(url: string, timeoutMs: number, fetchFn: Fetch): Promise<SubgraphHealth> {
  try {
    const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status === 200 ? 'ok' : 'unhealthy';
  } catch {
    return 'unreachable';
  }
}

/** Probes every subgraph at once; ready only when all are `ok`. Never throws. */
export async function checkSubgraphs(
  graphqlUrls: Record<string, string>,
  timeoutMs: number = HEALTH_TIMEOUT_MS,
  fetchFn: Fetch = (url, init) => fetch(url, init),
): Promise<Readiness> {
  const names = Object.keys(graphqlUrls);
  const states = await Promise.all(names.map((name) => probe(healthUrl(graphqlUrls[name]), timeoutMs, fetchFn)));
  const subgraphs = Object.fromEntries(names.map((name, i) => [name, states[i]])) as Record<string, SubgraphHealth>;
  return { ready: states.every((state) => state === 'ok'), subgraphs };
}
