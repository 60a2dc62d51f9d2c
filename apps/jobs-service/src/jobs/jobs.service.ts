import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type CreateDeleteJobRequest, type CreateExportJobRequest, type CreateImportJobRequest, type DeleteJob, type ExportJob, type ImportJob,
  type JobKind, type JobLogReply, type JobLogRequest, type ListJobsRequest,
} from '@odt/contracts';
import { decodeCursor, encodeCursor } from '@odt/graph-domain';
import { currentCall } from '@odt/service-kit';
import { JOBS_CONFIG, type JobsConfig } from '../config';
import { exportFile, JobStorage, removeJobFiles } from '../storage/job-storage';
import { JobWorker } from '../worker/job-worker';
import { toDeleteJob, toExportJob, toImportJob, type JobRow } from './job-row';
import { JobErrors, JOB_ID } from './jobs.errors';
import { JobsRepository, type NewJob } from './jobs.repository';

/** ADT's timeoutInMinutes of a delete job: 15 minutes to 24 hours, 12 hours by default. */
const DELETE_TIMEOUT = { min: 15, max: 1440, default: 720 };

@Injectable()
export class JobsService {
  constructor(
    private readonly repo: JobsRepository,
    private readonly storage: JobStorage,
    private readonly worker: JobWorker,
    @Inject(JOBS_CONFIG) private readonly config: JobsConfig,
  ) {}

  async createImport(req: CreateImportJobRequest): Promise<ImportJob> {
    this.checkId(req.id);
    await this.storage.parse('inputBlobUri', req.inputBlobUri);
    // Extension: without an outputBlobUri (ADT requires one) the log also goes to logs/<id>.output.ndjson.
    const output = req.outputBlobUri ?? `file:///logs/${encodeURIComponent(req.id).replace(/%/g, '_')}.output.ndjson`;
    if (req.outputBlobUri === undefined) await this.storage.directory('logs');
    await this.storage.parse('outputBlobUri', output);
    const row = await this.create({ kind: 'import', id: req.id, inputUri: req.inputBlobUri as string, outputUri: output as string, settings: this.batchSettings() });
    return toImportJob(row);
  }

  async createDelete(req: CreateDeleteJobRequest): Promise<DeleteJob> {
    const id = req.id ?? randomUUID();
    this.checkId(id);
    const timeout = req.timeoutInMinutes ?? DELETE_TIMEOUT.default;
    if (!Number.isInteger(timeout) || timeout < DELETE_TIMEOUT.min || timeout > DELETE_TIMEOUT.max) {
      throw JobErrors.invalid(`timeoutInMinutes must be an integer from ${DELETE_TIMEOUT.min} to ${DELETE_TIMEOUT.max}.`);
    }
    return toDeleteJob(await this.create({ kind: 'delete', id, settings: { ...this.batchSettings(), timeoutInMinutes: timeout } }));
  }

  async createExport(req: CreateExportJobRequest): Promise<ExportJob> {
    this.checkId(req.id);
    if (req.query !== undefined && (typeof req.query !== 'string' || req.query.trim().length === 0)) throw JobErrors.invalid('query must be a non-empty string when given.');
    const row = await this.create({ kind: 'export', id: req.id, settings: this.batchSettings(), ...(req.query ? { query: req.query as string } : {}) });
    return toExportJob(row);
  }

  async getImport(id: string): Promise<ImportJob> {
    return toImportJob((await this.repo.get('import', id)) ?? this.notFound('import', id));
  }

  async getDelete(id: string): Promise<DeleteJob> {
    return toDeleteJob((await this.repo.get('delete', id)) ?? this.notFound('delete', id));
  }

  async getExport(id: string): Promise<ExportJob> {
    return toExportJob((await this.repo.get('export', id)) ?? this.notFound('export', id));
  }

  async list(kind: JobKind, req: ListJobsRequest): Promise<{ rows: JobRow[]; nextCursor?: string }> {
    const limit = Math.min(Math.max(1, req.maxItemsPerPage), this.config.JOBS_MAX_PAGE_SIZE);
    const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, (v): v is string => typeof v === 'string' && /^\d+$/.test(v));
    const rows = await this.repo.list(kind, after, limit + 1);
    const page = rows.slice(0, limit);
    return { rows: page, ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].seq) } : {}) };
  }

  /** Forgets an import job, and removes its uploaded file and the log written for it (jobFiles). */
  async deleteImport(id: string): Promise<void> {
    const job = (await this.repo.delete('import', id)) ?? this.notFound('import', id);
    await removeJobFiles(this.storage, job);
  }

  async cancelImport(id: string): Promise<ImportJob> {
    const row = (await this.repo.cancel('import', id)) ?? this.notFound('import', id);
    return toImportJob(row);
  }

  async log(req: JobLogRequest): Promise<JobLogReply> {
    const job = (await this.repo.get(req.kind, req.id)) ?? this.notFound(req.kind, req.id);
    const lines = await this.repo.logPage(req.kind, req.id, req.after ?? 0, Math.min(Math.max(1, req.limit), 5000));
    const finished = !['notstarted', 'running', 'cancelling'].includes(job.status);
    const next = lines.length > 0 ? Number(lines[lines.length - 1].seq) : (req.after ?? 0);
    return { lines: lines.map((l) => l.line), ...(lines.length > 0 || !finished ? { next } : {}) };
  }

  async exportOutput(id: string): Promise<{ path: string }> {
    const job = (await this.repo.get('export', id)) ?? this.notFound('export', id);
    if (job.status !== 'succeeded') throw JobErrors.notFinished(id);
    return { path: exportFile(id) };
  }

  private async create(job: Omit<NewJob, 'caller'>): Promise<JobRow> {
    const caller = currentCall()?.caller;
    const outcome = await this.repo.create({ ...job, ...(caller ? { caller } : {}) });
    if ('conflict' in outcome) throw outcome.conflict === 'bulk' ? JobErrors.limitReached() : JobErrors.idTaken(job.kind, job.id);
    this.worker.wake();
    return outcome.row;
  }

  private batchSettings() {
    return { batchSize: this.config.JOBS_BATCH_SIZE, batchBytes: this.config.JOBS_BATCH_BYTES };
  }

  private checkId(id: unknown): asserts id is string {
    if (typeof id !== 'string' || !JOB_ID.test(id)) throw JobErrors.invalid('A job id is 1 to 128 characters from A-Z a-z 0-9 - . _ ~ : @ ! $ & \' ( ) * + , ; =.');
  }

  private notFound(kind: JobKind, id: string): never {
    throw kind === 'import' ? JobErrors.importNotFound(id) : kind === 'delete' ? JobErrors.deleteNotFound(id) : JobErrors.exportNotFound(id);
  }
}

export { exportFile } from '../storage/job-storage';

