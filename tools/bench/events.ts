import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EventTypes, eventSubject, type DigitalTwinsEvent, type UpdateEventData } from '@odt/contracts';
import { buildEvent } from '@odt/messaging';
import { changeWithEvent } from '@odt/outbox';
import { Pool } from 'pg';
import { consumerName } from '../../apps/event-router/src/delivery/endpoint-consumer-plan';
import { freePort, spawnService, waitForReady } from '../services';
import { startBenchSystem, type BenchSystem } from './bench-system';
import { closedLoop, httpClient, summarise, table, type LoadResult } from './load';

const RATE = Number(process.env.BENCH_EVENTS_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_EVENTS_SECONDS ?? 60);
const TWINS = Number(process.env.BENCH_EVENTS_TWINS ?? 1000);
/** PATCHes in flight at most; beyond it the pacer falls behind schedule (and says so). */
const MAX_IN_FLIGHT = Number(process.env.BENCH_EVENTS_MAX_IN_FLIGHT ?? 256);
const FANOUT_ENDPOINTS = Number(process.env.BENCH_EVENTS_FANOUT ?? 10);
const FANOUT_EVENTS = Number(process.env.BENCH_EVENTS_FANOUT_EVENTS ?? 5000);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const API = '?api-version=2023-10-31';
const UPDATE = EventTypes.TwinUpdate;

const MODEL = {
  '@id': 'dtmi:bench:events:Room;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'Temperature', schema: 'double' }],
};

/**
 * `npm run bench -- events`: (1) twin updates paced open-loop at BENCH_EVENTS_RATE per second for
 * BENCH_EVENTS_SECONDS, each delivered to a `nats` endpoint and a webhook, once through the gateway
 * (PATCH) and once committed straight to Postgres; latency from commit (the event's `time`) to
 * arrival at the subscriber; (2) the drain rate of a backlog fanned out by
 * BENCH_EVENTS_FANOUT routes to as many `nats` endpoints.
 */
