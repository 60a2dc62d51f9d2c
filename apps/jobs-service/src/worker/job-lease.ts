import type { JobKind } from '@odt/contracts';
import type { JobRow } from '../jobs/job-row';
import type { JobsRepository } from '../jobs/jobs.repository';

/** The job is no longer this worker's: another replica took it over, or it was forgotten. */
export class LeaseLost extends Error {}

/** A job held by this worker: its heartbeat keeps the lease while the job runs. */
export class JobLease {
  lost = false;
  cancelRequested = false;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly job: JobRow,
    readonly owner: string,
    readonly leaseMs: number,
    private readonly repo: JobsRepository,
  ) {}

  get kind(): JobKind {
    return this.job.kind;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.repo.heartbeat(this.job.kind, this.job.id, this.owner, this.leaseMs).then((held) => {
        if (!held) this.lost = true;
        else if (held.cancel) this.cancelRequested = true;
      }, () => undefined);
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  check(): void {
    if (this.lost) throw new LeaseLost(`job ${this.job.id} is no longer held by ${this.owner}`);
  }
}
