import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadConnectorConfig } from '../../apps/connector/src/config';
import { startConnector } from '../../apps/connector/src/main';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Connections reading the real RabbitMQ and NATS (JetStream-durable and core). */
describe('connections from RabbitMQ and NATS', () => {
  let system: TestSystem;
  let amqp: ChannelModel;
  let nc: NatsConnection;
  const m = buildingModels(uniqueDtmiPrefix());
  const ROOM = m.room['@id'];
  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
  const twin = async (id: string) => (await api('GET', `/digitaltwins/${id}`)).body;

  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'history', 'query', 'relationships'], overrides: { CONNECTION_REFRESH_MS: '100' } });
    amqp = await amqpConnect(AMQP_URL);
    nc = await natsConnection();
    expect((await api('POST', '/models', m.all)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await amqp?.close();
    await nc?.close();
    await system?.stop();
  });

  it('maps arrays of readings in °F from a RabbitMQ queue, one twin each, in °C', async () => {
    const queue = `odt-${system.iso.id}-readings`;
    const password = new URL(AMQP_URL).password;
    const url = new URL(AMQP_URL);
    url.username = '';
    url.password = '';
    const put = await api('PUT', '/connections/plant', {
      source: { type: 'amqp', url: url.toString(), queue, username: decodeURIComponent(new URL(AMQP_URL).username), password },
      mapping: `payload.readings[].{ "twinId": "ahu-" & $string(unit), "properties": { "Temperature": $round((tempF - 32) * 5 / 9, 2) }, "createIfMissing": "${ROOM}" }`,
    });
    expect([put.status, put.body.hasSecret]).toEqual([200, true]);
    const ch = await amqp.createChannel();
    await ch.assertQueue(queue, { durable: true });
    ch.sendToQueue(queue, Buffer.from(JSON.stringify({ readings: [{ unit: 1, tempF: 70.7 }, { unit: 2, tempF: 32 }] })), { persistent: true });
    ch.sendToQueue(queue, Buffer.from(JSON.stringify({ readings: [{ unit: 3, tempF: 212 }] })), { persistent: true });
    await until(async () => (await twin('ahu-3'))?.Temperature === 100, 20_000);
    expect((await twin('ahu-1')).Temperature).toBe(21.5);
    expect((await twin('ahu-2')).Temperature).toBe(0);
    // Everything acknowledged: nothing waits in the queue.
    await until(async () => (await ch.checkQueue(queue)).messageCount === 0);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    await ch.deleteQueue(queue);
    await ch.close();
  });

  it('reads a subject of a JetStream stream through a durable consumer, so what arrives while the connector is away is applied later', async () => {
    const jsm = await jetstreamManager(nc);
    const stream = `SRC_${system.iso.id}`;
    const subject = `src.${system.iso.id}.meters`;
    await jsm.streams.add({ name: stream, subjects: [`src.${system.iso.id}.>`] });
    try {
      await api('PUT', '/connections/meters', { source: { type: 'nats', subject: `src.${system.iso.id}.>` }, mapping: `{ "twinId": $split(topic, ".")[2], "properties": { "capacity": payload.n }, "createIfMissing": "${ROOM}" }` });
      const js = jetstream(nc);
      // The durable consumer delivers what is published after the connection starts: publish until it is running.
      await until(async () => {
        await js.publish(subject, JSON.stringify({ n: 1 }));
        return (await twin('meters'))?.capacity === 1;
      }, 20_000);
      await system.apps.connector.close();
      for (let n = 2; n <= 20; n++) await js.publish(subject, JSON.stringify({ n }));
      system.apps.connector = await startConnector(loadConnectorConfig(system.env), false);
      await until(async () => (await twin('meters'))?.capacity === 20, 20_000);
      expect((await twin('meters')).capacity).toBe(20);
      // Deleting the connection removes its durable consumer from the source stream.
      expect((await jsm.consumers.info(stream, `odt-connector-${system.iso.stream}-meters`)).num_pending).toBe(0);
      expect((await api('DELETE', '/connections/meters')).status).toBe(204);
      expect(await jsm.consumers.list(stream).next()).toEqual([]);
    } finally {
      await jsm.streams.delete(stream).catch(() => undefined);
    }
  });

  it('subscribes with core NATS when no stream captures the subject', async () => {
    const subject = `core.${system.iso.id}.probe`;
    await api('PUT', '/connections/probe', { source: { type: 'nats', subject }, mapping: `{ "twinId": "probe-core", "properties": { "Temperature": payload.t }, "createIfMissing": "${ROOM}" }` });
    await until(async () => {
      nc.publish(subject, JSON.stringify({ t: 4.5 }));
      return (await twin('probe-core'))?.Temperature === 4.5;
    }, 20_000);
    expect((await twin('probe-core')).Temperature).toBe(4.5);
  });
});
