import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, Subjects, type ImportBatchReply, type ImportBatchRequest, type ImportLine, type JobError } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import { JOBS_CONFIG, type JobsConfig } from '../config';
import { SECTION_ORDER, type ImportCheckpoint, type JobCounts, type Section } from '../jobs/job-row';
import { JobsRepository, type LogEntry } from '../jobs/jobs.repository';
import { JobStorage } from '../storage/job-storage';
import { collectGarbage } from './heap';
import { logEntry } from './import-log';
import { LeaseLost, type JobLease } from './job-lease';

/** Batches between full garbage collections (see heap.ts). */
const GC_EVERY_BATCHES = 20;

/** The file is not an import file: the job fails with this, naming the line. */
class MalformedFile extends Error {}

interface PendingBatch {
  section: Section;
  batch: number;
  lastLine: number;
  reply: Promise<ImportBatchReply>;
}

export type ImportOutcome = { status: 'succeeded' | 'cancelled'; counts: JobCounts } | { status: 'failed'; counts: JobCounts; error: JobError };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Runs an import job: reads the file as a stream, line by line, section by section, and hands each
 * section's lines to the service that owns them, in batches (models in one). After each batch is
 * committed, its log lines and the checkpoint after it are recorded together, so a replica that
 * takes the job over reads on from there; batches already written by the owning service but not
 * yet checkpointed are sent again and answered from that service's ledger, not written twice.
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly repo: JobsRepository,
    private readonly storage: JobStorage,
    private readonly services: InternalClient,
    @Inject(JOBS_CONFIG) private readonly config: JobsConfig,
  ) {}

  /**
   * One batch to its service. A service briefly unavailable (restarting, or a reply lost) is asked
   * again: the same batch is never written twice (its ledger answers a repeat).
   */
  private async send(subject: typeof Subjects.ModelsImport | typeof Subjects.TwinsImport | typeof Subjects.RelationshipsImport, payload: ImportBatchRequest): Promise<ImportBatchReply> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.services.request(subject, payload, { timeoutMs: subject === Subjects.ModelsImport ? 300_000 : this.config.JOBS_BATCH_TIMEOUT_MS });
      } catch (err) {
        const transient = err instanceof DomainError && (err.code === 'ServiceUnavailable' || err.code === 'GatewayTimeout');
        if (!transient || attempt >= 8) throw err;
        await new Promise((r) => setTimeout(r, 250 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  async run(lease: JobLease): Promise<ImportOutcome> {
    const job = lease.job;
    const state: ImportCheckpoint = job.checkpoint ?? { line: 0, section: 'None', batch: 0, modelsDone: false };
    const counts: JobCounts = job.counts ?? { models: 0, twins: 0, relationships: 0, errors: 0 };
    const pending: PendingBatch[] = [];
    const { batchSize, batchBytes } = job.settings;
    let section: Section = state.section;
    let batch = state.batch;
    let modelsDone = state.modelsDone;
    let items: ImportLine[] = [];
    let bytes = 0;
    let models: ImportLine[] = [];
    let lastModelLine = 0;
    let cancelled = false;
    const startLog: LogEntry[] = [logEntry('job:Started', job.id, 'Info', { status: 'Started' })];

    const record = async (checkpoint: ImportCheckpoint, log: LogEntry[]) => {
      const held = await this.repo.checkpoint('import', job.id, lease.owner, lease.leaseMs, checkpoint, counts, log);
      if (!held) throw new LeaseLost(`job ${job.id} was taken over or forgotten`);
      if (held.cancel) cancelled = true;
    };
    const errorLines = (s: Section, reply: ImportBatchReply) => reply.errors.map((e) => logEntry(`line:${e.line}`, job.id, 'Error', {
      section: s, line: e.line, exceptionType: e.code, message: e.message,
    }));
    const commitOldest = async () => {
      const b = pending.shift();
      if (!b) return;
      const reply = await b.reply;
      counts[b.section === 'Twins' ? 'twins' : 'relationships'] += reply.created;
      if (b.batch % GC_EVERY_BATCHES === 0) collectGarbage();
      counts.errors += reply.errors.length;
      await record({ line: b.lastLine, section: b.section, batch: b.batch, modelsDone }, errorLines(b.section, reply));
    };
    const drain = async () => {
      while (pending.length > 0) await commitOldest();
    };
    const dispatch = async () => {
      if (items.length === 0) return;
      batch += 1;
      const subject = section === 'Twins' ? Subjects.TwinsImport : Subjects.RelationshipsImport;
      const reply = this.send(subject, { jobId: job.id, batch, items });
      reply.catch(() => undefined); // awaited in order by commitOldest
      pending.push({ section, batch, lastLine: items[items.length - 1].line, reply });
      items = [];
      bytes = 0;
      while (pending.length >= this.config.JOBS_PIPELINE) await commitOldest();
    };
    const uploadModels = async () => {
      if (modelsDone) return;
      const reply = models.length === 0 ? { created: 0, errors: [] } : await this.send(Subjects.ModelsImport, { jobId: job.id, batch: 0, items: models });
      modelsDone = true;
      counts.models += reply.created;
      counts.errors += reply.errors.length;
      models = [];
      await record({ line: lastModelLine, section: 'Models', batch, modelsDone }, [
        ...errorLines('Models', reply), logEntry('Models:Succeeded', job.id, 'Info', { section: 'Models', status: 'Succeeded' }),
      ]);
    };
    /** Ends the current section: its batches committed, its success logged. */
    const endSection = async () => {
      if (section === 'Models') await uploadModels();
      if (section === 'Twins' || section === 'Relationships') {
        await dispatch();
        await drain();
        await this.repo.appendLog(this.repo.db, 'import', job.id, [logEntry(`${section}:Succeeded`, job.id, 'Info', { section, status: 'Succeeded' })]);
      }
    };

    await this.repo.appendLog(this.repo.db, 'import', job.id, startLog);
    let input: Readable;
    try {
      input = await this.storage.open(job.input_uri ?? '');
    } catch (err) {
      // The input is gone, refused or unreadable (an HTTP error): the job fails with why.
      if (err instanceof DomainError) return { status: 'failed', counts, error: { code: err.code, message: err.message } };
      throw err;
    }
    const lines = createInterface({ input, crlfDelay: Infinity });
    let lineNo = 0;
    let headerBody = section !== 'Header' || state.line > 0;
    try {
      for await (const rawLine of lines) {
        lineNo += 1;
        if (lineNo <= state.line) continue;
        lease.check();
        if (cancelled || lease.cancelRequested) {
          cancelled = true;
          break;
        }
        const text = lineNo === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
        if (text.trim().length === 0) continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new MalformedFile(`Line ${lineNo} is not JSON: an import file has one JSON object per line.`);
        }
        if (isObject(value) && typeof value.Section === 'string' && value.$dtId === undefined && value['@id'] === undefined) {
          const next = value.Section as Section;
          if (!SECTION_ORDER.includes(next) || next === 'None') throw new MalformedFile(`Line ${lineNo}: unknown section ${value.Section}; the sections are Header, Models, Twins and Relationships.`);
          if (section === 'None' && next !== 'Header') throw new MalformedFile(`Line ${lineNo}: the file must start with {"Section": "Header"}.`);
          if (SECTION_ORDER.indexOf(next) <= SECTION_ORDER.indexOf(section)) {
            throw new MalformedFile(`Line ${lineNo}: section ${next} is out of order; the sections are Header, Models, Twins and Relationships, in that order, each at most once.`);
          }
          await endSection();
          section = next;
          headerBody = next !== 'Header';
          if (next !== 'Header') await this.repo.appendLog(this.repo.db, 'import', job.id, [logEntry(`${next}:Started`, job.id, 'Info', { section: next, status: 'Started' })]);
          continue;
        }
        switch (section) {
          case 'None':
            throw new MalformedFile(`Line ${lineNo}: the file must start with {"Section": "Header"}.`);
          case 'Header':
            if (headerBody || !isObject(value)) throw new MalformedFile(`Line ${lineNo}: the Header section holds one JSON object (fileVersion, author, organization).`);
            headerBody = true;
            continue;
          case 'Models':
            models.push({ line: lineNo, value });
            lastModelLine = lineNo;
            continue;
          default:
            items.push({ line: lineNo, value });
            bytes += text.length + 16;
            if (items.length >= batchSize || bytes >= batchBytes) await dispatch();
        }
      }
      if (section === 'None') throw new MalformedFile('The file is empty: it must start with {"Section": "Header"}.');
      if (cancelled) {
        await drain();
        return { status: 'cancelled', counts };
      }
      await endSection();
      return { status: 'succeeded', counts };
    } catch (err) {
      lines.close();
      input.destroy();
      // Batches in flight are left to their services; their replies are not needed any more.
      if (err instanceof LeaseLost) throw err;
      await drain().catch(() => undefined);
      if (err instanceof MalformedFile) return { status: 'failed', counts, error: { code: 'ValidationFailed', message: err.message } };
      if (err instanceof DomainError) return { status: 'failed', counts, error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
      throw err;
    }
  }
}
