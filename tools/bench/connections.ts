import os from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { connectAsync, type MqttClient } from 'mqtt';
import { Pool } from 'pg';
import { startBenchSystem } from './bench-system';
import { closedLoop, httpClient, percentile, table } from './load';

const MQTT_URL = process.env.BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const DEVICES = Number(process.env.BENCH_DEVICES ?? 1000);
/** MQTT connections the simulated devices share (1,000 sockets would measure the simulator). */
const CLIENTS = Number(process.env.BENCH_MQTT_CLIENTS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
/**
 * Published and not yet applied, at most, in the "as fast as it takes" phase: below Mosquitto's
 * `max_queued_messages` (1000 by default), past which it drops QoS 1 messages for a subscriber
 * that has not acknowledged them yet.
 */
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 800);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const API = '?api-version=2023-10-31';

const MODEL = {
  '@id': 'dtmi:bench:Sensor;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'Temperature', schema: 'double' }],
};

/** `--seconds=N` (each timed phase; default 60, or BENCH_SECONDS). */
function secondsFlag(): number {
  const flag = process.argv.find((a) => a.startsWith('--seconds='));
  return Number(flag?.split('=')[1] ?? process.env.BENCH_SECONDS ?? 60);
}

interface Phase {
  name: string;
  published: number;
  applied: number;
  seconds: number;
  perSecond: number;
  commitP50: number;
  commitP99: number;
  streamP50: number;
  streamP99: number;
}

/**
 * `npm run bench -- connections [--seconds=60]`: 1,000 simulated devices publish
 * `{"t", "ts"}` to `bench/<id>/<device>/temp` on Mosquitto (QoS 1); an `mqtt` connection maps
 * each to a patch of its twin's Temperature with `sourceTime` = the publish time. Phase 1 at
 * BENCH_RATE (1,000) messages/s, phase 2 as fast as the system takes them (at most BENCH_BACKLOG
 * published and not applied), then the single-PATCH API rate on the same system. Publish →
 * commit: the outbox row's time (written in the committing transaction) minus the sourceTime;
 * publish → JetStream: its `published_at` (after the PubAck).
 */
