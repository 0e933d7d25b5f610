import type { BuiltSubgraph } from '../../lib/subgraph';
import type { Caller } from '../../authz/types';
import { callerOf } from './access';

/** The parts of a GraphQL response the tests assert on. */
export interface Result<D = Record<string, unknown>> {
  data?: D | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * Runs an operation against a built subgraph in-process with a fresh per-request context, as the
 * given caller (by default the internal ministry agreement, which is granted every field).
 */
export async function execute<D = Record<string, any>>(
  subgraph: BuiltSubgraph<unknown>,
  query: string,
  variables: Record<string, unknown> = {},
  caller: Caller = callerOf('mds-internal'),
): Promise<Result<D>> {
  const response = await subgraph.apollo.executeOperation({ query, variables }, { contextValue: subgraph.context(caller) });
  if (response.body.kind !== 'single') throw new Error('expected a single (non-incremental) result');
  return JSON.parse(JSON.stringify(response.body.singleResult)) as Result<D>;
}

/** The error codes of a result, in order. */
export const codes = (result: Result<unknown>) => (result.errors ?? []).map((error) => error.extensions?.code);
