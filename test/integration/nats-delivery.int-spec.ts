import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { EventTypes, type DigitalTwinsEvent } from '@odt/contracts';
import { readStream } from '../support/events';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { callGateway, until } from '../support/gateway';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

/** Routes deliver the matching events, in order, to a `nats` endpoint; a changed filter applies at once. */
describe('delivery to a nats endpoint', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let m: ReturnType<typeof buildingModels>;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'query'] });
    nc = await natsConnection();
    m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
  });
  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  const api = async (method: string, route: string, body?: unknown) => (await callGateway(system.gatewayUrl, method, route, body));

  function collect(sub: Subscription): DigitalTwinsEvent[] {
    const got: DigitalTwinsEvent[] = [];
    void (async () => {
      for await (const msg of sub) got.push(msg.json<DigitalTwinsEvent>());
    })();
    return got;
  }

  it('sends exactly the events the route selects, in commit order, and follows a filter change', async () => {
    const subject = `delivered.${system.iso.id}`;
    const sub = nc.subscribe(subject);
    const got = collect(sub);
    expect((await api('PUT', '/endpoints/bus', { endpointType: 'nats', subject })).status).toBe(200);
    expect((await api('PUT', '/eventroutes/creates', { endpointName: 'bus', filter: `type = '${EventTypes.TwinCreate}'` })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1500)); // the router picks the route up

    const room = { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } };
    for (const id of ['d1', 'd2', 'd3']) expect((await api('PUT', `/digitaltwins/${id}`, room)).status).toBe(200);
    expect((await api('PATCH', '/digitaltwins/d1', [{ op: 'add', path: '/Temperature', value: 21 }])).status).toBe(204);
    await until(() => got.length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(got.map((e) => [e.type, e.subject])).toEqual([
      [EventTypes.TwinCreate, 'd1'], [EventTypes.TwinCreate, 'd2'], [EventTypes.TwinCreate, 'd3'],
    ]);

    // Beyond ADT: a filter on what an update changed.
    expect((await api('PUT', '/eventroutes/creates', { endpointName: 'bus', filter: '$patch./Temperature > 25' })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api('PATCH', '/digitaltwins/d2', [{ op: 'add', path: '/Temperature', value: 20 }])).status).toBe(204);
    expect((await api('PATCH', '/digitaltwins/d3', [{ op: 'add', path: '/Temperature', value: 30 }])).status).toBe(204);
    await until(() => got.length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(got.slice(3).map((e) => [e.type, e.subject])).toEqual([[EventTypes.TwinUpdate, 'd3']]);
    sub.unsubscribe();
  });

  it('publishes through JetStream when a stream captures the endpoint subject, each event once', async () => {
    const jsm = await jetstreamManager(nc);
    const sink = `SINK_${system.iso.id}`;
    await jsm.streams.add({ name: sink, subjects: [`sink.${system.iso.id}.>`] });
    try {
      expect((await api('PUT', '/endpoints/stream', { endpointType: 'nats', subject: `sink.${system.iso.id}.events` })).status).toBe(200);
      expect((await api('PUT', '/eventroutes/everything', { endpointName: 'stream', filter: 'true' })).status).toBe(204);
      await new Promise((r) => setTimeout(r, 1500));
      const room = { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } };
      for (const id of ['j1', 'j2']) expect((await api('PUT', `/digitaltwins/${id}`, room)).status).toBe(200);
      expect((await api('DELETE', '/digitaltwins/j1')).status).toBe(204);
      const events = await readStream(nc, sink, 3, 10_000);
      expect(events.map((e) => [e.type, e.subject])).toEqual([
        [EventTypes.TwinCreate, 'j1'], [EventTypes.TwinCreate, 'j2'], [EventTypes.TwinDelete, 'j1'],
      ]);
    } finally {
      await jsm.streams.delete(sink).catch(() => undefined);
    }
  });
});
