import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { ontologyInterfaces } from '../../test/fixtures';
import { startBenchSystem, type BenchSystem } from './bench-system';

/** The campus's size: BENCH_JOBS_TWINS twins and about as many relationships (1,000,000 each by default). */
const TWINS = Number(process.env.BENCH_JOBS_TWINS ?? 1_000_000);
const ROOMS_PER_LEVEL = 50;
const LEVELS_PER_BUILDING = 10;
const API = '?api-version=2023-10-31';
const REC = 'dtmi:digitaltwins:rec_3_3';
const SPACE_COMPONENTS = ['area', 'capacity', 'occupancy', 'temperature', 'humidity', 'CO2'];
const components = (names: string[]) => Object.fromEntries(names.map((n) => [n, { $metadata: {} }]));

/**
 * `npm run bench -- jobs` (size: BENCH_JOBS_TWINS): imports RealEstateCore v3 (768 models) and a
 * generated campus (buildings → levels → rooms, one temperature sensor per room; every room part of
 * its level, every level of its building, every sensor a capability of its room) through an import
 * job, until every Create event is in JetStream; then COPYs the same rows into empty tables of the
 * same shape (the raw rate), exports the graph, and deletes it with a delete job.
 */
export async function benchJobs(): Promise<void> {
  const load0 = os.loadavg();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odt-bench-jobs-'));
  chmodSync(dir, 0o755);
  const figures: Record<string, unknown> = { cores: os.cpus().length, loadBefore: load0.map((l) => l.toFixed(2)).join(' ') };
  const generated = await generateCampus(path.join(dir, 'campus.ndjson'));
  Object.assign(figures, { models: generated.models, twins: generated.twins, relationships: generated.relationships, fileMB: Math.round(statSync(path.join(dir, 'campus.ndjson')).size / 1e6) });
  console.log(`\nJobs benchmark: ${generated.models} models, ${generated.twins} twins, ${generated.relationships} relationships (${figures.fileMB} MB file)`);
  const system = await startBenchSystem(['models-service', 'twins-service', 'relationships-service', 'jobs-service', 'gateway'], { JOBS_STORAGE_DIR: dir, JOBS_POLL_MS: '100' });
  const rss = new PeakRss(system.pids['jobs-service']!);
  const twinsRss = new PeakRss(system.pids['twins-service']!);
  try {
    const cpu0 = cpuSeconds(system);
    const pg = new PostgresCpu();
    const t0 = performance.now();
    await call(system, 'PUT', '/jobs/imports/campus', { inputBlobUri: 'file:///campus.ndjson', outputBlobUri: 'file:///campus.log' });
    const job = await waitFor(system, '/jobs/imports/campus');
    const committed = (performance.now() - t0) / 1000;
    if (job.status !== 'succeeded') throw new Error(`import ${job.status}: ${JSON.stringify(job.error)}`);
    const entities = generated.twins + generated.relationships;
    figures.sections = sectionSeconds(path.join(dir, 'campus.log'));
    await untilStreamHas(system, entities);
    const endToEnd = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(system);
    figures.importCpuSeconds = { ...Object.fromEntries(Object.entries(cpu1).map(([name, s]) => [name, round(s - (cpu0[name] ?? 0))])), postgres: pg.stop() };
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    try {
      const stored = (await db.query(`SELECT (SELECT count(*) FROM twins.twins)::int AS twins, (SELECT count(*) FROM relationships.relationships)::int AS relationships`)).rows[0];
      if (stored.twins !== generated.twins || stored.relationships !== generated.relationships) throw new Error(`stored ${JSON.stringify(stored)}, expected ${generated.twins}/${generated.relationships}`);
      Object.assign(figures, {
        importCommittedSeconds: round(committed), importEndToEndSeconds: round(endToEnd),
        importEntitiesPerSecond: Math.round((entities + generated.models) / endToEnd), importCommittedEntitiesPerSecond: Math.round((entities + generated.models) / committed),
        jobsWorkerPeakRssMB: rss.peakMB(), twinsServicePeakRssMB: twinsRss.peakMB(),
        ...(await rawCopy(db, dir, entities)),
      });
    } finally {
      await db.end();
    }

    const e0 = performance.now();
    await call(system, 'PUT', '/jobs/exports/campus', {});
    const exported = await waitFor(system, '/jobs/exports/campus');
    const exportSeconds = (performance.now() - e0) / 1000;
    if (exported.status !== 'succeeded') throw new Error(`export ${exported.status}`);
    const exportFile = path.join(dir, 'exports', 'campus.ndjson');
    Object.assign(figures, { exportSeconds: round(exportSeconds), exportEntitiesPerSecond: Math.round((entities + generated.models) / exportSeconds), exportMB: Math.round(statSync(exportFile).size / 1e6) });

    const d0 = performance.now();
    await call(system, 'POST', '/jobs/deletions', undefined);
    const deletion = await waitFor(system, '/jobs/deletions', true);
    if (deletion.status !== 'succeeded') throw new Error(`delete ${deletion.status}: ${JSON.stringify(deletion.error)}`);
    Object.assign(figures, { deleteSeconds: round((performance.now() - d0) / 1000), jobsWorkerPeakRssMBAfterAll: rss.peakMB() });
  } finally {
    rss.stop();
    twinsRss.stop();
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  figures.loadAfter = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(JSON.stringify(figures, null, 1));
}

/** Writes the import file; returns what it holds. */
async function generateCampus(file: string): Promise<{ models: number; twins: number; relationships: number }> {
  const out = createWriteStream(file);
  const write = async (line: unknown) => {
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
  };
  const models = ontologyInterfaces('realestatecore-v3');
  await write({ Section: 'Header' });
  await write({ fileVersion: '1.0.0', author: 'bench', organization: 'open-digital-twins' });
  await write({ Section: 'Models' });
  for (const model of models) await write(model);
  // Per building: 1 + levels × (1 + rooms × 2) twins.
  const perBuilding = 1 + LEVELS_PER_BUILDING * (1 + ROOMS_PER_LEVEL * 2);
  const buildings = Math.max(1, Math.round(TWINS / perBuilding));
  const relationships: [string, string, string, string][] = [];
  let twins = 0;
  await write({ Section: 'Twins' });
  for (let b = 0; b < buildings; b++) {
    const building = `b${b}`;
    await write({ $dtId: building, $metadata: { $model: `${REC}:core:Building;1` }, name: `Building ${b}`, ...components([...SPACE_COMPONENTS, 'address']) });
    twins++;
    for (let l = 0; l < LEVELS_PER_BUILDING; l++) {
      const level = `${building}-l${l}`;
      await write({ $dtId: level, $metadata: { $model: `${REC}:core:Level;1` }, levelNumber: l, name: `Level ${l}`, ...components(SPACE_COMPONENTS) });
      twins++;
      relationships.push([level, `${level}-in`, building, 'isPartOf']);
      for (let r = 0; r < ROOMS_PER_LEVEL; r++) {
        const room = `${level}-r${r}`;
        await write({ $dtId: room, $metadata: { $model: `${REC}:core:Room;1` }, name: `Room ${r}`, personCapacity: 4 + (r % 20), ...components(SPACE_COMPONENTS) });
        await write({
          $dtId: `${room}-t`, $metadata: { $model: `${REC}:device:TemperatureSensor;1`, lastValue: { sourceTime: '2025-01-01T00:00:00Z' } },
          name: 'Temperature', lastValue: 20 + (r % 5), ...components(['categorizationProperties']),
        });
        twins += 2;
        relationships.push([room, `${room}-in`, level, 'isPartOf'], [room, `${room}-cap`, `${room}-t`, 'hasCapability']);
      }
    }
  }
  await write({ Section: 'Relationships' });
  for (const [source, id, target, name] of relationships) await write({ $dtId: source, $relationshipId: id, $targetId: target, $relationshipName: name });
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  chmodSync(file, 0o644);
  return { models: models.length, twins, relationships: relationships.length };
}

/** The same rows, COPYed by Postgres into empty tables of the same shape (indexes included, no outbox, no validation). */
async function rawCopy(db: Client, dir: string, entities: number): Promise<Record<string, number>> {
  // Written and read by the Postgres server process (this machine's): a directory it may write to.
  const copyDir = path.join(dir, 'copy');
  mkdirSync(copyDir, { mode: 0o777 });
  chmodSync(copyDir, 0o777);
  const twinsFile = path.join(copyDir, 'twins.copy');
  const relationshipsFile = path.join(copyDir, 'relationships.copy');
  await db.query(`COPY twins.twins (id, model_id, model_ancestry, etag, document) TO '${twinsFile}'`);
  await db.query(`COPY relationships.relationships (source_id, relationship_id, name, target_id, etag, properties) TO '${relationshipsFile}'`);
  await db.query(`CREATE TABLE public.copy_twins (LIKE twins.twins INCLUDING DEFAULTS INCLUDING INDEXES)`);
  await db.query(`CREATE TABLE public.copy_relationships (LIKE relationships.relationships INCLUDING DEFAULTS INCLUDING INDEXES)`);
  const t0 = performance.now();
  await db.query(`COPY public.copy_twins (id, model_id, model_ancestry, etag, document) FROM '${twinsFile}'`);
  await db.query(`COPY public.copy_relationships (source_id, relationship_id, name, target_id, etag, properties) FROM '${relationshipsFile}'`);
  const seconds = (performance.now() - t0) / 1000;
  await db.query(`DROP TABLE public.copy_twins, public.copy_relationships`);
  return { rawCopySeconds: round(seconds), rawCopyRowsPerSecond: Math.round(entities / seconds) };
}

async function call(system: BenchSystem, method: string, route: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${system.gatewayUrl}${route}${API}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function waitFor(system: BenchSystem, route: string, firstOfList = false): Promise<Record<string, unknown>> {
  for (;;) {
    const answer = await call(system, 'GET', route, undefined);
    const job = firstOfList ? (answer.value as Record<string, unknown>[])[0] : answer;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status as string)) return job;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function untilStreamHas(system: BenchSystem, expected: number): Promise<void> {
  const nc = await connect({ servers: system.env.NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    while ((await jsm.streams.info(system.stream)).state.messages < expected) await new Promise((r) => setTimeout(r, 250));
  } finally {
    await nc.close();
  }
}

/** A process's peak resident memory (the kernel's high-water mark). */
class PeakRss {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 500);
  }

  private sample(): void {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1] ?? 0);
      this.peak = Math.max(this.peak, kb);
    } catch {
      // exited
    }
  }

  peakMB(): number {
    this.sample();
    return Math.round(this.peak / 1024);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** CPU seconds (user + system) each service's process has used so far. */
function cpuSeconds(system: BenchSystem): Record<string, number> {
  const ticks = 100; // USER_HZ on Linux
  return Object.fromEntries(Object.entries(system.pids).map(([name, pid]) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return [name, (Number(fields[11]) + Number(fields[12])) / ticks];
    } catch {
      return [name, 0];
    }
  }));
}

