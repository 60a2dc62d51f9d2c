import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventTypes, type DigitalTwinsEvent, type UpdateEventData } from '@odt/contracts';
import { readStream, streamCount } from '../support/events';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { sdkClient } from '../support/sdk';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

const EVENTS_SOURCE = 'adt.test.example';
const WEAK_ETAG = /^W\/"[0-9a-f-]{36}"$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


/** Components (ADT endpoints 17–18) and telemetry (19–20) through the official JS SDK. */
describe('components and telemetry through @azure/digital-twins-core', () => {
  let system: TestSystem;
  let client: DigitalTwinsClient;
  let nc: NatsConnection;
  let m: ReturnType<typeof buildingModels>;
  let n = 0;
  const twinId = () => `c-${Date.now().toString(36)}-${n++}`;
  const room = (extra: Record<string, unknown> = {}) => ({
    $metadata: { $model: m.room['@id'] },
    Temperature: 21.5,
    thermostat: { setPoint: 20, $metadata: { setPoint: { sourceTime: '2022-05-31T12:00:01.000125009Z' } } },
    ...extra,
  });

  beforeAll(async () => {
    system = await startSystem({ without: ['router'], overrides: { EVENTS_SOURCE } });
    client = sdkClient(system.gatewayUrl);
    nc = await natsConnection();
    m = buildingModels(uniqueDtmiPrefix());
    await client.createModels(m.all);
  });
  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  async function expectRestError(p: Promise<unknown>, status: number, code: string) {
    const err = await p.then(() => undefined, (e: { statusCode?: number; code?: string; message: string }) => e);
    expect(err).toBeDefined();
    expect({ status: err!.statusCode, code: err!.code }).toEqual({ status, code });
    return err!;
  }

  /** The stream's events once `found` holds (outbox events arrive shortly after their write). */
  async function eventsWhen(found: (events: DigitalTwinsEvent[]) => boolean): Promise<DigitalTwinsEvent[]> {
    for (let attempt = 0; ; attempt++) {
      const events = await readStream(nc, system.iso.stream, await streamCount(nc, system.iso.stream), 5000);
      if (found(events) || attempt >= 10) return events;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const telemetryOf = (events: DigitalTwinsEvent[], id: string) =>
    events.filter((e) => e.type === EventTypes.Telemetry && e.id === id);

  async function api(method: string, route: string, body: string | undefined, headers: Record<string, string>) {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, { method, body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    return { status: res.status, code: res.headers.get('x-ms-error-code'), body: text ? JSON.parse(text) : undefined };
  }

  it('gets exactly the component object, with the twin\'s ETag', async () => {
    const id = twinId();
    const created = await client.upsertDigitalTwin(id, JSON.stringify(room()));
    const got = await client.getComponent(id, 'thermostat');
    expect(got.etag).toBe(created.etag);
    expect(got.body).toEqual(created.body.thermostat);
    expect(Object.keys(got.body).sort()).toEqual(['$metadata', 'setPoint']);
    expect(got.body.$metadata.setPoint.sourceTime).toBe('2022-05-31T12:00:01.000125009Z');
  });

  it('answers ComponentNotFound for a name that is not a component, DigitalTwinNotFound for a missing twin', async () => {
    const id = twinId();
    await client.upsertDigitalTwin(id, JSON.stringify(room()));
    const err = await expectRestError(client.getComponent(id, 'Temperature'), 404, 'ComponentNotFound');
    expect(err.message).toContain(`${id} does not have component Temperature Please verify that the component path is correct.`);
    await expectRestError(client.getComponent(id, 'nothing'), 404, 'ComponentNotFound');
    await expectRestError(client.getComponent(twinId(), 'thermostat'), 404, 'DigitalTwinNotFound');
    await expectRestError(client.updateComponent(id, 'nothing', [{ op: 'add', path: '/setPoint', value: 1 }]), 404, 'ComponentNotFound');
  });

  it('patches a component with paths relative to it, honours If-Match, and emits Twin.Update with absolute paths', async () => {
    const id = twinId();
    const created = await client.upsertDigitalTwin(id, JSON.stringify(room()));
    const patch = [
      { op: 'replace', path: '/setPoint', value: 23.5 },
      { op: 'add', path: '/$metadata/setPoint/sourceTime', value: '2024-01-02T03:04:05Z' },
    ];
    const patched = await client.updateComponent(id, 'thermostat', patch, { ifMatch: created.etag });
    expect(patched.etag).toMatch(WEAK_ETAG);
    expect(patched.etag).not.toBe(created.etag);

    const twin = (await client.getDigitalTwin(id)).body;
    expect(twin.$etag).toBe(patched.etag);
    expect(twin.thermostat.setPoint).toBe(23.5);
    expect(twin.thermostat.$metadata.setPoint.sourceTime).toBe('2024-01-02T03:04:05Z');
    expect(twin.thermostat.$metadata.setPoint.lastUpdateTime > created.body.thermostat.$metadata.setPoint.lastUpdateTime).toBe(true);
    expect(twin.Temperature).toBe(21.5);
    expect((await client.getComponent(id, 'thermostat')).etag).toBe(patched.etag);

    await expectRestError(client.updateComponent(id, 'thermostat', [{ op: 'remove', path: '/setPoint' }], { ifMatch: created.etag }), 412, 'PreconditionFailed');
    await expectRestError(client.updateComponent(id, 'thermostat', [{ op: 'replace', path: '/setPoint', value: 'hot' }]), 400, 'ValidationFailed');
    await expectRestError(client.updateComponent(id, 'thermostat', [{ op: 'add', path: '/$metadata/$model', value: m.room['@id'] }]), 400, 'JsonPatchInvalid');
    expect((await client.getDigitalTwin(id)).etag).toBe(patched.etag);

    const isOurUpdate = (e: DigitalTwinsEvent) => e.type === EventTypes.TwinUpdate && e.subject === id;
    const updates = (await eventsWhen((events) => events.some(isOurUpdate))).filter(isOurUpdate);
    expect(updates).toHaveLength(1);
    expect(updates[0].data as UpdateEventData).toEqual({
      modelId: m.room['@id'],
      patch: [
        { op: 'replace', path: '/thermostat/setPoint', value: 23.5 },
        { op: 'add', path: '/thermostat/$metadata/setPoint/sourceTime', value: '2024-01-02T03:04:05Z' },
      ],
    });
  });

  it('publishes twin telemetry as a microsoft.iot.telemetry CloudEvent and stores nothing', async () => {
    const id = twinId();
    const created = await client.upsertDigitalTwin(id, JSON.stringify(room()));
    const before = Date.now();
    await client.publishTelemetry(id, { temperature: 21.7, unit: 'C' }, `twin-msg-${id}`);

    const [event] = telemetryOf(await eventsWhen((events) => telemetryOf(events, `twin-msg-${id}`).length > 0), `twin-msg-${id}`);
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'microsoft.iot.telemetry',
      id: `twin-msg-${id}`,
      source: `${EVENTS_SOURCE}/digitaltwins/${id}`,
      dataschema: m.room['@id'],
      datacontenttype: 'application/json',
      data: { temperature: 21.7, unit: 'C' },
    });
    expect(event.subject).toBeUndefined();
    // The SDK always sends Telemetry-Source-Time (its own clock); it travels as an extension attribute.
    expect(Date.parse(event.telemetrysourcetime!)).toBeGreaterThanOrEqual(before - 1000);
    expect((await client.getDigitalTwin(id)).body).toEqual(created.body);
  });

  it('publishes component telemetry, undoing the SDK\'s swap of payload and message id', async () => {
    const id = twinId();
    await client.upsertDigitalTwin(id, JSON.stringify(room()));
    // The SDK sends this payload as the Message-Id header and `comp-msg-…` as the JSON body.
    await client.publishComponentTelemetry(id, 'thermostat', JSON.stringify({ reading: 19.25 }), `comp-msg-${id}`);
    // An empty message id makes the SDK generate one (its typings require the argument).
    await client.publishComponentTelemetry(id, 'thermostat', JSON.stringify({ reading: 19.5 }), '');

    const isOurs = (e: DigitalTwinsEvent) => e.type === EventTypes.Telemetry && e.source === `${EVENTS_SOURCE}/digitaltwins/${id}`;
    const events = (await eventsWhen((all) => all.filter(isOurs).length >= 2)).filter(isOurs);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      id: `comp-msg-${id}`,
      subject: 'thermostat',
      dataschema: m.thermostat['@id'],
      data: { reading: 19.25 },
    });
    expect(typeof events[0].telemetrysourcetime).toBe('string');
    // Without a message id the SDK generates a UUID, which becomes the event id.
    expect(events[1].id).toMatch(UUID);
    expect(events[1].data).toEqual({ reading: 19.5 });
  });

  it('answers 404 for telemetry of an unknown twin or component', async () => {
    const id = twinId();
    await client.upsertDigitalTwin(id, JSON.stringify(room()));
    await expectRestError(client.publishTelemetry(twinId(), { a: 1 }, 'x'), 404, 'DigitalTwinNotFound');
    await expectRestError(client.publishComponentTelemetry(id, 'nothing', '{"a":1}', 'x'), 404, 'ComponentNotFound');
    await expectRestError(client.publishComponentTelemetry(twinId(), 'thermostat', '{"a":1}', 'x'), 404, 'DigitalTwinNotFound');
  });

  it('requires Message-Id, checks Telemetry-Source-Time, and publishes nothing for a refused request', async () => {
    const id = twinId();
    await client.upsertDigitalTwin(id, JSON.stringify(room()));
    // The twin's Create event reaches the stream through the outbox relay, asynchronously: wait for it
    // (and any other event still in flight) before taking the count that must not change.
    let count = await streamCount(nc, system.iso.stream);
    for (let quiet = 0; quiet < 5; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await streamCount(nc, system.iso.stream);
      quiet = now === count ? quiet + 1 : 0;
      count = now;
    }
    const body = JSON.stringify({ a: 1 });
    expect(await api('POST', `/digitaltwins/${id}/telemetry`, body, {})).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await api('POST', `/digitaltwins/${id}/components/thermostat/telemetry`, body, {})).toMatchObject({ status: 400, code: 'InvalidArgument' });
    for (const bad of ['yesterday', '2024-13-01T00:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00']) {
      expect(await api('POST', `/digitaltwins/${id}/telemetry`, body, { 'message-id': 'm', 'telemetry-source-time': bad }))
        .toMatchObject({ status: 400, code: 'InvalidArgument' });
    }
    expect(await api('POST', '/digitaltwins/a%2Fb/telemetry', body, { 'message-id': 'm' })).toMatchObject({ status: 400, code: 'InvalidArgument' });
    const noBody = await fetch(`${system.gatewayUrl}/digitaltwins/${id}/telemetry?api-version=2023-10-31`, { method: 'POST', headers: { 'message-id': 'm' } });
    expect({ status: noBody.status, code: noBody.headers.get('x-ms-error-code') }).toEqual({ status: 400, code: 'InvalidArgument' });
    expect(await streamCount(nc, system.iso.stream)).toBe(count);

    // Any JSON is a payload; a source time with an offset and nanoseconds is RFC 3339.
    const ok = await api('POST', `/digitaltwins/${id}/telemetry`, '[1,2,3]', { 'message-id': `raw-${id}`, 'telemetry-source-time': '1985-04-12T23:20:50.520000001+02:00' });
    expect(ok.status).toBe(204);
    const [event] = telemetryOf(await eventsWhen((events) => telemetryOf(events, `raw-${id}`).length > 0), `raw-${id}`);
    expect(event).toMatchObject({ data: [1, 2, 3], telemetrysourcetime: '1985-04-12T23:20:50.520000001+02:00' });
  });

  it('refuses to delete a twin that has incoming or outgoing relationships with RelationshipsNotDeleted', async () => {
    const a = twinId();
    const b = twinId();
    await client.upsertDigitalTwin(a, JSON.stringify(room()));
    await client.upsertDigitalTwin(b, JSON.stringify(room()));
    await client.upsertRelationship(a, 'r1', { $relationshipId: 'r1', $sourceId: a, $targetId: b, $relationshipName: 'contains' });
    const err = await expectRestError(client.deleteDigitalTwin(a), 400, 'RelationshipsNotDeleted');
    expect(err.message).toContain(`Twin ${a} has active relationships. Cannot delete a twin unless all the relationships are deleted.`);
    await expectRestError(client.deleteDigitalTwin(b), 400, 'RelationshipsNotDeleted');
    expect((await client.getDigitalTwin(a)).body.$dtId).toBe(a);
    await client.deleteRelationship(a, 'r1');
    await client.deleteDigitalTwin(b);
    await client.deleteDigitalTwin(a);
  });
});
