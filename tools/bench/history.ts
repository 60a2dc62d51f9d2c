import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { OutboxWaker } from '@odt/outbox';
import { Client, Pool } from 'pg';
import { startBenchSystem, type BenchSystem } from './bench-system';
import { generateHistory } from './history-data';
import { closedLoop, fixedRate, httpClient, percentile, table, type LoadResult } from './load';
import { ProcessCpu } from './process-cpu';

const API = '?api-version=2023-10-31';
const TWINS = Number(process.env.BENCH_TWINS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_HISTORY_RATE ?? 1000);
const LAG_SECONDS = Number(process.env.BENCH_HISTORY_LAG_SECONDS ?? 20);
/** Connections committing part 2's changes: each commit waits for its WAL flush, so the rate needs enough of them side by side. */
const LAG_CONNECTIONS = Number(process.env.BENCH_HISTORY_LAG_CONNECTIONS ?? 32);
const STORED_TWINS = Number(process.env.BENCH_HISTORY_TWINS ?? 100_000);
const STORED_CHANGES = Number(process.env.BENCH_HISTORY_CHANGES ?? 10_000_000);
const STORED_DAYS = Number(process.env.BENCH_HISTORY_DAYS ?? 30);
const STORED_MODELS = Number(process.env.BENCH_HISTORY_MODELS ?? 100);
/** Which parts run: `BENCH_HISTORY_PARTS=3` (say, with fewer BENCH_HISTORY_CHANGES) checks the reads alone. */
const PARTS = process.env.BENCH_HISTORY_PARTS ?? '123';
/** Point reads a second of the open-loop run (BENCH_HISTORY_READ_RATE; 0 skips it), for SINGLE_SECONDS × 2. */
const READ_RATE = Number(process.env.BENCH_HISTORY_READ_RATE ?? 500);
/** Seconds of the point reads with one client, after the eight-client run. */
const SINGLE_SECONDS = Number(process.env.BENCH_HISTORY_SINGLE_SECONDS ?? 10);
const MODEL_ID = 'dtmi:bench:Room;1';
const MODEL = {
  '@id': MODEL_ID, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'Temperature', schema: 'double' }, { '@type': 'Property', name: 'name', schema: 'string' }],
};
const WRITERS: Parameters<typeof startBenchSystem>[0] = ['models-service', 'twins-service', 'relationships-service'];

/**
 * `npm run bench -- history`:
 * (1) twin PATCH throughput through the gateway without and with the history service, two systems
 *     side by side, measured in alternation;
 * (2) history lag at RATE committed changes a second (written straight to Postgres as the twins
 *     service writes them, so the rate is the pipeline's and not the gateway's);
 * (3) with STORED_CHANGES generated one-property changes of STORED_TWINS twins over STORED_DAYS
 *     days: GET …?asOf= latency, an asOf query selecting one model's twins, bytes per change.
 */
