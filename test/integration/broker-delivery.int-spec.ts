import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import { connectAsync, type MqttClient } from 'mqtt';
import { EventTypes } from '@odt/contracts';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { callGateway, until } from '../support/gateway';
import { startSystem, type TestSystem } from '../support/system';

const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Routes deliver to the real Mosquitto (CloudEvents MQTT binding) and RabbitMQ (ADT's cloudEvents: headers). */
describe('delivery to MQTT and AMQP endpoints', () => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;
  let mqtt: MqttClient;
  let amqp: ChannelModel;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'query'] });
    m = buildingModels(uniqueDtmiPrefix());
    expect(await api('POST', '/models', m.all)).toBe(201);
    mqtt = await connectAsync(MQTT_URL, { protocolVersion: 5 });
    amqp = await amqpConnect(AMQP_URL);
  });
  afterAll(async () => {
    await system?.stop();
    await mqtt?.endAsync();
    await amqp?.close();
  });

  const api = async (method: string, route: string, body?: unknown) => (await callGateway(system.gatewayUrl, method, route, body)).status;

  const room = () => ({ $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } });

  it('publishes structured CloudEvents to an MQTT topic, in order', async () => {
    const topic = `dt/${system.iso.id}/events`;
    const got: { payload: string; contentType?: string }[] = [];
    mqtt.on('message', (t, payload, packet) => {
      if (t === topic) got.push({ payload: payload.toString(), contentType: packet.properties?.contentType });
    });
    await mqtt.subscribeAsync(topic, { qos: 1 });
    expect(await api('PUT', '/endpoints/broker', { endpointType: 'mqtt', url: MQTT_URL, topic })).toBe(200);
    expect(await api('PUT', '/eventroutes/to-broker', { endpointName: 'broker', filter: `STARTS_WITH(subject, 'mq')` })).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    for (const id of ['mq1', 'other', 'mq2']) expect(await api('PUT', `/digitaltwins/${id}`, room())).toBe(200);
    await until(() => got.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((g) => JSON.parse(g.payload).subject)).toEqual(['mq1', 'mq2']);
    expect(got[0].contentType).toBe('application/cloudevents+json; charset=utf-8');
    expect(JSON.parse(got[0].payload)).toMatchObject({ specversion: '1.0', type: EventTypes.TwinCreate });
  });

  it('publishes to an AMQP exchange with cloudEvents: headers and the data as the body', async () => {
    const channel = await amqp.createChannel();
    const exchange = `dt-${system.iso.id}`;
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '');
    const got: { headers: Record<string, unknown>; body: string }[] = [];
    await channel.consume(queue, (msg) => {
      if (msg) got.push({ headers: msg.properties.headers ?? {}, body: msg.content.toString() });
    }, { noAck: true });
    expect(await api('PUT', '/endpoints/rabbit', { endpointType: 'amqp', url: AMQP_URL, exchange })).toBe(200);
    expect(await api('PUT', '/eventroutes/to-rabbit', { endpointName: 'rabbit', filter: `type = '${EventTypes.TwinDelete}'` })).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await api('PUT', '/digitaltwins/am1', room())).toBe(200);
    expect(await api('DELETE', '/digitaltwins/am1')).toBe(204);
    await until(() => got.length >= 1);
    expect(got).toHaveLength(1);
    expect(got[0].headers).toMatchObject({ 'cloudEvents:type': EventTypes.TwinDelete, 'cloudEvents:subject': 'am1', 'cloudEvents:specversion': '1.0' });
    expect(JSON.parse(got[0].body)).toMatchObject({ $dtId: 'am1' });
    await channel.close();
  });
});
