import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { spawnServiceProcess, startPrivateNats, type PrivateNats, type ServiceProcess } from '../support/processes';
import { startSystem, type TestSystem } from '../support/system';

/** Per twin, the capacity values its committed events carry, in commit order. */
async function committedValues(databaseUrl: string, prefix: string): Promise<Map<string, number[]>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ twin: string; v: string }>(
      `SELECT payload->>'subject' AS twin, COALESCE(payload->'data'->'patch'->0->>'value', payload->'data'->>'capacity') AS v
       FROM twins.outbox WHERE payload->>'subject' LIKE $1 ORDER BY id`, [`${prefix}%`],
    );
    const by = new Map<string, number[]>();
    for (const r of rows) by.set(r.twin, [...(by.get(r.twin) ?? []), Number(r.v)]);
    return by;
  } finally {
    await db.end();
  }
}

/** Every value from..n is there, first seen in order (a value may come again: at least once, never lost). */
function expectAllInOrder(values: number[] | undefined, n: number, from = 1): void {
  const firsts: number[] = [];
  for (const v of values ?? []) if (!firsts.includes(v)) firsts.push(v);
  expect(firsts).toEqual(Array.from({ length: n - from + 1 }, (_, i) => i + from));
}

describe('connections under faults: nothing lost', () => {
  const m = buildingModels(uniqueDtmiPrefix());
  const ROOM = m.room['@id'];

  it('feeds through a SIGKILL of the twins service: every message applied, each twin in order', async () => {
    const system: TestSystem = await startSystem({ without: ['twins', 'router', 'history', 'query', 'relationships'], overrides: { CONNECTION_REFRESH_MS: '100' } });
    let twins: ServiceProcess | undefined;
    try {
      const env = { ...system.env, LOG_LEVEL: 'warn' };
      twins = await spawnServiceProcess('twins-service', env);
      const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
      expect((await api('POST', '/models', m.all)).status).toBe(201);
      await api('PUT', '/connections/feed', { source: { type: 'http' }, mapping: `{ "twinId": payload.id, "properties": { "capacity": payload.n }, "createIfMissing": "${ROOM}" }` });
      const devices = Array.from({ length: 5 }, (_, i) => `kill-${i}`);
      const perDevice = 60;
      let sent = 0;
      for (let n = 1; n <= perDevice; n++) {
        const res = await api('POST', '/connections/feed/messages', devices.map((id) => ({ id, n })));
        expect(res.status).toBe(202);
        sent++;
        if (n === 20) {
          await twins.kill('SIGKILL');
        }
        if (n === 40) twins = await spawnServiceProcess('twins-service', env);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(sent).toBe(perDevice);
      await until(async () => {
        for (const id of devices) if ((await api('GET', `/digitaltwins/${id}`)).body?.capacity !== perDevice) return false;
        return true;
      }, 60_000);
      const committed = await committedValues(system.iso.databaseUrl, 'kill-');
      for (const id of devices) expectAllInOrder(committed.get(id), perDevice);
    } finally {
      await twins?.kill();
      await system.stop();
    }
  }, 120_000);

  // Restarting Mosquitto or RabbitMQ would disturb the other test runs sharing them: the broker
  // restarted here is a NATS server of this test's own, carrying the source stream, the ingest
  // stream and every internal request at once.
  it('feeds through a restart of NATS: every message published to the source stream is applied, in order', async () => {
    const nats: PrivateNats = await startPrivateNats();
    const system: TestSystem = await startSystem({ without: ['router', 'history', 'query', 'relationships'], overrides: { NATS_URL: nats.url, CONNECTION_REFRESH_MS: '100' } });
    let nc: NatsConnection | undefined;
    try {
      const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
      expect((await api('POST', '/models', m.all)).status).toBe(201);
      nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'DEVICES', subjects: ['devices.>'] });
      await api('PUT', '/connections/meters', { source: { type: 'nats', subject: 'devices.>' }, mapping: `{ "twinId": "nr-" & $split(topic, ".")[1], "properties": { "capacity": payload.n }, "createIfMissing": "${ROOM}" }` });
      const js = jetstream(nc);
      await until(async () => {
        await js.publish('devices.0', JSON.stringify({ n: 1 }));
        return (await api('GET', '/digitaltwins/nr-0')).body?.capacity === 1;
      }, 20_000);
      const devices = 4;
      const perDevice = 80;
      for (let n = 2; n <= perDevice; n++) {
        for (let d = 0; d < devices; d++) {
          // Published means acknowledged by JetStream: retried through the restart until it is.
          for (;;) {
            try {
              await js.publish(`devices.${d}`, JSON.stringify({ n }), { timeout: 2000, msgID: `${d}-${n}` });
              break;
            } catch {
              await new Promise((r) => setTimeout(r, 200));
            }
          }
        }
        if (n === 30) {
          await nats.kill('SIGKILL');
          await new Promise((r) => setTimeout(r, 1000));
          await nats.start();
        }
      }
      await until(async () => {
        for (let d = 0; d < devices; d++) if ((await api('GET', `/digitaltwins/nr-${d}`)).body?.capacity !== perDevice) return false;
        return true;
      }, 90_000);
      const committed = await committedValues(system.iso.databaseUrl, 'nr-');
      expectAllInOrder(committed.get('nr-0'), perDevice);
      for (let d = 1; d < devices; d++) expectAllInOrder(committed.get(`nr-${d}`), perDevice, 2);
    } finally {
      await nc?.close().catch(() => undefined);
      await system.stop().catch(() => undefined);
      await nats.dispose();
    }
  }, 180_000);
});
