import type { AuditLog } from '../../audit/types';
import { buildSubgraph, type BuiltSubgraph, type SubgraphDeps, type SubgraphModule } from '../../lib/subgraph';

/**
 * Security switched off, for S4 only, through the product's own seams (nothing copied):
 *
 * - `NO_AUDIT`: an AuditLog that writes nothing, handed to the product's buildSubgraph and
 *   startRouter in place of the SQLite trail (their audit plugin / settle step still runs and
 *   calls it).
 * - field rules off: lib/subgraph.ts buildSubgraph's `{ fieldRules: false }` (the schema without
 *   withShield; row scope in the resolvers stays on).
 */

export const NO_AUDIT: AuditLog = {
  append: async () => undefined,
  close: async () => undefined,
};

export type SecurityVariant = 'on' | 'audit-off' | 'off';

/** The subgraph as the variant asks: production, audit off, or audit and field rules off. */
export function buildVariant<L>(variant: SecurityVariant, module: SubgraphModule<L>, deps: SubgraphDeps): Promise<BuiltSubgraph<L>> {
  if (variant === 'on') return buildSubgraph(module, deps);
  const silent = { ...deps, security: { ...deps.security, audit: NO_AUDIT } };
  return buildSubgraph(module, silent, { fieldRules: variant !== 'off' });
}
