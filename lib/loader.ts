import DataLoader from 'dataloader';
import { MAX_BATCH } from '../store/types';

/**
 * The one helper every per-request loader is built with (DESIGN.md §8.3).
 * Contract: the batch function receives at most MAX_BATCH distinct keys and returns rows in any
 * order; the loader answers in key order, with `null` (one) or `[]` (many) for a key with no row.
 * Loaders are created per request and cache only within it, so one request's answer (or
 * authorization decision) never serves another's.
 */

/** A loader of at most one row per key (keys are primitives: RUNs, ids, codes). */
export function oneLoader<K, R>(
  fetch: (keys: readonly K[]) => Promise<readonly R[]>,
  keyOfRow: (row: R) => K,
): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<K, R>();
      for (const row of rows) byKey.set(keyOfRow(row), row);
      return keys.map((key) => byKey.get(key) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/** A loader of all rows per key, kept in the order the store returned them. */
export function manyLoader<K, R>(
  fetch: (keys: readonly K[]) => Promise<readonly R[]>,
  keyOfRow: (row: R) => K,
): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<K, R[]>();
      for (const row of rows) {
        const key = keyOfRow(row);
        const list = byKey.get(key);
        if (list) list.push(row);
        else byKey.set(key, [row]);
      }
      return keys.map((key) => byKey.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/**
 * Loaders keyed additionally by field arguments (e.g. payments(from, to)): one loader per distinct
 * argument set, so keys that share arguments are still batched together.
 */
export function perArguments<A, L>(make: (args: A) => L, argumentsKey: (args: A) => string): (args: A) => L {
  const loaders = new Map<string, L>();
  return (args) => {
    const key = argumentsKey(args);
    let loader = loaders.get(key);
    if (!loader) {
      loader = make(args);
      loaders.set(key, loader);
    }
    return loader;
  };
}
