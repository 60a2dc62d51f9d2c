import type { ChildProcess } from 'node:child_process';

/**
 * Restart policy, as Kubernetes applies to a crashing container: wait `initialMs` before the
 * first restart, double the wait after each exit up to `maxMs`, and start again from `initialMs`
 * once a process has stayed up `resetAfterMs`.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/** The wait before the restart that follows `failures` earlier exits in a row (0: the first). */
export function restartDelay(failures: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures, 30));
}

export interface SupervisedProcess {
  name: string;
  spawn(): ChildProcess;
}

export type SupervisorEvent =
  | { kind: 'started'; name: string; pid: number | undefined; restarts: number }
  | { kind: 'exited'; name: string; code: number | null; signal: NodeJS.Signals | null; upMs: number; restartInMs: number; restarts: number };

interface Running {
  process: SupervisedProcess;
  child?: ChildProcess;
  startedAt: number;
  /** Exits in a row without staying up `resetAfterMs`. */
  failures: number;
  restarts: number;
  timer?: NodeJS.Timeout;
}

/**
 * Keeps processes running: one that exits, for whatever reason, is started again after the
 * policy's wait. `stop()` ends them all (SIGTERM, then SIGKILL after `graceMs`) and restarts none.
 */
export class Supervisor {
  private readonly running: Running[];
  private stopping = false;

  constructor(
    processes: SupervisedProcess[],
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly onEvent: (event: SupervisorEvent) => void = () => undefined,
  ) {
    this.running = processes.map((process) => ({ process, startedAt: 0, failures: 0, restarts: 0 }));
  }

  start(): void {
    for (const r of this.running) this.launch(r);
  }

  /** The current child of a process (undefined while it waits to be restarted). */
  child(name: string): ChildProcess | undefined {
    const child = this.running.find((r) => r.process.name === name)?.child;
    return child && child.exitCode === null && child.signalCode === null ? child : undefined;
  }

  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const alive = this.running.flatMap((r) => {
      clearTimeout(r.timer);
      const child = r.child;
      return child && child.exitCode === null && child.signalCode === null ? [child] : [];
    });
    await Promise.all(alive.map(async (child) => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }));
  }

  private launch(r: Running): void {
    if (this.stopping) return;
    const child = r.process.spawn();
    r.child = child;
    r.startedAt = Date.now();
    this.onEvent({ kind: 'started', name: r.process.name, pid: child.pid, restarts: r.restarts });
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const upMs = Date.now() - r.startedAt;
      if (upMs >= this.policy.resetAfterMs) r.failures = 0;
      const restartInMs = restartDelay(r.failures, this.policy);
      r.failures++;
      r.restarts++;
      this.onEvent({ kind: 'exited', name: r.process.name, code, signal, upMs, restartInMs, restarts: r.restarts });
      r.timer = setTimeout(() => this.launch(r), restartInMs);
    });
    // A process that cannot even be spawned (exec failure) exits too; `error` alone must not crash us.
    child.on('error', () => undefined);
  }
}