/** CPU seconds of every `postgres` process of this machine now, by pid (other sessions' queries included). */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      out.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // exited
    }
  }
  return out;
}

/**
 * Postgres CPU seconds from now to stop(): every postgres process sampled each second, so that a
 * connection closed meanwhile (an idle pool connection) still counts up to its last sample.
 */
class PostgresCpu {
  private readonly before = postgresCpu();
  private readonly last = new Map<number, number>();
  private readonly timer = setInterval(() => this.sample(), 1000).unref();

  private sample(): void {
    for (const [pid, s] of postgresCpu()) this.last.set(pid, s);
  }

  stop(): number {
    this.sample();
    clearInterval(this.timer);
    let total = 0;
    for (const [pid, s] of this.last) total += s - (this.before.get(pid) ?? 0);
    return round(total);
  }
}

/** Seconds each section took, from the job's log (its Started and Succeeded lines). */
function sectionSeconds(logFile: string): Record<string, number> {
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { timestamp: string; details: { section?: string; status: string } });
  const started = Date.parse(lines[0].timestamp);
  const out: Record<string, number> = {};
  let previous = started;
  for (const l of lines) {
    if (l.details.section && l.details.status === 'Succeeded') {
      const at = Date.parse(l.timestamp);
      out[l.details.section] = round((at - previous) / 1000);
      previous = at;
    }
  }
  return out;
}

const round = (n: number) => Math.round(n * 10) / 10;
