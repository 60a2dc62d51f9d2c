import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { SERVICES } from '../../tools/services';
import { startCluster, type Cluster, type Replica } from './cluster';
import { checkWrites, committedEvents, compareEvents, streamEvents, untilOutboxDrained, type EventCheck, type WriteCheck } from './consistency';
import { untilRouted } from './events';
import { callGateway } from './gateway';
import { buildingModels, uniqueDtmiPrefix } from './models';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { startPrivateNats, type PrivateNats } from './processes';
import { migrate, newIsolation, type TestIsolation } from './system';
import { roomRing, startWriteLoad, type LoadWrite, type WriteLoad } from './write-load';

export interface ChaosOptions {
  /** Rounds of every fault (default 1); with `durationMs`, rounds go on until it has passed. */
  rounds?: number;
  durationMs?: number;
  /** Steady load before each fault (default 1 s). */
  settleMs?: number;
  /** How long NATS and Postgres stay down (default 1 s); a killed service is started again at once. */
  outageMs?: number;
  /** A fault not recovered from within this is reported as such (default 60 s). */
  recoveryTimeoutMs?: number;
  log?: (line: string) => void;
  /** Aborts between faults. */
  signal?: AbortSignal;
}

export interface ChaosSystemOptions {
  /** Replicas per service (default 1); a service fault kills all of them. */
  replicas?: number;
  /** Twins in the load (as many relationships between them; default 8). */
  twins?: number;
  log?: (line: string) => void;
}

/** One fault and how long the system took to get over it, by itself. */
export interface FaultOutcome {
  round: number;
  fault: string;
  /** From the fault (the process gone, the server down) to every replica's `/readyz` answering 200 again (null: not within the timeout). */
  readyMs: number | null;
  /** From the fault until a twin write and a relationship write, each sent after it, have been acknowledged. */
  writeMs: number | null;
  /** A replica the fault did not kill answered `/readyz` with other than 200 meanwhile. */
  sawUnready: boolean;
}

export interface ChaosReport {
  faults: FaultOutcome[];
  writes: { sent: number; acknowledged: number; unknown: number; refused: LoadWrite[] };
  events: EventCheck;
  check: WriteCheck;
  /** Committed events a `nats` endpoint (routed with filter `true`) never received. */
  undelivered: string[];
  /** Services that exited when nobody killed them. */
  crashes: string[];
  durationMs: number;
}

/** The system under test, its private Postgres and NATS, and the write load running against it. */
export interface ChaosSystem {
  iso: TestIsolation;
  pg: PrivatePostgres;
  nats: PrivateNats;
  cluster: Cluster;
  load: WriteLoad;
  /** The stream the `nats` endpoint's subject goes to. */
  sink: string;
  /** Stops the load and every process, and removes the private servers. */
  dispose(): Promise<void>;
}

interface Fault {
  name: string;
  /** The replicas it kills (none for NATS and Postgres). */
  victims: Replica[];
  inject(): Promise<void>;
  repair(): Promise<void>;
}

/**
 * The chaos scenario, on a private Postgres and a private NATS (the shared ones stay up for
 * everyone else): every service as OS processes, a steady write load of twins and relationships
 * through the gateway, and in each round every service SIGKILLed and started again in turn, then
 * NATS SIGKILLed and started again, then Postgres stopped in `immediate` mode (a crash) and
 * started again. Afterwards, every acknowledged write must read back, and every committed change
 * must be in the events stream exactly once and reach a routed endpoint.
 */
export async function runChaos(options: ChaosOptions & ChaosSystemOptions = {}): Promise<ChaosReport> {
  const system = await startChaosSystem(options);
  try {
    return await inflictFaults(system, options);
  } finally {
    await system.dispose();
  }
}

