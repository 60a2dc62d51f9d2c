import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import { authEnv, mintToken } from '../support/auth';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** Connections through the gateway: definitions, the worked example over the real Mosquitto, HTTP messages, dead letters. */
describe('connections', () => {
  let system: TestSystem;
  let mqtt: MqttClient;
  let db: Client;
  let token: string;
  const m = buildingModels(uniqueDtmiPrefix());
  const ROOM = m.room['@id'];
  const api = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
    callGateway(system.gatewayUrl, method, route, body, { authorization: `Bearer ${token}`, ...headers });
  const twin = async (id: string) => (await api('GET', `/digitaltwins/${id}`)).body;
  const room = () => ({ $metadata: { $model: ROOM }, thermostat: { $metadata: {} } });

  /** The worked example of docs/connections.md: `{"t": 21.5, "ts": ...}` to `site/<room>/temp`. */
  const WORKED_MAPPING = `{
    "twinId": "room-" & $split(topic, "/")[1],
    "properties": { "Temperature": payload.t },
    "sourceTime": payload.ts,
    "createIfMissing": "${ROOM}"
  }`;

  /** Publishes until the connection (started by a replica within its refresh) has applied it. */
  async function publishUntilApplied(topic: string, payload: unknown, applied: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await mqtt.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
      const until = Date.now() + 1000;
      while (Date.now() < until) {
        if (await applied()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`nothing applied from ${topic}`);
  }

  beforeAll(async () => {
    system = await startSystem({
      without: ['router', 'history', 'query'],
      overrides: authEnv({ CONNECTION_REFRESH_MS: '100', AUTH_CUSTOM_ROLES: JSON.stringify({ Device: ['connections/send'] }) }),
    });
    token = await mintToken({ sub: 'owner', roles: ['DataOwner'] });
    mqtt = await connectAsync(MQTT_URL, { protocolVersion: 5 });
    db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    expect((await api('POST', '/models', m.all)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await mqtt?.endAsync();
    await db?.end();
    await system?.stop();
  });

  it('stores a connection, keeps its password write-only, and refuses a mapping that does not compile, with the position', async () => {
    const put = await api('PUT', '/connections/plant', { source: { type: 'mqtt', url: MQTT_URL, topic: 'plant/+/x', username: 'dev', password: 'very-secret' }, mapping: '{ "twinId": topic, "properties": { "a": payload } }' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ name: 'plant', source: { type: 'mqtt', url: MQTT_URL, topic: 'plant/+/x', username: 'dev' }, mapping: '{ "twinId": topic, "properties": { "a": payload } }', enabled: true, hasSecret: true });
    expect(JSON.stringify((await api('GET', '/connections/plant')).body)).not.toContain('very-secret');
    // A PUT without the password keeps it.
    expect((await api('PUT', '/connections/plant', { source: { type: 'mqtt', url: MQTT_URL, topic: 'plant/+/y' }, mapping: 'null', enabled: false })).body.hasSecret).toBe(true);
    const bad = await api('PUT', '/connections/broken', { source: { type: 'http' }, mapping: '{ "twinId": $split(topic, "/")[1 }' });
    expect([bad.status, bad.code]).toEqual([400, 'MappingInvalid']);
    expect(bad.body.error.message).toMatch(/at character \d+/);
    expect(bad.body.error.details[0].target).toMatch(/^mapping:\d+$/);
    expect((await api('GET', '/connections/broken')).code).toBe('ConnectionNotFound');
    expect((await api('PUT', '/connections/bad', { source: { type: 'mqtt', url: 'http://x', topic: 't' }, mapping: 'null' })).code).toBe('ConnectionInvalid');
    expect((await api('PUT', '/connections/bad', { source: { type: 'amqp', url: 'amqp://u:p@h', queue: 'q' }, mapping: 'null' })).body.error.message).toMatch(/password/);
    expect((await api('PUT', '/connections/bad', { source: { type: 'kafka' }, mapping: 'null' })).code).toBe('ConnectionInvalid');
    expect((await api('GET', '/connections')).body.value.map((c: { name: string }) => c.name)).toContain('plant');
    expect((await api('DELETE', '/connections/plant')).status).toBe(204);
    const again = await api('DELETE', '/connections/plant');
    expect([again.status, again.code, again.body]).toEqual([404, 'ConnectionNotFound', expect.anything()]);
  });

  it('shows what a sample message maps to, applying nothing', async () => {
    await api('PUT', '/connections/trial', { source: { type: 'http' }, mapping: WORKED_MAPPING });
    const res = await api('POST', '/connections/trial/test', { topic: 'site/lab/temp', payload: { t: 21.5, ts: 1717236000123 } });
    expect(res.status).toBe(200);
    expect(res.body.operations).toEqual([{
      kind: 'patch', twinId: 'room-lab', createModel: ROOM,
      patch: [{ op: 'add', path: '/Temperature', value: 21.5 }, { op: 'add', path: '/$metadata/Temperature/sourceTime', value: '2024-06-01T10:00:00.123Z' }],
    }]);
    expect((await api('GET', '/digitaltwins/room-lab')).status).toBe(404);
    const failing = await api('POST', '/connections/trial/test', { topic: 'x', payload: {}, mapping: '{ "twinId": payload.nothing, "properties": {} }' });
    expect([failing.status, failing.code]).toEqual([400, 'MappingFailed']);
  });

  it('feeds twins from Mosquitto: the worked example, with create-if-missing and sourceTime', async () => {
    const site = `site-${system.iso.id}`;
    await api('PUT', '/connections/rooms', { source: { type: 'mqtt', url: MQTT_URL, topic: `${site}/+/temp` }, mapping: WORKED_MAPPING });
    await publishUntilApplied(`${site}/r1/temp`, { t: 21.5, ts: 1717236000123 }, async () => (await twin('room-r1'))?.Temperature === 21.5);
    const r1 = await twin('room-r1');
    expect(r1.$metadata.$model).toBe(ROOM);
    expect(r1.$metadata.Temperature.sourceTime).toBe('2024-06-01T10:00:00.123Z');
    for (const [roomId, t] of [['r2', 19], ['r3', 23.25], ['r1', 22]] as const) await mqtt.publishAsync(`${site}/${roomId}/temp`, JSON.stringify({ t, ts: Date.now() }), { qos: 1 });
    await until(async () => (await twin('room-r1'))?.Temperature === 22 && (await twin('room-r3'))?.Temperature === 23.25);
    expect((await twin('room-r2')).Temperature).toBe(19);
    expect((await twin('room-r1')).Temperature).toBe(22);
  });

  it('keeps each twin\'s updates in the order they were published', async () => {
    const site = `order-${system.iso.id}`;
    await api('PUT', '/connections/ordered', { source: { type: 'mqtt', url: MQTT_URL, topic: `${site}/+` }, mapping: `{ "twinId": "ord-" & $split(topic, "/")[1], "properties": { "capacity": payload.n }, "createIfMissing": "${ROOM}" }` });
    await publishUntilApplied(`${site}/0`, { n: 0 }, async () => (await twin('ord-0'))?.capacity === 0);
    const twins = 5;
    const perTwin = 100;
    for (let n = 1; n <= perTwin; n++) for (let d = 0; d < twins; d++) await mqtt.publishAsync(`${site}/${d}`, JSON.stringify({ n }), { qos: 1 });
    await until(async () => {
      for (let d = 0; d < twins; d++) if ((await twin(`ord-${d}`))?.capacity !== perTwin) return false;
      return true;
    }, 30_000);
    // The committed events of each twin carry its values in publish order.
    const { rows } = await db.query(
      `SELECT payload->>'subject' AS twin, COALESCE(payload->'data'->'patch'->0->>'value', payload->'data'->>'capacity') AS v
       FROM twins.outbox WHERE payload->>'subject' LIKE 'ord-%' ORDER BY id`,
    );
    for (let d = 0; d < twins; d++) {
      const values = rows.filter((r) => r.twin === `ord-${d}`).map((r) => Number(r.v));
      expect(values.filter((v) => v > 0)).toEqual(Array.from({ length: perTwin }, (_, i) => i + 1));
    }
  }, 60_000);

  it('takes HTTP messages with their own data action, and dead-letters what it cannot apply, with reasons, for replay', async () => {
    await api('PUT', '/digitaltwins/http-a', room());
    await api('PUT', '/connections/devices', { source: { type: 'http' }, mapping: '{ "twinId": payload.id, "properties": { "Temperature": payload.t } }' });
    const device = await mintToken({ sub: 'sensor-1', roles: ['Device'] });
    const asDevice = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body, { authorization: `Bearer ${device}` });
    const sent = await asDevice('POST', '/connections/devices/messages', [{ id: 'http-a', t: 20 }, { id: 'http-b', t: 21 }, { id: 'http-a', t: 'hot' }, { t: 5 }]);
    expect([sent.status, sent.body]).toEqual([202, { accepted: 4 }]);
    expect((await asDevice('GET', '/connections/devices')).status).toBe(403);
    expect((await asDevice('PATCH', '/digitaltwins/http-a', [{ op: 'add', path: '/Temperature', value: 1 }])).status).toBe(403);
    await until(async () => (await api('GET', '/connections/devices/deadletters')).body.value.length >= 3);
    expect((await twin('http-a')).Temperature).toBe(20);
    const letters = (await api('GET', '/connections/devices/deadletters')).body.value;
    expect(letters.map((l: { stage: string; code: string; message: { payload: unknown } }) => [l.stage, l.code, l.message.payload])).toEqual([
      ['apply', 'DigitalTwinNotFound', { id: 'http-b', t: 21 }],
      ['apply', 'ValidationFailed', { id: 'http-a', t: 'hot' }],
      ['map', 'MappingFailed', { t: 5 }],
    ]);
    expect(letters[0].reason).toMatch(/http-b/);
    expect(letters[2].reason).toMatch(/twinId/);
    // The missing twin appears; replay applies that one and keeps the others, with their reasons.
    await api('PUT', '/digitaltwins/http-b', room());
    const replay = await api('POST', '/connections/devices/deadletters/replay');
    expect(replay.body).toEqual({ replayed: 1, remaining: 2 });
    expect((await twin('http-b')).Temperature).toBe(21);
    const left = (await api('GET', '/connections/devices/deadletters')).body.value;
    expect(left.map((l: { code: string; attempts: number }) => [l.code, l.attempts])).toEqual([['ValidationFailed', 2], ['MappingFailed', 2]]);
    expect((await api('POST', '/connections/trial/messages', { id: 'x' })).status).toBe(202);
    expect((await api('POST', '/connections/rooms/messages', { id: 'x' })).code).toBe('ConnectionInvalid');
  });

  it('publishes telemetry a mapping asks for', async () => {
    await api('PUT', '/digitaltwins/tele-1', room());
    await api('PUT', '/connections/tele', { source: { type: 'http' }, mapping: '{ "twinId": payload.id, "telemetry": { "reading": payload.r }, "component": "thermostat" }' });
    const received: string[] = [];
    const nc = await (await import('@nats-io/transport-node')).connect({ servers: system.env.NATS_URL });
    const sub = nc.subscribe(`${system.iso.subjectPrefix}.telemetry`);
    void (async () => { for await (const msg of sub) received.push(msg.string()); })();
    await until(async () => {
      await api('POST', '/connections/tele/messages', { id: 'tele-1', r: 7 });
      return received.length > 0;
    }, 15_000);
    await nc.close();
    expect(JSON.parse(received[0])).toMatchObject({ type: 'microsoft.iot.telemetry', data: { reading: 7 } });
  });
});