export async function benchHistory(): Promise<void> {
  const load0 = os.loadavg();
  const results: LoadResult[] = [];
  const figures: Record<string, unknown> = {};
  if (PARTS.includes('1') || PARTS.includes('2')) await writeParts(results, figures);
  if (PARTS.includes('3')) await readPart(results, figures);
  console.log(`\nHistory benchmark: ${os.cpus().length} cores; parts ${PARTS}; PATCH ${TWINS} twins, ${CONCURRENCY} clients, ${SECONDS} s × 2 rounds each; lag at ${RATE}/s for ${LAG_SECONDS} s; ` +
    `${STORED_CHANGES} changes of ${STORED_TWINS} twins (${STORED_MODELS} models) over ${STORED_DAYS} days`);
  console.log(`load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(table(results));
  console.log(JSON.stringify({ figures, results }, null, 1));
}

/** Parts 1 (PATCH with and without history) and 2 (lag at RATE). */
async function writeParts(results: LoadResult[], figures: Record<string, unknown>): Promise<void> {
  const without = await startBenchSystem([...WRITERS, 'gateway']);
  const withHistory = await startBenchSystem([...WRITERS, 'history-service', 'gateway']);
  try {
    for (const system of [without, withHistory]) await seedTwins(system);
    const patch = (system: BenchSystem) => {
      const call = httpClient(system.gatewayUrl, CONCURRENCY);
      return (_w: number, i: number) => call('PATCH', `/digitaltwins/h-${Math.floor(Math.random() * TWINS)}${API}`, [{ op: 'replace', path: '/Temperature', value: i % 40 }]);
    };
    const rounds: Record<string, LoadResult[]> = { without: [], with: [] };
    // What history costs a PATCH, by process: the history service, its Postgres sessions, and NATS
    // (the server's time counts both systems' streams; compare with the rounds without).
    const cpuPerPatch: Record<string, Record<string, unknown>[]> = { without: [], with: [] };
    for (let round = 0; round < 2; round++) {
      let cpu = ProcessCpu.start({});
      rounds.without.push(await closedLoop(`patch twin, no history (round ${round + 1})`, CONCURRENCY, SECONDS, patch(without)));
      cpuPerPatch.without.push(cpu.perOperation(rounds.without[round].ok));
      // (Sessions idle for 10 s are closed: wake them, then read them, each round.)
      await closedLoop('warm-up', CONCURRENCY, 1, patch(withHistory));
      const historySessions = await databaseSessions(withHistory.databaseUrl, 'history-service');
      cpu = ProcessCpu.start({ 'history-service': withHistory.pids['history-service'], 'postgres (history sessions)': historySessions });
      rounds.with.push(await closedLoop(`patch twin, history running (round ${round + 1})`, CONCURRENCY, SECONDS, patch(withHistory)));
      cpuPerPatch.with.push(cpu.perOperation(rounds.with[round].ok));
    }
    figures.patchCpuMs = cpuPerPatch;
    results.push(...rounds.without, ...rounds.with);
    const rate = (rs: LoadResult[]) => rs.reduce((n, r) => n + r.ok, 0) / rs.reduce((n, r) => n + r.seconds, 0);
    figures.patchPerSecondWithout = Math.round(rate(rounds.without));
    figures.patchPerSecondWith = Math.round(rate(rounds.with));
    figures.patchRatio = Math.round((rate(rounds.with) / rate(rounds.without)) * 1000) / 1000;
    await without.stop();

    if (PARTS.includes('2')) Object.assign(figures, await lagAtRate(withHistory));
  } finally {
    await without.stop().catch(() => undefined);
    await withHistory.stop();
  }
}

/** Part 3: reads with STORED_CHANGES generated changes stored. */
async function readPart(results: LoadResult[], figures: Record<string, unknown>): Promise<void> {
  const generated: Record<string, unknown> = {};
  const stored = await startBenchSystem([...WRITERS, 'history-service', 'gateway'], { HISTORY_MAINTENANCE_MS: '3600000', QUERY_MAX_PAGE_SIZE: '2000' }, async (databaseUrl) => {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const t0 = Date.now();
      const window = await generateHistory(db, { twins: STORED_TWINS, models: STORED_MODELS, changes: STORED_CHANGES, days: STORED_DAYS }, (m) => console.log(`  generate: ${m}`));
      Object.assign(generated, window, { generateSeconds: Math.round((Date.now() - t0) / 1000) });
      Object.assign(figures, await bytesPerChange(db));
    } finally {
      await db.end();
    }
  });
  try {
    const start = generated.start as number;
    const end = generated.end as number;
    const call = httpClient(stored.gatewayUrl, 8);
    const at = () => new Date(start + 60_000 + Math.random() * (end - start - 120_000)).toISOString();
    await waitForWatermark(stored);
    // Unmeasured warm-up: each pooled connection plans the point reads once.
    await closedLoop('warm-up', 8, 3, () => call('GET', `/digitaltwins/twin-${Math.floor(Math.random() * STORED_TWINS)}${API}&asOf=${encodeURIComponent(at())}`));
    // The bench database's sessions apart: the machine's every Postgres process includes other work.
    const sessions = await databaseSessions(stored.databaseUrl);
    const cpu = ProcessCpu.start({ gateway: stored.pids.gateway, 'history-service': stored.pids['history-service'], 'postgres (bench database)': sessions });
    results.push(await closedLoop(`GET twin asOf (${STORED_CHANGES} changes stored)`, 8, SECONDS * 2, () =>
      call('GET', `/digitaltwins/twin-${Math.floor(Math.random() * STORED_TWINS)}${API}&asOf=${encodeURIComponent(at())}`)));
    // CPU ms per read by process, of which in the kernel.
    figures.asOfReadCpuMs = cpu.perOperation(results[results.length - 1].ok);
    // Eight clients keep two cores busy (the p99 above is mostly waiting for a core); one client
    // alone is the latency of a read as a user sees it (BENCH_HISTORY_SINGLE_SECONDS, 0 skips it).
    if (SINGLE_SECONDS > 0) {
      results.push(await closedLoop('GET twin asOf, one client', 1, SINGLE_SECONDS, () =>
        call('GET', `/digitaltwins/twin-${Math.floor(Math.random() * STORED_TWINS)}${API}&asOf=${encodeURIComponent(at())}`)));
    }
    // Latency at a stated load below saturation: READ_RATE reads a second, sent on schedule
    // whatever the answers (a saturated closed loop's p99 is mostly its own queue).
    if (READ_RATE > 0 && SINGLE_SECONDS > 0) {
      const open = httpClient(stored.gatewayUrl, 64);
      results.push(await fixedRate(`GET twin asOf, ${READ_RATE}/s on schedule`, READ_RATE, SINGLE_SECONDS * 2, () =>
        open('GET', `/digitaltwins/twin-${Math.floor(Math.random() * STORED_TWINS)}${API}&asOf=${encodeURIComponent(at())}`)));
    }
    const queryTimes: number[] = [];
    let rows = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await fetch(`${stored.gatewayUrl}/query${API}`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'max-items-per-page': '2000' },
        body: JSON.stringify({ query: `SELECT T.$dtId, T.p0 FROM DIGITALTWINS T WHERE T.$metadata.$model = 'dtmi:bench:M${i};1'`, asOf: at() }),
      });
      const body = (await res.json()) as { value?: unknown[]; continuationToken?: string | null };
      queryTimes.push(Math.round(performance.now() - t0));
      if (!res.ok || body.continuationToken) throw new Error(`asOf query: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      rows = body.value?.length ?? 0;
    }
    figures.asOfQueryMs = queryTimes;
    figures.asOfQueryRows = rows;
    figures.generated = generated;
  } finally {
    await stored.stop();
  }
}