/** Starts the private servers, the services and the write load; resolves once writes succeed. */
export async function startChaosSystem(options: ChaosSystemOptions = {}): Promise<ChaosSystem> {
  const started = Date.now();
  const log = (line: string) => options.log?.(`setup ${((Date.now() - started) / 1000).toFixed(1)} s: ${line}`);
  const parts: Partial<ChaosSystem> = {};
  // The private nats-server must not outlive this process (Postgres and the services see to themselves).
  const killNats = () => void parts.nats?.kill('SIGKILL');
  process.once('exit', killNats);
  const dispose = async () => {
    try {
      await parts.load?.abandon();
      await parts.cluster?.stop(3000);
    } finally {
      await parts.nats?.dispose();
      await parts.pg?.dispose();
      process.removeListener('exit', killNats);
    }
  };
  try {
    const pg = (parts.pg = await startPrivatePostgres());
    const nats = (parts.nats = await startPrivateNats());
    const iso = isolationOn(pg, nats);
    await migrate(iso);
    log(`private Postgres on ${pg.port}, NATS at ${nats.url}; starting the services`);
    const cluster = (parts.cluster = await startCluster({
      replicas: options.replicas ?? 1,
      readyTimeoutMs: 180_000,
      env: {
        ...iso.env,
        LOG_LEVEL: 'warn',
        DATABASE_POOL_SIZE: '5',
        RATE_LIMIT_PER_CALLER: '0',
        RATE_LIMIT_GLOBAL: '0',
        NATS_REQUEST_TIMEOUT_MS: '4000',
        SHUTDOWN_TIMEOUT_MS: '3000',
      },
    }));
    log('services ready');
    const m = buildingModels(uniqueDtmiPrefix());
    const sink = await routeEverythingToSink(cluster.gatewayUrls()[0], iso);
    const models = await callGateway(cluster.gatewayUrls()[0], 'POST', '/models', m.all);
    if (models.status !== 201) throw new Error(`model upload answered ${models.status}`);
    const { twins, relationships } = roomRing('chaos', m.room['@id'], options.twins ?? 8);
    const load = (parts.load = startWriteLoad({ gateways: () => cluster.gatewayUrls(), items: [...twins, ...relationships], workers: 4, pauseMs: 5 }));
    await load.untilAcknowledged(twins.length * 2 + 20, 60_000);
    log(`load running (${load.acknowledged()} writes acknowledged)`);
    return { iso, pg, nats, cluster, load, sink, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Inflicts every fault in turn, round after round, then stops the load and checks what survived. */
export async function inflictFaults(system: ChaosSystem, options: ChaosOptions = {}): Promise<ChaosReport> {
  const { iso, cluster, load } = system;
  const started = Date.now();
  const log = (line: string) => options.log?.(`${((Date.now() - started) / 1000).toFixed(1)} s: ${line}`);
  const faults = faultsOf(cluster, system.pg, system.nats, options.outageMs ?? 1000);
  const outcomes: FaultOutcome[] = [];
  for (let round = 1; round <= (options.rounds ?? 1) || (options.durationMs !== undefined && Date.now() - started < options.durationMs); round++) {
    for (const fault of faults) {
      options.signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, options.settleMs ?? 1000));
      const outcome = await inflict(fault, round, cluster, load, options.recoveryTimeoutMs ?? 60_000);
      outcomes.push(outcome);
      log(`round ${round} ${fault.name}: ready after ${outcome.readyMs ?? '-'} ms, writes after ${outcome.writeMs ?? '-'} ms`);
    }
  }
  await load.untilAcknowledged(20, 30_000).catch(() => undefined);
  const writes = await load.stop();
  log(`load stopped (${writes.length} writes); checking`);

  await untilOutboxDrained(iso.databaseUrl, 60_000);
  const committed = await committedEvents(iso.databaseUrl);
  const events = compareEvents(committed, await streamEvents(iso.env.NATS_URL, iso.stream));
  const check = await checkWrites(cluster.gatewayUrls()[0], writes, committed);
  log('writes and events checked; waiting for the deliveries');
  const undelivered = await untilDelivered(iso.env.NATS_URL, system.sink, committed.map((e) => e.eventId), 60_000);
  return {
    faults: outcomes,
    writes: {
      sent: writes.length,
      acknowledged: check.acknowledged,
      unknown: writes.filter((w) => !w.acknowledged && !w.refused).length,
      refused: writes.filter((w) => w.refused),
    },
    events,
    check,
    undelivered,
    crashes: cluster.crashes(),
    durationMs: Date.now() - started,
  };
}

/**
 * A `nats` endpoint whose subject a stream captures (so the router publishes to it through
 * JetStream and nothing is lost while NATS restarts), and a route of every event to it.
 */
export async function routeEverythingToSink(gatewayUrl: string, iso: TestIsolation): Promise<string> {
  const stream = `${iso.stream}_SINK`;
  const subject = `sink.${iso.id}`;
  const nc = await connect({ servers: iso.env.NATS_URL });
  try {
    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [subject] });
    const endpoint = await callGateway(gatewayUrl, 'PUT', '/endpoints/sink', { endpointType: 'nats', subject });
    const route = await callGateway(gatewayUrl, 'PUT', '/eventroutes/to-sink', { endpointName: 'sink', filter: 'true' });
    if (endpoint.status !== 200 || route.status !== 204) throw new Error(`endpoint or route refused: ${endpoint.status}, ${route.status}`);
    await untilRouted(nc, iso.stream, ['sink']);
  } finally {
    await nc.close();
  }
  return stream;
}

