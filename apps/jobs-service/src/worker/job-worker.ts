import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { ROOT_LOGGER, runInCall } from '@odt/service-kit';
import type { Logger } from 'pino';
import { JOBS_CONFIG, type JobsConfig } from '../config';
import type { JobRow } from '../jobs/job-row';
import { JobsRepository, type LogEntry } from '../jobs/jobs.repository';
import { JobStorage, removeJobFiles } from '../storage/job-storage';
import { DeleteRunner } from './delete-runner';
import { ExportRunner } from './export-runner';
import { logEntry } from './import-log';
import { ImportRunner } from './import-runner';
import { JobLease, LeaseLost } from './job-lease';

/**
 * Runs jobs: claims the oldest runnable one nobody holds (a lease in its row, kept by a heartbeat),
 * runs it, and looks again. A worker that dies leaves its lease to run out; then another replica
 * claims the job and resumes it from its checkpoint.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Set<Promise<void>>();
  private readonly leases = new Set<JobLease>();
  private stopped = false;
  private wakeUp?: () => void;
  private loop?: Promise<void>;
  private lastPurge = 0;

  constructor(
    private readonly repo: JobsRepository,
    private readonly storage: JobStorage,
    private readonly imports: ImportRunner,
    private readonly deletions: DeleteRunner,
    private readonly exports: ExportRunner,
    @Inject(JOBS_CONFIG) private readonly config: JobsConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.JOBS_WORKER === 'on') this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
    // Jobs in progress stop at their next batch or page (a delete job's transaction finishes); their
    // leases run out and another replica resumes them from their checkpoints.
    for (const lease of this.leases) lease.lost = true;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, this.config.SHUTDOWN_TIMEOUT_MS / 2))]);
  }

  /** A job was created: look now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        while (this.running.size < this.config.JOBS_WORKER_CONCURRENCY) {
          const job = await this.repo.claim(this.owner, this.config.JOBS_LEASE_MS);
          if (!job) break;
          const done: Promise<void> = this.execute(job).finally(() => {
            this.running.delete(done);
            this.wakeUp?.(); // room for another job
          });
          this.running.add(done);
        }
        if (Date.now() - this.lastPurge > this.config.JOBS_PURGE_INTERVAL_MS) {
          this.lastPurge = Date.now();
          for (const job of await this.repo.purge()) {
            await removeJobFiles(this.storage, job).catch((err: Error) => this.logger.warn({ job: job.id, err: err.message }, 'the files of a purged job could not be removed'));
          }
        }
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'job worker could not claim a job; retrying');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.JOBS_POLL_MS);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async execute(job: JobRow): Promise<void> {
    const lease = new JobLease(job, this.owner, this.config.JOBS_LEASE_MS, this.repo);
    lease.start();
    this.leases.add(lease);
    this.logger.info({ job: job.id, kind: job.kind, resumed: job.checkpoint !== null }, 'job started');
    try {
      await runInCall({ requestId: `job:${job.kind}:${job.id}`, ...(job.caller ? { caller: job.caller } : {}) }, () => this.dispatch(lease));
      this.logger.info({ job: job.id, kind: job.kind }, 'job finished');
    } catch (err) {
      if (err instanceof LeaseLost || this.stopped) {
        this.logger.warn({ job: job.id, err: (err as Error).message }, 'job left to another worker');
        return;
      }
      this.logger.error({ job: job.id, err: (err as Error).message }, 'job failed');
      const error = { code: 'InternalServerError', message: (err as Error).message };
      await this.repo.finish(job.kind, job.id, this.owner, 'failed', error, undefined, [logEntry('job:end', job.id, 'Error', { status: 'Failed', ...error }, jobType(job))], this.config.JOBS_RETENTION_HOURS).catch(() => undefined);
    } finally {
      lease.stop();
      this.leases.delete(lease);
    }
  }

  private async dispatch(lease: JobLease): Promise<void> {
    const job = lease.job;
    const retention = this.config.JOBS_RETENTION_HOURS;
    if (job.kind === 'delete') return this.deletions.run(lease);
    if (job.kind === 'export') {
      const counts = await this.exports.run(lease);
      await this.repo.finish('export', job.id, this.owner, 'succeeded', undefined, counts, [], retention);
      return;
    }
    const outcome = await this.imports.run(lease);
    const status = outcome.status === 'succeeded' ? 'Succeeded' : outcome.status === 'cancelled' ? 'Cancelled' : 'Failed';
    const details = { status, ...(outcome.status === 'failed' ? { exceptionType: outcome.error.code, message: outcome.error.message } : {}), ...outcome.counts };
    const last = logEntry('job:end', job.id, outcome.status === 'failed' ? 'Error' : 'Info', details);
    // The outputBlobUri holds the whole log, its last line included, before the job says it ended.
    await this.writeOutput(job, [last]);
    if (!(await this.repo.finish('import', job.id, this.owner, outcome.status, outcome.status === 'failed' ? outcome.error : undefined, outcome.counts, [last], retention))) {
      throw new LeaseLost(`job ${job.id} was taken over or forgotten`);
    }
  }

  /**
   * The outputBlobUri gets the whole log, the stored lines and then `last`, as the job ends (before
   * its status says so; it is always readable at GET …/output
   * too): a `file:///` one is written in the storage directory; an `http(s)` one (a pre-signed
   * URL) receives it with a PUT, written to a temporary file of the storage directory first (the
   * stores want its length). A failure is logged by the service; the job's status stands.
   */
  private async writeOutput(job: JobRow, last: LogEntry[]): Promise<void> {
    const uri = job.output_uri;
    if (!uri) return;
    const http = uri.startsWith('http:') || uri.startsWith('https:');
    if (!http && !uri.startsWith('file:')) return;
    let temporary: string | undefined;
    try {
      const relative = http ? `logs/${randomUUID()}.put.ndjson` : await this.storage.relative(await this.storage.confined('outputBlobUri', uri, false));
      const out = await this.storage.writer(relative);
      if (http) temporary = out.path;
      for (let after = 0; ;) {
        const page = await this.repo.logPage('import', job.id, after, 5000);
        if (page.length === 0) break;
        if (!out.stream.write(page.map((l) => l.line + '\n').join(''))) await new Promise<void>((r) => out.stream.once('drain', () => r()));
        after = Number(page[page.length - 1].seq);
      }
      out.stream.write(last.map((l) => l.line + '\n').join(''));
      await out.commit();
      if (http) await this.storage.put(new URL(uri), out.path, 'application/x-ndjson');
    } catch (err) {
      this.logger.warn({ job: job.id, err: (err as Error).message }, 'the job log could not be written to its outputBlobUri');
    } finally {
      if (temporary) for (const file of [temporary, `${temporary}.partial`]) await rm(file, { force: true }).catch(() => undefined);
    }
  }
}

const jobType = (job: JobRow) => (job.kind === 'import' ? 'Import' : job.kind === 'delete' ? 'Delete' : 'Export');