export async function benchConnections(): Promise<void> {
  const seconds = secondsFlag();
  const load0 = os.loadavg();
  const system = await startBenchSystem(['models-service', 'twins-service', 'connector', 'gateway'], {
    CONNECTION_REFRESH_MS: '200',
    // The relay keeps published rows, marked with their published_at: the stream time is read from it.
    OUTBOX_KEEP_PUBLISHED_MS: '3600000',
  });
  const pool = new Pool({ connectionString: system.databaseUrl, max: 2 });
  const clients: MqttClient[] = [];
  try {
    const call = httpClient(system.gatewayUrl, CONCURRENCY);
    if ((await call('POST', `/models${API}`, [MODEL])) !== 201) throw new Error('model upload failed');
    let next = 0;
    await closedLoop('create twins', CONCURRENCY, 600, async () => {
      const i = next++;
      return call('PUT', `/digitaltwins/dev-${i}${API}`, { $metadata: { $model: MODEL['@id'] }, Temperature: 0 });
    }, DEVICES);
    const site = `bench/${system.stream}`;
    const mapping = `{ "twinId": "dev-" & $split(topic, "/")[2], "properties": { "Temperature": payload.t }, "sourceTime": payload.ts }`;
    if ((await call('PUT', `/connections/devices${API}`, { source: { type: 'mqtt', url: MQTT_URL, topic: `${site}/+/temp` }, mapping })) !== 200) throw new Error('connection failed');
    for (let i = 0; i < CLIENTS; i++) clients.push(await connectAsync(MQTT_URL, { protocolVersion: 5, clientId: `bench-${system.stream}-${i}` }));
    let device = 0;
    let value = 0;
    const publish = () => {
      const d = device++ % DEVICES;
      return clients[d % CLIENTS].publishAsync(`${site}/${d}/temp`, JSON.stringify({ t: (value++ % 400) / 10, ts: Date.now() }), { qos: 1 });
    };
    const outboxTop = async () => Number((await pool.query<{ n: string | null }>(`SELECT max(id) AS n FROM twins.outbox`)).rows[0].n ?? 0);
    // Wait for the connection to run: a probe applied.
    const start0 = await outboxTop();
    for (let t = 0; (await outboxTop()) === start0; t++) {
      if (t > 300) throw new Error('the connection never applied anything');
      await publish();
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));

    const phases: Phase[] = [];
    // Phase 1: a steady rate.
    phases.push(await runPhase(`${RATE} msg/s for ${seconds} s`, pool, outboxTop, seconds, async (deadline) => {
      let sent = 0;
      const started = Date.now();
      const inFlight: Promise<unknown>[] = [];
      while (Date.now() < deadline) {
        const due = Math.floor(((Date.now() - started) / 1000) * RATE);
        while (sent < due) {
          inFlight.push(publish());
          sent++;
        }
        if (inFlight.length > 2000) await Promise.all(inFlight.splice(0));
        await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(inFlight);
      return sent;
    }));
    // Phase 2: as fast as the system takes them.
    phases.push(await runPhase(`as fast as applied, ${seconds} s`, pool, outboxTop, seconds, async (deadline, appliedSince) => {
      let sent = 0;
      while (Date.now() < deadline) {
        const applied = await appliedSince();
        const room = BACKLOG - (sent - applied);
        if (room <= 0) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const batch = Array.from({ length: Math.min(room, 500) }, () => publish());
        sent += batch.length;
        await Promise.all(batch);
      }
      return sent;
    }));
    // The single-PATCH API on the same system.
    const patch = await closedLoop('patch twin (PATCH, gateway)', CONCURRENCY, Math.min(seconds, 30), (_w, i) =>
      call('PATCH', `/digitaltwins/dev-${Math.floor(Math.random() * DEVICES)}${API}`, [{ op: 'replace', path: '/Temperature', value: i % 40 }]));

    const nc = await connect({ servers: system.env.NATS_URL });
    const events = (await (await jetstreamManager(nc)).streams.info(system.stream)).state.messages;
    await nc.close();
    console.log(`\nConnections benchmark: ${DEVICES} devices over ${CLIENTS} MQTT connections, Mosquitto QoS 1, ${os.cpus().length} cores`);
    console.log(`load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const head = ['phase', 'published', 'applied', 'applied/s', 'commit p50 ms', 'commit p99 ms', 'JetStream p50 ms', 'JetStream p99 ms'];
    const rows = phases.map((p) => [p.name, p.published, p.applied, p.perSecond, p.commitP50, p.commitP99, p.streamP50, p.streamP99].map(String));
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
    console.log(table([patch]));
    console.log(`\nconnection (as fast as applied) / PATCH API = ${(phases[1].perSecond / patch.perSecond).toFixed(2)}; events in JetStream: ${events}`);
    console.log(JSON.stringify({ phases, patch, events, load: { before: load0, after: os.loadavg() } }));
  } finally {
    await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
    await pool.end();
    await system.stop();
    const nc = await connect({ servers: system.env.NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(`${system.stream}_INGEST`).catch(() => undefined);
    await nc.close();
  }
}

/**
 * Runs `drive` until `seconds` pass, then waits for what it published to be applied and in
 * JetStream (at most 120 s), and measures the phase from the outbox rows it produced.
 */
async function runPhase(
  name: string, pool: Pool, outboxTop: () => Promise<number>, seconds: number,
  drive: (deadline: number, appliedSince: () => Promise<number>) => Promise<number>,
): Promise<Phase> {
  const from = await outboxTop();
  const started = Date.now();
  const published = await drive(started + seconds * 1000, async () => (await outboxTop()) - from);
  const drivenFor = (Date.now() - started) / 1000;
  const waitUntil = Date.now() + 120_000;
  for (;;) {
    const { rows } = await pool.query<{ n: string; unpublished: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE published_at IS NULL) AS unpublished FROM twins.outbox WHERE id > $1`, [from]);
    if ((Number(rows[0].n) >= published && rows[0].unpublished === '0') || Date.now() > waitUntil) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const lastCommit = Number((await pool.query<{ s: string }>(`SELECT extract(epoch FROM max(created_at)) AS s FROM twins.outbox WHERE id > $1`, [from])).rows[0].s) * 1000;
  const { rows } = await pool.query<{ commit_ms: string; stream_ms: string }>(
    `SELECT extract(epoch FROM created_at - st) * 1000 AS commit_ms, extract(epoch FROM published_at - st) * 1000 AS stream_ms
     FROM (SELECT created_at, published_at, (SELECT (o->>'value')::timestamptz FROM jsonb_array_elements(payload->'data'->'patch') o WHERE o->>'path' = '/$metadata/Temperature/sourceTime') AS st
           FROM twins.outbox WHERE id > $1) x WHERE st IS NOT NULL`, [from]);
  const commit = rows.map((r) => Number(r.commit_ms)).sort((a, b) => a - b);
  const stream = rows.map((r) => Number(r.stream_ms)).filter((n) => !Number.isNaN(n)).sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  // Applied per second over the time the phase's updates took to commit (publishing and the tail).
  const span = Math.max(drivenFor, (lastCommit - started) / 1000);
  return {
    name, published, applied: commit.length, seconds: round(span), perSecond: Math.round(commit.length / span),
    commitP50: round(percentile(commit, 0.5)), commitP99: round(percentile(commit, 0.99)),
    streamP50: round(percentile(stream, 0.5)), streamP99: round(percentile(stream, 0.99)),
  };
}
