import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { loadAgreements } from '../../authz/agreement';
import type { Agreement, AgreementRegistry, AgreementSet, Caller } from '../../authz/types';
import type { AuditEntry, AuditLog } from '../../audit/types';
import { AuditUnavailableError } from '../../audit/types';
import { loadConfig } from '../../lib/config';
import { SUPERGRAPH_FILE } from '../../router/index';

/**
 * Access fixtures for tests: the shipped demo agreements (validated exactly as at start-up), a
 * caller of any of them, a registry over them, and an in-memory audit log that can be made to fail.
 */

let demo: AgreementSet | undefined;

/** The demo agreements of authz/agreements, loaded once per test file. */
export function demoAgreements(): AgreementSet {
  demo ??= loadAgreements(loadConfig({}).agreementsDir, { supergraphSdl: fs.readFileSync(SUPERGRAPH_FILE, 'utf8'), production: false });
  return demo;
}

export function demoAgreement(id: string): Agreement {
  const agreement = demoAgreements().agreements.get(id);
  if (!agreement) throw new Error(`test fixture: no demo agreement ${id}`);
  return agreement;
}

/** A caller of a demo agreement, with its first purpose and a valid end user. */
export function callerOf(id: string, requestId: string = randomUUID()): Caller {
  const agreement = demoAgreement(id);
  return { agreement, purpose: agreement.purposes[0].code, endUser: '12345678-5', caseRef: null, requestId };
}

/** A fixed registry over the demo agreements (no folder watching). */
export function demoRegistry(): AgreementRegistry {
  const set = demoAgreements();
  return {
    current: () => set,
    get: (id) => set.agreements.get(id),
    byApiKey: () => undefined,
    byCertificate: () => undefined,
    onChange: () => undefined,
    close: () => undefined,
  };
}

/** An audit log kept in memory; `failing = true` makes every append fail as a full disk would. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  failing = false;

  async append(entry: AuditEntry): Promise<void> {
    if (this.failing) throw new AuditUnavailableError('test: audit storage made to fail');
    this.entries.push(entry);
  }

  async close(): Promise<void> {}
}