/** The backends of a database's sessions (the services' pools, connected by now). */
/** The Postgres sessions of a bench database (those whose application_name starts with `application`, if given). */
async function databaseSessions(databaseUrl: string, application = ''): Promise<number[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND starts_with(coalesce(application_name, ''), $1)`, [application]);
    return rows.map((r) => r.pid);
  } finally {
    await db.end();
  }
}

async function seedTwins(system: BenchSystem): Promise<void> {
  const call = httpClient(system.gatewayUrl, CONCURRENCY);
  if ((await call('POST', `/models${API}`, [MODEL])) !== 201) throw new Error('model upload failed');
  let next = 0;
  const created = await closedLoop('create', CONCURRENCY, 600, async () => {
    const i = next++;
    return call('PUT', `/digitaltwins/h-${i}${API}`, { $metadata: { $model: MODEL_ID }, Temperature: 20, name: `room ${i}` });
  }, TWINS);
  if (created.ok !== TWINS) throw new Error(`seeding: ${created.ok} of ${TWINS} twins created`);
}

/**
 * RATE updates a second, each committed as the twins service commits a PATCH (the twin row and its
 * event in one statement), for LAG_SECONDS. Lag: event time to its history row committed (the
 * service's histogram), and now − watermark sampled every 100 ms.
 */
async function lagAtRate(system: BenchSystem): Promise<Record<string, unknown>> {
  const pool = new Pool({ connectionString: system.databaseUrl, max: LAG_CONNECTIONS });
  // After each commit the relay is woken over NATS, as the twins service wakes it.
  const nc = await connect({ servers: system.env.NATS_URL });
  const waker = new OutboxWaker(nc, system.env.NATS_NAMESPACE);
  const historyPort = await metricsPortOf(system);
  const before = await histogram(historyPort);
  const watermarkLags: number[] = [];
  const sampler = setInterval(() => {
    void metricValue(historyPort, 'history_watermark_lag_seconds').then((v) => { if (v !== undefined) watermarkLags.push(v); });
  }, 100);
  let sent = 0;
  let failed = 0;
  const started = Date.now();
  const inFlight = new Set<Promise<unknown>>();
  while (Date.now() - started < LAG_SECONDS * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * RATE);
    while (sent < due) {
      const i = sent++;
      const id = `h-${Math.floor(Math.random() * TWINS)}`;
      const etag = randomUUID();
      const event = {
        specversion: '1.0', id: randomUUID(), source: 'localhost', type: 'Microsoft.DigitalTwins.Twin.Update', subject: id, time: '',
        datacontenttype: 'application/json', etag: `W/"${etag}"`, data: { modelId: MODEL_ID, patch: [{ op: 'replace', path: '/Temperature', value: i % 40 }] },
      };
      const p = pool.query(
        `WITH change AS (UPDATE twins.twins SET etag = $2, document = jsonb_set(document, '{Temperature}', $3::jsonb), updated_at = clock_timestamp() WHERE id = $1 RETURNING 1),
         appended AS (INSERT INTO twins.outbox (event_id, subject, payload)
           SELECT $4, $5, jsonb_set($6::jsonb, '{time}', to_jsonb(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))) FROM change RETURNING id)
         SELECT id FROM appended`,
        [id, etag, String(i % 40), event.id, `${system.subjectPrefix}.twin.update`, JSON.stringify(event)],
      ).then(() => waker.wake('twins'), (err: Error) => {
        if (failed++ === 0) console.warn(`part 2: a change failed to commit: ${err.message}`);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  const committedRate = Math.round(sent / ((Date.now() - started) / 1000));
  // Let history catch up before reading the histogram.
  for (let i = 0; i < 300; i++) {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM history.twin_events WHERE kind = 'u'`);
    if (Number(rows[0].n) >= sent - failed) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  clearInterval(sampler);
  const after = await histogram(historyPort);
  await pool.end();
  await nc.drain();
  const sorted = [...watermarkLags].sort((a, b) => a - b);
  return {
    lagRatePerSecond: committedRate,
    lagChanges: sent - failed,
    lagFailedChanges: failed,
    ingestLagP50Seconds: histogramQuantile(before, after, 0.5),
    ingestLagP99Seconds: histogramQuantile(before, after, 0.99),
    watermarkLagP50Seconds: percentile(sorted, 0.5),
    watermarkLagP99Seconds: percentile(sorted, 0.99),
  };
}

