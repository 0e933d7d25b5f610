import fs from 'node:fs';
import { AgreementError, loadAgreements, type ValidationOptions } from './agreement';
import { createApiKeyMatcher, createDigestMatcher, normaliseFingerprint } from './keys';
import type { Agreement, AgreementRegistry, AgreementSet } from './types';

/**
 * The live agreements of a process (router or subgraph). The folder is read and validated at
 * start, then watched: a change is applied without restart when the whole folder still validates,
 * otherwise it is refused, every problem is logged, listeners hear `{ applied: false, reason }`
 * and the last good set stays in force.
 */

export interface RegistryOptions extends ValidationOptions {
  /** Folder of agreement files (config.agreementsDir). */
  dir: string;
  /** Watch the folder and apply changes (default true). */
  watch?: boolean;
  /** Quiet time after the last change event before the folder is read again (default 200 ms). */
  debounceMs?: number;
  /** Where refused changes are logged, one message each (default: standard error). */
  log?: (message: string) => void;
}

/** The registry, with a manual reload for callers that learn of changes otherwise (SIGHUP, tests). */
export interface WatchedRegistry extends AgreementRegistry {
  /** Reads the folder again now; applies it if valid. Returns whether it was applied. */
  reload(): boolean;
}

type ChangeEvent = { applied: true; set: AgreementSet } | { applied: false; reason: string };

interface Indexes {
  byKey: (key: string) => { agreement: Agreement; keyId: string } | undefined;
  byFingerprint: (fingerprint: string) => Agreement | undefined;
}

function indexesOf(set: AgreementSet): Indexes {
  const keys: { sha256: string; value: { agreement: Agreement; keyId: string } }[] = [];
  const certificates: { digest: string; value: Agreement }[] = [];
  for (const agreement of set.agreements.values()) {
    for (const key of agreement.credentials.apiKeys) keys.push({ sha256: key.sha256, value: { agreement, keyId: key.id } });
    for (const cert of agreement.credentials.clientCertificates) certificates.push({ digest: cert.sha256Fingerprint, value: agreement });
  }
  return { byKey: createApiKeyMatcher(keys), byFingerprint: createDigestMatcher(certificates) };
}

/**
 * Opens the registry of `options.dir`. Throws AgreementError when the initial folder is invalid:
 * the process must refuse to start rather than serve with no or partial agreements.
 *
 * `byApiKey` and `byCertificate` return the holder whatever its standing (suspended, expired):
 * the caller decides, so that such a partner gets a clear FORBIDDEN instead of UNAUTHENTICATED.
 */
export function openRegistry(options: RegistryOptions): WatchedRegistry {
  const { dir } = options;
  const debounceMs = options.debounceMs ?? 200;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  let set = loadAgreements(dir, options);
  let indexes = indexesOf(set);
  const listeners: ((event: ChangeEvent) => void)[] = [];
  let timer: NodeJS.Timeout | null = null;
  let watcher: fs.FSWatcher | null = null;

  const emit = (event: ChangeEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log(`agreements: a change listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const reload = (): boolean => {
    let next: AgreementSet;
    try {
      next = loadAgreements(dir, options);
    } catch (error) {
      const problems = error instanceof AgreementError ? error.problems : [error instanceof Error ? error.message : String(error)];
      const reason =
        `refused the change to ${dir}: expected a folder of valid agreements, got ${problems.length} problem${problems.length === 1 ? '' : 's'}; ` +
        `kept the agreements loaded at ${set.loadedAt}:\n  ${problems.join('\n  ')}`;
      log(`agreements: ${reason}`);
      emit({ applied: false, reason });
      return false;
    }
    set = next;
    indexes = indexesOf(next);
    emit({ applied: true, set: next });
    return true;
  };

  if (options.watch ?? true) {
    // persistent: false: the registry must not be what keeps a process alive.
    watcher = fs.watch(dir, { persistent: false }, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, debounceMs);
      timer.unref();
    });
    watcher.on('error', (error) => {
      const reason = `stopped watching ${dir}: ${error.message}; kept the agreements loaded at ${set.loadedAt} (restart to watch again)`;
      log(`agreements: ${reason}`);
      emit({ applied: false, reason });
    });
  }

  return {
    current: () => set,
    get: (id) => set.agreements.get(id),
    byApiKey: (key) => indexes.byKey(key),
    byCertificate: (fingerprint) => indexes.byFingerprint(normaliseFingerprint(fingerprint)),
    onChange: (listener) => {
      listeners.push(listener);
    },
    reload,
    close: () => {
      if (timer) clearTimeout(timer);
      timer = null;
      watcher?.close();
      watcher = null;
    },
  };
}
