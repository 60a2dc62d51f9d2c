import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** USER_HZ on Linux: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS = 100;

/** User and system CPU seconds of a process so far. */
function cpuSeconds(pid: number): [number, number] {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return [Number(fields[11]) / TICKS, Number(fields[12]) / TICKS];
  } catch {
    return [0, 0]; // exited
  }
}

function pidsOf(command: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', command], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU time (user + system, from /proc) spent by the processes of a request path while a load runs:
 * named service processes (or groups of them, such as one database's Postgres sessions), the
 * machine's NATS server and every Postgres process (other sessions' work included: indicative on
 * a shared machine), and this process (the load generator).
 */
export class ProcessCpu {
  private constructor(private readonly groups: Record<string, () => number[]>, private readonly start: Map<number, [number, number]>) {}

  static start(pids: Record<string, number | number[] | undefined>): ProcessCpu {
    const groups: Record<string, () => number[]> = {
      ...Object.fromEntries(Object.entries(pids).filter(([, pid]) => pid !== undefined).map(([name, pid]) => [name, () => [pid!].flat()])),
      'nats-server': () => pidsOf('nats-server'),
      postgres: () => pidsOf('postgres'),
      'load generator': () => [process.pid],
    };
    const start = new Map<number, [number, number]>();
    for (const pids of Object.values(groups)) for (const pid of pids()) start.set(pid, cpuSeconds(pid));
    return new ProcessCpu(groups, start);
  }

  /**
   * Milliseconds of CPU per operation, by process, since `start` (user + system, and system alone):
   * a process started since counts whole, one that ended since is not counted.
   */
  perOperation(operations: number): Record<string, { ms: number; systemMs: number }> {
    const perOp = (seconds: number) => Math.round((seconds * 1000 / Math.max(1, operations)) * 1000) / 1000;
    return Object.fromEntries(Object.entries(this.groups).map(([name, pids]) => {
      let user = 0;
      let system = 0;
      for (const pid of pids()) {
        const [u, s] = cpuSeconds(pid);
        const [u0, s0] = this.start.get(pid) ?? [0, 0];
        if (u + s >= u0 + s0) {
          user += u - u0;
          system += s - s0;
        }
      }
      return [name, { ms: perOp(user + system), systemMs: perOp(system) }];
    }));
  }
}
