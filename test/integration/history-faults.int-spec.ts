import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { spawnServiceProcess, startPrivateNats, type PrivateNats, type ServiceProcess } from '../support/processes';
import { startSystem, type TestSystem } from '../support/system';
import { startPatchWriter } from '../support/writer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The history service (its own process) is SIGKILLed under load and started again, then the NATS
 * server (a private one) is SIGKILLed and restarted: history ends up with every committed change
 * exactly once, and reads as of the end equal the live twins.
 */
describe('history across a SIGKILL of the history service and a NATS restart', () => {
  let nats: PrivateNats;
  let system: TestSystem;
  let history: ServiceProcess | undefined;
  let db: Client;

  beforeAll(async () => {
    nats = await startPrivateNats();
    system = await startSystem({ without: ['router', 'query', 'history'], overrides: { NATS_URL: nats.url } });
    db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    try {
      await history?.kill();
      await db?.end();
      await system?.stop();
    } finally {
      await nats?.dispose();
    }
  });

  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
  const all: ServiceProcess[] = [];
  const spawnHistory = async () => {
    const p = await spawnHistoryProcess();
    all.push(p);
    return p;
  };
  const spawnHistoryProcess = () => spawnServiceProcess('history-service', { ...system.env, HISTORY_ACK_WAIT_MS: '2000', HISTORY_ASOF_WAIT_MS: '3000', LOG_LEVEL: 'warn' });

  it('loses and doubles nothing', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    const twins = Array.from({ length: 20 }, (_, i) => `f${i}`);
    for (const id of twins) expect((await api('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } })).status).toBe(200);
    history = await spawnHistory();
    const writer = startPatchWriter(system.gatewayUrl, twins, { concurrency: 4, pauseMs: 5 });
    await sleep(1500);
    await history.kill('SIGKILL');
    await sleep(1000);
    history = await spawnHistory();
    await sleep(1500);
    await nats.kill('SIGKILL');
    await sleep(2000);
    await nats.start();
    await sleep(2000);
    await history.kill('SIGKILL');
    history = await spawnHistory();
    await sleep(1000);
    const writes = await writer.stop();
    const acknowledged = writes.filter((w) => w.status === 204).length;
    expect(acknowledged).toBeGreaterThan(100);

    // Every committed twin event (the outbox keeps them an hour) is in history, once.
    const committed = async () => Number((await db.query(`SELECT count(*) AS n FROM twins.outbox`)).rows[0].n);
    const stored = async () => Number((await db.query(`SELECT count(*) AS n FROM history.twin_events`)).rows[0].n);
    await until(async () => (await stored()) >= (await committed()), 60_000);
    const { rows } = await db.query(`
      SELECT (SELECT count(*) FROM twins.outbox o WHERE NOT EXISTS (SELECT 1 FROM history.twin_events e WHERE e.event_id = o.event_id)) AS missing,
             (SELECT count(*) - count(DISTINCT event_id) FROM history.twin_events) AS doubled,
             (SELECT count(*) FROM history.twin_events e WHERE NOT EXISTS (SELECT 1 FROM twins.outbox o WHERE o.event_id = e.event_id)) AS unknown`);
    if (rows[0].missing !== '0') {
      // What the history processes said, for the failure's message.
      process.stderr.write(`${all.map((p) => p.output()).join('\n-----\n')}\n`);
    }
    expect(rows[0]).toEqual({ missing: '0', doubled: '0', unknown: '0' });
    expect(await committed()).toBeGreaterThanOrEqual(acknowledged + twins.length);

    // As of now, history and the live twins agree.
    await sleep(500);
    const at = new Date().toISOString();
    for (const id of twins) {
      const live = await api('GET', `/digitaltwins/${id}`);
      let past = await api('GET', `/digitaltwins/${id}?asOf=${encodeURIComponent(at)}`);
      for (let i = 0; i < 10 && past.status === 503; i++) past = await api('GET', `/digitaltwins/${id}?asOf=${encodeURIComponent(at)}`);
      expect([past.status, past.body.Temperature, past.body.$etag]).toEqual([200, live.body.Temperature, live.body.$etag]);
    }
  }, 240_000);

  it('takes over a consumer left by an earlier version that acknowledged each event', async () => {
    await history?.kill('SIGKILL');
    history = undefined;
    // The consumer as versions before batch acknowledgement created it, with events waiting in it.
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = system.env.EVENTS_STREAM;
      await jsm.consumers.delete(stream, 'history').catch(() => undefined);
      await jsm.consumers.add(stream, {
        durable_name: 'history', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
        filter_subject: `${system.env.EVENTS_SUBJECT_PREFIX}.*.*`, max_ack_pending: 500,
      });
      const m = buildingModels(uniqueDtmiPrefix());
      expect((await api('POST', '/models', m.all)).status).toBe(201);
      const id = `upgrade-${Date.now().toString(36)}`;
      expect((await api('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} }, Temperature: 1 })).status).toBe(200);
      for (const t of [2, 3, 4]) expect((await api('PATCH', `/digitaltwins/${id}`, [{ op: 'replace', path: '/Temperature', value: t }])).status).toBe(204);

      history = await spawnHistory();
      const values = async () => (await db.query<{ v: number }>(
        `SELECT (changes->>'Temperature')::float8 AS v FROM history.twin_events WHERE twin_id = $1 ORDER BY ts`, [id])).rows.map((r) => r.v);
      await until(async () => (await values()).length === 4, 30_000);
      expect(await values()).toEqual([1, 2, 3, 4]);
      // The consumer now acknowledges by batch, and nothing is left unacknowledged in it.
      await until(async () => (await jsm.consumers.info(stream, 'history')).num_ack_pending === 0, 10_000);
      expect((await jsm.consumers.info(stream, 'history')).config.ack_policy).toBe(AckPolicy.All);
      // A later change still arrives.
      expect((await api('PATCH', `/digitaltwins/${id}`, [{ op: 'replace', path: '/Temperature', value: 5 }])).status).toBe(204);
      await until(async () => (await values()).length === 5, 30_000);
      expect(await values()).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await nc.close();
    }
  }, 120_000);
});