export async function benchEvents(): Promise<void> {
  const load0 = os.loadavg();
  // The event router runs as a process of its own (below), so that the fan-out can stop and restart it.
  const system = await startBenchSystem(['models-service', 'twins-service', 'gateway']);
  const nc = await connect({ servers: NATS_URL });
  const receiver = await startReceiver();
  let router: Router | undefined;
  try {
    const call = httpClient(system.gatewayUrl, MAX_IN_FLIGHT);
    if ((await call('POST', `/models${API}`, [MODEL])) !== 201) throw new Error('model upload failed');
    let created = 0;
    const creates = await closedLoop('create twins', 32, 3600, () => call('PUT', `/digitaltwins/ev-${created++}${API}`, { $metadata: { $model: MODEL['@id'] }, Temperature: 0 }), TWINS);
    if (creates.errors > 0) throw new Error(`${creates.errors} twin creates failed`);
    router = await startRouter(system);
    const jsm = await jetstreamManager(nc);

    // (1) Commit → delivery latency at a paced rate, to a nats subscriber and a webhook receiver:
    // (1a) twin updates through the gateway (PATCH), (1b) the same updates committed straight to
    // Postgres with the twins service's statement (change + outbox row + NOTIFY in one), so that
    // the event pipeline is measured at the asked rate even where the write path cannot keep it up.
    const subject = `benchout.${system.stream}.latency`;
    const viaNats: Arrival[] = [];
    nc.subscribe(subject, { callback: (_err, msg) => void viaNats.push({ at: Date.now(), event: msg.json<DigitalTwinsEvent>() }) });
    // The events stream's own subjects, as a plain subscriber: when the outbox relay published each event.
    const published: Arrival[] = [];
    const prefix = system.subjectPrefix;
    nc.subscribe(`${prefix}.>`, { callback: (_err, msg) => {
      const event = msg.json<DigitalTwinsEvent>();
      if (event.type === UPDATE) published.push({ at: Date.now(), event });
    } });
    await configure(call, 'bus', { endpointType: 'nats', subject }, `type = '${UPDATE}'`);
    await configure(call, 'hook', { endpointType: 'webhook', url: receiver.url }, `type = '${UPDATE}'`);
    await untilConsumers(jsm, system.stream, ['bus', 'hook']);
    const phases: Phase[] = [];
    const measure = async (name: string, send: Send) => {
      for (const arrivals of [viaNats, published, receiver.arrivals]) arrivals.length = 0;
      const paced = await pace(name, send);
      const answered = Date.now();
      // Missing deliveries after 3 minutes show as errors in the table.
      await until(() => viaNats.length >= paced.ok && receiver.arrivals.length >= paced.ok, 180_000);
      phases.push({
        paced,
        drainedAfterMs: Date.now() - answered,
        latency: [
          delivery('commit → in JetStream (outbox relay)', published, paced.ok, paced.startedAt),
          delivery('nats endpoint: commit → delivery', viaNats, paced.ok, paced.startedAt),
          delivery('webhook: commit → delivery', receiver.arrivals, paced.ok, paced.startedAt),
          delivery('nats endpoint: update due → delivery', viaNats, paced.ok, paced.startedAt, true),
        ],
      });
    };
    await measure('PATCH through the gateway (due → answer)', (twin, value) => call('PATCH', `/digitaltwins/ev-${twin}${API}`, [{ op: 'replace', path: '/Temperature', value }]));
    const writer = new Pool({ connectionString: system.databaseUrl, max: 16 });
    try {
      await measure('committed in Postgres (due → commit)', (twin, value) => commitUpdate(writer, prefix, `ev-${twin}`, value));
    } finally {
      await writer.end();
    }

    // (2) Fan-out: a backlog committed while the router is stopped, then drained to every endpoint.
    const fanout = await drainFanout(system, call, nc, jsm, router);
    router = fanout.router;

    console.log(`\nEvents benchmark: ${TWINS} twins, ${RATE} updates/s asked for ${SECONDS} s, ${os.cpus().length} cores`);
    console.log(`load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const { paced, latency, drainedAfterMs } of phases) {
      console.log(`\n${paced.result.name}: ${paced.ok} acknowledged (${paced.perSecond}/s achieved of ${RATE}/s asked), ${paced.errors} failed, ` +
        `${paced.unsent} never sent (the schedule fell ${paced.lateMs} ms behind), at most ${paced.maxInFlight} in flight`);
      console.log(table([paced.result, ...latency]));
      console.log(`answers: ${JSON.stringify(paced.result.statuses)}; every delivery in ${drainedAfterMs} ms after the last answer`);
    }
    console.log(`\nfan-out: ${FANOUT_EVENTS} events × ${FANOUT_ENDPOINTS} routes to nats endpoints: ${fanout.deliveries} of ` +
      `${FANOUT_EVENTS * FANOUT_ENDPOINTS} deliveries in ${fanout.seconds.toFixed(2)} s (first to last arrival) = ${fanout.perSecond} deliveries/s`);
    console.log(JSON.stringify({
      rate: RATE, seconds: SECONDS,
      phases: phases.map(({ paced, latency, drainedAfterMs }) => ({ paced: { ...paced.result, unsent: paced.unsent, lateMs: paced.lateMs }, latency, drainedAfterMs })),
      fanout: { ...fanout, router: undefined },
    }));
  } finally {
    await router?.stop();
    await (await jetstreamManager(nc)).streams.delete(`${system.stream}_DEADLETTER`).catch(() => undefined);
    await nc.close();
    await receiver.close();
    await system.stop();
  }
}

/** Sends update n of twin `twin`, setting Temperature to `value`; resolves to an HTTP-like status. */
type Send = (twin: number, value: number) => Promise<number>;

interface Phase {
  paced: Awaited<ReturnType<typeof pace>>;
  latency: LoadResult[];
  drainedAfterMs: number;
}

/**
 * A twin update committed the way the twins service commits one: the row change, its outbox row
 * and the NOTIFY in one statement (`changeWithEvent`), with the event the service would build.
 */
async function commitUpdate(pool: Pool, prefix: string, id: string, value: number): Promise<number> {
  const patch = [{ op: 'replace' as const, path: '/Temperature', value }];
  // changeWithEvent takes an executor answering rows, as TypeORM's does; the statement sets the event's time.
  const db = { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows };
  const changed = await changeWithEvent(db, 'twins', {
    sql: `UPDATE twins.twins SET etag = gen_random_uuid(), document = jsonb_set(document, '{Temperature}', to_jsonb($2::float8)), updated_at = clock_timestamp() WHERE id = $1 RETURNING 1`,
    params: [id, value],
  }, {
    subject: eventSubject(prefix, EventTypes.TwinUpdate),
    event: buildEvent({ type: EventTypes.TwinUpdate, subject: id, data: { modelId: MODEL['@id'], patch }, source: 'localhost' }),
  });
  return changed ? 204 : 404;
}

interface Arrival {
  at: number;
  event: DigitalTwinsEvent;
}

interface Router {
  stop(): Promise<void>;
}

/** The event router as its own process (the deployed shape), on the bench system's database, namespace and stream. */
async function startRouter(system: BenchSystem): Promise<Router> {
  const port = await freePort();
  const child: ChildProcess = spawnService('event-router', { ...system.env, PORT: String(port), LOG_LEVEL: 'warn', ODT_SUPERVISOR_PID: String(process.pid) });
  await waitForReady(port);
  return {
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function configure(call: ReturnType<typeof httpClient>, name: string, endpoint: object, filter: string): Promise<void> {
  if ((await call('PUT', `/endpoints/${name}${API}`, endpoint)) !== 200) throw new Error(`endpoint ${name} refused`);
  if ((await call('PUT', `/eventroutes/to-${name}${API}`, { endpointName: name, filter })) !== 204) throw new Error(`route to ${name} refused`);
}

/** The router has picked the routes up once each endpoint's durable consumer exists. */
async function untilConsumers(jsm: JetStreamManager, stream: string, endpoints: string[]): Promise<void> {
  for (const name of endpoints) {
    if (!(await until(() => jsm.consumers.info(stream, consumerName(name)).then(() => true, () => false), 30_000))) {
      throw new Error(`the event router did not pick up the route to ${name}`);
    }
  }
}

/**
 * Open loop: PATCH n is due at n / RATE seconds and sent then, whatever the earlier ones are doing
 * (up to MAX_IN_FLIGHT; past it, it waits and is late), and timed from when it was due, so a stall
 * shows in the latency instead of slowing the schedule down. Sending stops after SECONDS: what
 * was due but not sent by then is reported as unsent. Each sets Temperature to its due time (ms
 * since the epoch), so its event says when it was due.
 */
async function pace(name: string, send: Send) {
  const total = Math.round(RATE * SECONDS);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let lateMs = 0;
  const t0 = Date.now();
  const deadline = t0 + SECONDS * 1000;
  await new Promise<void>((resolve) => {
    let sending = true;
    const settle = () => {
      if (!sending && inFlight === 0) resolve();
    };
    const tick = () => {
      const now = Date.now();
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * RATE));
      while (sent < due && inFlight < MAX_IN_FLIGHT) {
        const dueAt = t0 + (sent * 1000) / RATE;
        const twin = sent % TWINS;
        sent++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        send(twin, dueAt).then(
          (status) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status < 300) latencies.push(Date.now() - dueAt);
            else errors++;
          },
          (err: Error) => {
            errors++;
            const key = `error ${(err as NodeJS.ErrnoException).code ?? err.message}`;
            statuses[key] = (statuses[key] ?? 0) + 1;
          },
        ).finally(() => {
          inFlight--;
          settle();
        });
      }
      lateMs = Math.max(0, Math.round(now - (t0 + (sent * 1000) / RATE)));
      if (sent < total && now < deadline) {
        setTimeout(tick, 2);
      } else {
        sending = false;
        settle();
      }
    };
    tick();
  });
  // Throughput over the paced window: answers that come after it still count, the time after it does not.
  const result = summarise(name, latencies, errors, SECONDS, statuses);
  return { result, ok: result.ok, errors, unsent: total - sent, startedAt: t0, perSecond: result.perSecond, maxInFlight, lateMs };
}

/**
 * Latency of each arrival from the event's commit (its `time`), or from when its PATCH was due (the
 * value it set); the rate is arrivals per second from the start of pacing to the last arrival.
 */
function delivery(name: string, arrivals: Arrival[], expected: number, startedAt: number, fromRequest = false): LoadResult {
  const latencies = arrivals.map((a) => a.at - (fromRequest ? Number((a.event.data as UpdateEventData).patch[0].value) : Date.parse(a.event.time)));
  const seconds = ((arrivals[arrivals.length - 1]?.at ?? startedAt + 1) - startedAt) / 1000;
  return summarise(name, latencies, Math.max(0, expected - arrivals.length), seconds, {});
}

/**
 * Creates FANOUT_ENDPOINTS nats endpoints, each with a route taking every update, stops the router,
 * commits FANOUT_EVENTS updates (and waits until they are all in JetStream), starts the router and
 * times the deliveries from the first arrival to the last.
 */
async function drainFanout(system: BenchSystem, call: ReturnType<typeof httpClient>, nc: NatsConnection, jsm: JetStreamManager, router: Router) {
  const names = Array.from({ length: FANOUT_ENDPOINTS }, (_, i) => `fan-${i}`);
  const arrivals: number[] = [];
  for (const name of names) {
    const subject = `benchout.${system.stream}.${name}`;
    nc.subscribe(subject, { callback: () => void arrivals.push(Date.now()) });
    await configure(call, name, { endpointType: 'nats', subject }, `type = '${UPDATE}'`);
  }
  // The latency endpoints go, so that only the fan-out is measured.
  for (const name of ['bus', 'hook']) await call('DELETE', `/eventroutes/to-${name}${API}`);
  await untilConsumers(jsm, system.stream, names);
  await router.stop();
  const pool = new Pool({ connectionString: system.databaseUrl, max: 1 });
  try {
    let i = 0;
    const writes = await closedLoop('backlog', 32, 3600, () => call('PATCH', `/digitaltwins/ev-${i % TWINS}${API}`, [{ op: 'replace', path: '/Temperature', value: i++ }]), FANOUT_EVENTS);
    if (writes.errors > 0) throw new Error(`${writes.errors} backlog writes failed: ${JSON.stringify(writes.statuses)}`);
    const relayed = await until(async () => (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM twins.outbox WHERE published_at IS NULL`)).rows[0].n === '0', 120_000);
    if (!relayed) throw new Error('the outbox did not drain within 2 minutes');
  } finally {
    await pool.end();
  }
  const restarted = await startRouter(system);
  const deliveries = FANOUT_EVENTS * FANOUT_ENDPOINTS;
  // Whatever has not arrived after 5 minutes is left out (the count says so).
  await until(() => arrivals.length >= deliveries, 300_000);
  const seconds = arrivals.length > 1 ? (arrivals[arrivals.length - 1] - arrivals[0]) / 1000 : 0;
  return { router: restarted, deliveries: arrivals.length, seconds, perSecond: seconds > 0 ? Math.round(arrivals.length / seconds) : 0 };
}

/** A webhook receiver: every request is an arrival, answered 204. */
async function startReceiver(): Promise<{ url: string; arrivals: Arrival[]; close(): Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ at: Date.now(), event: JSON.parse(Buffer.concat(chunks).toString()) as DigitalTwinsEvent });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/events`,
    arrivals,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Polls until `check` holds (true) or `ms` pass (false). */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
