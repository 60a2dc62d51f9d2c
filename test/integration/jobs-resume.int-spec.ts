import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { readStream, streamCount } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { untilOutboxDrained } from '../support/consistency';
import { finishedJob, importFile, jobLog, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { spawnServiceProcess, type ServiceProcess } from '../support/processes';
import { startSystem, type TestSystem } from '../support/system';

/**
 * A jobs-service process is SIGKILLed in the middle of an import; another one takes the job over
 * when the lease runs out and finishes it from the checkpoint: every twin and relationship written
 * once, every Create event published once, every bad line logged once.
 */
describe('an import job across a SIGKILL of its worker', () => {
  const storage = jobsStorage();
  const prefix = uniqueDtmiPrefix();
  const m = buildingModels(prefix);
  const TWINS = 4000;
  const RELATIONSHIPS = TWINS - 1;
  const BAD = [17, 2500, 3999];
  let system: TestSystem;
  let db: Client;
  let nc: NatsConnection;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'query', 'history', 'jobs'], overrides: { JOBS_STORAGE_DIR: storage.dir } });
    db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    nc = await connect({ servers: system.env.NATS_URL });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.kill().catch(() => undefined);
    await nc?.close();
    await db?.end();
    await system?.stop();
    storage.remove();
  });

  const spawnWorker = async () => {
    const w = await spawnServiceProcess('jobs-service', {
      ...system.env, JOBS_STORAGE_DIR: storage.dir, JOBS_LEASE_MS: '2000', JOBS_POLL_MS: '200', JOBS_BATCH_SIZE: '40', JOBS_PIPELINE: '3', LOG_LEVEL: 'warn',
    });
    workers.push(w);
    return w;
  };

  it('resumes on another worker from the checkpoint, writing and publishing nothing twice', async () => {
    const twins = Array.from({ length: TWINS }, (_, i) => (BAD.includes(i)
      ? { $dtId: `s${i}`, $metadata: { $model: `${prefix}:Floor;1` }, level: 'not a number' }
      : { $dtId: `s${i}`, $metadata: { $model: `${prefix}:Floor;1` }, level: i }));
    const relationships = Array.from({ length: RELATIONSHIPS }, (_, i) => ({ $dtId: `s${i}`, $relationshipId: `next`, $targetId: `s${i + 1}`, $relationshipName: 'feeds', weight: i }));
    writeJobFile(storage.dir, 'big.ndjson', importFile({ models: m.all, twins, relationships }));
    const first = await spawnWorker();
    expect((await callGateway(system.gatewayUrl, 'PUT', '/jobs/imports/big', { inputBlobUri: 'file:///big.ndjson', outputBlobUri: 'file:///big.out' })).status).toBe(201);

    // Killed once a good part of the twins is committed and checkpointed.
    await until(async () => {
      const { rows } = await db.query<{ line: number | null }>(`SELECT (checkpoint->>'line')::int AS line FROM jobs.jobs WHERE id = 'big'`);
      return (rows[0]?.line ?? 0) > 1500;
    }, 60_000);
    await first.kill('SIGKILL');
    const { rows: [atKill] } = await db.query(`SELECT status, checkpoint, lease_owner FROM jobs.jobs WHERE id = 'big'`);
    expect(atKill.status).toBe('running');
    expect(atKill.checkpoint.line).toBeLessThan(TWINS);

    await spawnWorker();
    const job = await finishedJob(system.gatewayUrl, '/jobs/imports/big', 120_000);
    expect(job.status).toBe('succeeded');
    const { rows: [owner] } = await db.query(`SELECT lease_owner FROM jobs.jobs WHERE id = 'big'`);
    expect(owner.lease_owner).toBeNull();

    const good = TWINS - BAD.length;
    // Relationships from or to a rejected twin are rejected too.
    const goodRelationships = RELATIONSHIPS - BAD.flatMap((b) => [b - 1, b]).filter((i) => i >= 0 && i < RELATIONSHIPS).length;
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0].n);
    expect(await count(`SELECT count(*) AS n FROM twins.twins`)).toBe(good);
    expect(await count(`SELECT count(*) AS n FROM relationships.relationships`)).toBe(goodRelationships);
    // One Create event per entity in the outboxes, and in the stream.
    expect(await count(`SELECT count(*) AS n FROM twins.outbox`)).toBe(good);
    expect(await count(`SELECT count(DISTINCT payload->>'subject') AS n FROM twins.outbox`)).toBe(good);
    expect(await count(`SELECT count(*) AS n FROM relationships.outbox`)).toBe(goodRelationships);
    await untilOutboxDrained(system.iso.databaseUrl);
    expect(await streamCount(nc, system.iso.stream)).toBe(good + goodRelationships);
    const events = await readStream(nc, system.iso.stream, good + goodRelationships);
    expect(new Set(events.map((e) => e.subject)).size).toBe(good + goodRelationships);

    // Each bad line logged once, none of the good ones (a batch written twice would report its twins as existing).
    const log = await jobLog(system.gatewayUrl, 'big');
    const errors = log.filter((l) => l.logType === 'Error').map((l) => l.details as { section: string; line: number; exceptionType: string });
    const twinLine = (i: number) => 2 + 1 + m.all.length + 1 + i + 1;
    expect(errors.filter((e) => e.section === 'Twins').map((e) => [e.line, e.exceptionType])).toEqual(BAD.map((b) => [twinLine(b), 'ValidationFailed']));
    expect(errors.filter((e) => e.section === 'Relationships').every((e) => /NotFound/.test(e.exceptionType))).toBe(true);
    expect(log.at(-1)).toMatchObject({ details: { status: 'Succeeded', twins: good, relationships: goodRelationships } });
  }, 240_000);
});
