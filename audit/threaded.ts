import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditUnavailableError, type AuditEntry, type AuditLog } from './types';
import type { SqliteAuditLogOptions } from './sqlite';

/**
 * The audit trail written from a worker thread. Each SqliteAuditLog commit waits for an fsync
 * (synchronous=FULL) and, across processes, for SQLite's write lock; better-sqlite3 does both on
 * the calling thread, which in a server is the event loop (bench S4: ~30% of throughput). Here the
 * same SqliteAuditLog runs in a worker: the server keeps serving while records are made durable,
 * and records arriving during a commit are grouped into the next one.
 *
 * The contract is unchanged: `append` resolves only after the worker's transaction holding the
 * record committed, and rejects with AuditUnavailableError otherwise (also when the worker dies).
 */

type Reply = { id: number; ok: true } | { id: number; ok: false; message: string } | { ready: true } | { failed: string };

/** The worker's code: loads SqliteAuditLog (compiled JS in dist/, the TypeScript source under tests). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.modulePath.endsWith('.ts')) {
  const fs = require('node:fs');
  const ts = require('typescript');
  require.extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    module._compile(outputText, filename);
  };
}
const { SqliteAuditLog } = require(workerData.modulePath);
let log;
try {
  log = SqliteAuditLog.open(workerData.file, workerData.options);
  parentPort.postMessage({ ready: true });
} catch (error) {
  parentPort.postMessage({ failed: error.message });
}
parentPort.on('message', (message) => {
  if (message.close) {
    log.close().then(() => process.exit(0));
    return;
  }
  log.append(message.entry).then(
    () => parentPort.postMessage({ id: message.id, ok: true }),
    (error) => parentPort.postMessage({ id: message.id, ok: false, message: error.message }),
  );
});
`;

export class ThreadedAuditLog implements AuditLog {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: AuditUnavailableError) => void }>();
  private broken: string | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      if (!('id' in reply)) return;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiting?.resolve();
      else waiting?.reject(new AuditUnavailableError(reply.message));
    });
    const fail = (reason: string) => {
      this.broken = reason;
      for (const waiting of this.pending.values()) waiting.reject(new AuditUnavailableError(`audit record not written: ${reason}`));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(`the audit writer thread failed (${error.message})`));
    worker.on('exit', () => fail('the audit writer thread has stopped'));
  }

  /** Starts the writer thread on the register database `file`; rejects with AuditUnavailableError if it cannot open it. */
  static open(file: string, options: SqliteAuditLogOptions = {}): Promise<ThreadedAuditLog> {
    const modulePath = path.join(__dirname, `sqlite${path.extname(__filename)}`);
    const worker = new Worker(WORKER, { eval: true, workerData: { file: path.resolve(file), options, modulePath } });
    return new Promise((resolve, reject) => {
      const onFirst = (reply: Reply) => {
        if ('ready' in reply) {
          worker.off('message', onFirst);
          resolve(new ThreadedAuditLog(worker));
        } else if ('failed' in reply) {
          worker.off('message', onFirst);
          void worker.terminate();
          reject(new AuditUnavailableError(reply.failed));
        }
      };
      worker.on('message', onFirst);
      worker.once('error', (error) => reject(new AuditUnavailableError(`the audit writer thread failed to start (${error.message})`)));
    });
  }

  append(entry: AuditEntry): Promise<void> {
    if (this.broken) return Promise.reject(new AuditUnavailableError(`audit record not written: ${this.broken}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, entry });
    });
  }

  async close(): Promise<void> {
    if (this.broken) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ close: true });
    await exited;
  }
}