/** Waits until `stream` holds every one of `ids`; returns those still missing after `timeoutMs`. */
export async function untilDelivered(natsUrl: string, stream: string, ids: string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const delivered = new Set((await streamEvents(natsUrl, stream)).map((e) => e.id));
    const missing = ids.filter((id) => !delivered.has(id));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** An isolation whose database lives on the private Postgres and whose NATS is the private one. */
function isolationOn(pg: PrivatePostgres, nats: PrivateNats): TestIsolation {
  const iso = newIsolation();
  const databaseUrl = pg.url('digitaltwins');
  return { ...iso, databaseUrl, env: { ...iso.env, DATABASE_URL: databaseUrl, NATS_URL: nats.url } };
}

function faultsOf(cluster: Cluster, pg: PrivatePostgres, nats: PrivateNats, outageMs: number): Fault[] {
  const pause = () => new Promise((r) => setTimeout(r, outageMs));
  return [
    ...SERVICES.map(({ name }): Fault => ({
      name: `SIGKILL ${name}`,
      victims: cluster.of(name),
      inject: async () => void (await Promise.all(cluster.of(name).map((r) => cluster.kill(r, 'SIGKILL')))),
      // What an orchestrator does: start it again at once.
      repair: async () => void (await Promise.all(cluster.of(name).map((r) => cluster.restart(r)))),
    })),
    { name: 'restart NATS (SIGKILL)', victims: [], inject: () => nats.kill('SIGKILL'), repair: async () => { await pause(); await nats.start(); } },
    { name: 'restart Postgres (crash)', victims: [], inject: () => pg.stop('immediate'), repair: async () => { await pause(); await pg.start(); } },
    // The server stays up but ends every session of the services (pg_terminate_backend, as a
    // failover, an administrator or an idle reaper would): pools, LISTEN, lock and lease connections.
    { name: 'Postgres connections terminated', victims: [], inject: () => terminateConnections(pg), repair: async () => undefined },
  ];
}

async function terminateConnections(pg: PrivatePostgres): Promise<void> {
  const admin = new Client({ connectionString: pg.url('postgres') });
  await admin.connect();
  try {
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'digitaltwins' AND pid <> pg_backend_pid()");
  } finally {
    await admin.end();
  }
}

/** Injects a fault, repairs it, and times how long every replica takes to be ready and writes to succeed. */
async function inflict(fault: Fault, round: number, cluster: Cluster, load: WriteLoad, timeoutMs: number): Promise<FaultOutcome> {
  await fault.inject();
  // Timed from when the fault is in effect: the process has exited, the server is down.
  const at = Date.now();
  const deadline = at + timeoutMs;
  let repaired = false;
  const repairing = fault.repair().finally(() => (repaired = true)).catch(() => undefined);
  let sawUnready = false;
  let readyMs: number | null = null;
  let writeMs: number | null = null;
  while (Date.now() < deadline && (readyMs === null || writeMs === null)) {
    const readiness = await cluster.readiness();
    if ([...readiness].some(([r, status]) => status !== 200 && !fault.victims.includes(r))) sawUnready = true;
    // Every replica, those started again included, must answer 200.
    if (readyMs === null && repaired && [...readiness.values()].every((status) => status === 200)) readyMs = Date.now() - at;
    if (writeMs === null) writeMs = firstWritesAfter(load.writes, at);
    await new Promise((r) => setTimeout(r, 250));
  }
  await repairing;
  return { round, fault: fault.name, readyMs, writeMs, sawUnready };
}

/** How long after `at` both kinds of write had succeeded again, each sent after `at` (null: not yet). */
function firstWritesAfter(writes: readonly LoadWrite[], at: number): number | null {
  let latest = 0;
  for (const kind of ['twin', 'relationship']) {
    const first = writes.filter((w) => w.item.kind === kind && w.acknowledged && w.lastAttemptAt >= at).reduce((min, w) => Math.min(min, w.answeredAt), Infinity);
    if (first === Infinity) return null;
    latest = Math.max(latest, first);
  }
  return latest - at;
}

/** The report as text: one row per fault, then the writes, events and losses. */
export function chaosTable(report: ChaosReport): string {
  const ms = (v: number | null) => (v === null ? 'not recovered' : `${(v / 1000).toFixed(1)} s`);
  const rows = [
    ['round', 'fault', 'all /readyz 200 after', 'writes succeed after', 'others unready meanwhile'],
    ...report.faults.map((f) => [String(f.round), f.fault, ms(f.readyMs), ms(f.writeMs), f.sawUnready ? 'yes' : 'no']),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const { writes, events, check } = report;
  return [
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
    '',
    `writes: ${writes.sent} sent, ${writes.acknowledged} acknowledged, ${writes.unknown} unanswered (outcome unknown), ${writes.refused.length} refused`,
    `events: ${events.committed} committed, ${events.inStream} in the stream; missing ${events.missing.length}, duplicated ${events.duplicated.length}, unexpected ${events.unexpected.length}`,
    `losses: ${check.lost.length} items lost their last acknowledged value, ${check.withoutEvent.length} acknowledged writes without an event`,
    `crashes: ${report.crashes.length}`,
    `deliveries: ${events.committed - report.undelivered.length} of ${events.committed} committed events reached a nats endpoint`,
    `duration: ${(report.durationMs / 1000).toFixed(0)} s`,
  ].join('\n');
}
