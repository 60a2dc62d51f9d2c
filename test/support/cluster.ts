import type { ChildProcess } from 'node:child_process';
import { SERVICES, spawnService, type ServiceName } from '../../tools/services';
import { freePort } from './processes';

/** One replica of a service: its own OS process on its own port. */
export interface Replica {
  readonly service: ServiceName;
  /** 0-based among the service's replicas. */
  readonly index: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` (the API for a gateway; probes and /metrics for every service). */
  readonly url: string;
  /** `<service>#<index>`, for messages. */
  readonly name: string;
  /** The process id while it runs. */
  readonly pid: number | undefined;
  running(): boolean;
  /** The end of what the process wrote to stdout and stderr (for a failing test's message). */
  output(): string;
}

export interface ClusterOptions {
  /** The environment of every replica: an isolation's, plus overrides. */
  env: Record<string, string>;
  /** Replicas per service (default 2). */
  replicas?: number;
  /** The services to run (default all of them). */
  services?: readonly ServiceName[];
  /** How long a replica may take to become ready (default 90 s: a loaded machine compiles slowly). */
  readyTimeoutMs?: number;
}

/** Services as separate OS processes sharing one NATS, one Postgres and one isolation. */
export interface Cluster {
  readonly replicas: readonly Replica[];
  of(service: ServiceName): Replica[];
  /** The gateways' URLs, in replica order, running or not (as a client knows them). */
  gatewayUrls(): string[];
  /** Kills a replica (default SIGKILL: no graceful shutdown) and waits for its exit. */
  kill(replica: Replica, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped replica again on its port; resolves once it is ready. */
  restart(replica: Replica): Promise<void>;
  /** Each replica's `/readyz` status (0: no answer, or not running). */
  readiness(): Promise<Map<Replica, number>>;
  /** Resolves once every running replica answers `/readyz` 200. */
  untilReady(timeoutMs?: number): Promise<void>;
  /** Exits nobody asked for (`<name>: code or signal`, then the end of its output). */
  crashes(): string[];
  /** A replica's `/metrics`, parsed. */
  metrics(replica: Replica): Promise<MetricSample[]>;
  /** Stops every replica (SIGTERM, then SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

interface ReplicaState extends Replica {
  child?: ChildProcess;
  log: string;
  /** Set when this side kills or stops it. */
  stopping?: boolean;
}

const LOG_TAIL = 8000;

/**
 * Starts `replicas` processes of each service (`node -r @swc-node/register apps/<name>/src/main.ts`,
 * as `npm start` does) on free ports and waits until all are ready. Each stops itself should this
 * process die without stopping them (`ODT_SUPERVISOR_PID`), and a process exit handler SIGKILLs
 * any left.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const services = options.services ?? SERVICES.map((s) => s.name);
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const replicas: ReplicaState[] = [];
  const crashes: string[] = [];
  for (const service of services) {
    for (let index = 0; index < (options.replicas ?? 2); index++) {
      const port = await freePort();
      const state: ReplicaState = {
        service, index, port, url: `http://127.0.0.1:${port}`, name: `${service}#${index}`, log: '',
        get pid() {
          return state.child?.pid;
        },
        running: () => isRunning(state.child),
        output: () => state.log,
      };
      replicas.push(state);
    }
  }

  const spawnReplica = (r: ReplicaState) => {
    const child = spawnService(r.service, { ...options.env, PORT: String(r.port), ODT_SUPERVISOR_PID: String(process.pid) }, 'pipe');
    const keep = (chunk: Buffer) => (r.log = (r.log + chunk.toString()).slice(-LOG_TAIL));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (!r.stopping) crashes.push(`${r.name}: exited (${code ?? signal})\n${r.log.slice(-2000)}`);
    });
    r.stopping = false;
    r.child = child;
  };
  const killAll = () => {
    for (const r of replicas) if (isRunning(r.child)) r.child!.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const readyOrExited = async (r: ReplicaState, timeoutMs = readyTimeoutMs) => {
    const child = r.child!;
    const outcome = await Promise.race([
      untilStatus(r.url, 200, timeoutMs, () => isRunning(child)).then(() => 'ready', (err: Error) => err.message),
      exited(child).then(() => `exited (${child.exitCode ?? child.signalCode}) before it was ready`),
    ]);
    if (outcome !== 'ready') throw new Error(`${r.name}: ${outcome}\n${r.log}`);
  };

  const cluster: Cluster = {
    replicas,
    of: (service) => replicas.filter((r) => r.service === service),
    gatewayUrls: () => replicas.filter((r) => r.service === 'gateway').map((g) => g.url),
    async kill(replica, signal = 'SIGKILL') {
      const child = (replica as ReplicaState).child;
      if (!isRunning(child)) return;
      (replica as ReplicaState).stopping = true;
      child!.kill(signal);
      await exited(child!);
    },
    async restart(replica) {
      const r = replica as ReplicaState;
      if (isRunning(r.child)) throw new Error(`${r.name} is running`);
      spawnReplica(r);
      await readyOrExited(r);
    },
    async readiness() {
      const statuses = await Promise.all(replicas.map((r) => (r.running() ? probe(`${r.url}/readyz`) : 0)));
      return new Map(replicas.map((r, i) => [r as Replica, statuses[i]]));
    },
    async untilReady(timeoutMs = readyTimeoutMs) {
      await Promise.all(replicas.filter((r) => r.running()).map((r) => readyOrExited(r, timeoutMs)));
    },
    crashes: () => [...crashes],
    async metrics(replica) {
      const res = await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`${replica.name} /metrics answered ${res.status}`);
      return parseMetrics(await res.text());
    },
    async stop(graceMs = 8000) {
      await Promise.all(replicas.map(async (r) => {
        const child = r.child;
        if (!isRunning(child)) return;
        r.stopping = true;
        child!.kill('SIGTERM');
        const timer = setTimeout(() => child!.kill('SIGKILL'), graceMs);
        await exited(child!);
        clearTimeout(timer);
      }));
      process.removeListener('exit', killAll);
    },
  };

  for (const r of replicas) spawnReplica(r);
  try {
    await Promise.all(replicas.map((r) => readyOrExited(r)));
  } catch (err) {
    await cluster.stop(1000);
    throw err;
  }
  return cluster;
}

function isRunning(child: ChildProcess | undefined): boolean {
  return !!child && child.exitCode === null && child.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  return isRunning(child) ? new Promise((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
}

/** The HTTP status of a GET (0 when nothing answers within 2.5 s). */
export async function probe(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2500) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function untilStatus(baseUrl: string, status: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await probe(`${baseUrl}/readyz`)) !== status) {
    if (!alive()) throw new Error('exited');
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One line of Prometheus text: a name, its labels and a value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (comments skipped; label values unescaped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(LABEL)) labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `labels`. */
export function metricSum(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
