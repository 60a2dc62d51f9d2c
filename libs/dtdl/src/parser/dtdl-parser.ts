import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ObjectModel } from '../object-model';
import { outcomeOfParserError, type ParseOutcome } from './parse-outcome';

type WorkerReply = { id: number; ok: true; result: string } | { id: number; ok: false; error: string };

interface PendingCall {
  worker: Worker;
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

/**
 * The official DTDL parser behind a worker thread. Calls are queued in the worker and answered in
 * order; a crashed worker fails its pending calls and is replaced on the next call. The worker is
 * unref'd while idle, so the parser never keeps a process alive, yet holds it while a call is pending.
 */
export class DtdlParser {
  private worker?: Worker;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;

  constructor(private readonly workerPath = path.join(__dirname, 'parser-worker.mjs')) {}

  /** Parses the documents (each one DTDL document: an Interface object or an array of them) as one model. */
  async parse(documents: unknown[]): Promise<ParseOutcome> {
    const reply = await this.call({ text: JSON.stringify(documents) });
    if (reply.ok) return { kind: 'ok', objectModel: JSON.parse(reply.result) as ObjectModel };
    return outcomeOfParserError(reply.error);
  }

  async parserVersion(): Promise<string> {
    const reply = await this.call({ op: 'version' });
    if (!reply.ok) throw new Error(reply.error);
    return reply.result;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private call(message: { op?: 'version'; text?: string }): Promise<WorkerReply> {
    const worker = this.worker ?? this.startWorker();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...message });
    });
  }

  private startWorker(): Worker {
    const worker = new Worker(this.workerPath);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const call = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!this.hasPendingCalls(worker)) worker.unref();
      call?.resolve(reply);
    });
    worker.on('error', (error) => this.abandon(worker, error));
    worker.on('exit', (code) => this.abandon(worker, new Error(`The DTDL parser worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /** Fails every call still waiting on a worker that died (or was closed), and forgets that worker. */
  private abandon(worker: Worker, error: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, call] of this.pending) {
      if (call.worker !== worker) continue;
      this.pending.delete(id);
      call.reject(error);
    }
  }

  private hasPendingCalls(worker: Worker): boolean {
    for (const call of this.pending.values()) if (call.worker === worker) return true;
    return false;
  }
}