async function metricsPortOf(system: BenchSystem): Promise<number> {
  // The bench system numbers ports in service order; history is the fourth service.
  return Number(new URL(system.gatewayUrl).port) - 1;
}

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

async function metricValue(port: number, name: string): Promise<number | undefined> {
  const line = (await metricsText(port).catch(() => '')).split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : undefined;
}

async function histogram(port: number): Promise<Map<number, number>> {
  const buckets = new Map<number, number>();
  for (const line of (await metricsText(port)).split('\n')) {
    const m = /^history_ingest_lag_seconds_bucket\{.*le="([^"]+)".*\} (\d+)/.exec(line);
    if (m) buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/** The quantile's bucket (upper bound, seconds) of the observations between two scrapes. */
function histogramQuantile(before: Map<number, number>, after: Map<number, number>, q: number): number | string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= q * total) return le === Infinity ? '> 60' : le;
  }
  return 'n/a';
}

async function waitForWatermark(system: BenchSystem): Promise<void> {
  const port = await metricsPortOf(system);
  for (let i = 0; i < 300; i++) {
    if ((await metricValue(port, 'history_watermark_lag_seconds')) !== undefined) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the history service never reported a watermark');
}

/** Bytes on disk (tables, indexes, TOAST) of the history schema, per recorded change. */
async function bytesPerChange(db: Client): Promise<Record<string, number>> {
  const { rows } = await db.query<{ events: string; checkpoints: string; state: string; changes: string; total: string }>(`
    SELECT
      sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'twin\\_events\\_p%') AS events,
      sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'twin\\_checkpoints\\_p%') AS checkpoints,
      sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname = 'twin_state') AS state,
      sum(pg_total_relation_size(c.oid)) AS total,
      (SELECT count(*) FROM history.twin_events WHERE kind = 'u') AS changes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'history' AND c.relkind = 'r'`);
  const r = rows[0];
  const changes = Number(r.changes);
  return {
    storedChanges: changes,
    eventBytes: Number(r.events),
    checkpointBytes: Number(r.checkpoints),
    bytesPerChangeEvents: Math.round(Number(r.events) / changes),
    bytesPerChangeAll: Math.round(Number(r.total) / changes),
  };
}
