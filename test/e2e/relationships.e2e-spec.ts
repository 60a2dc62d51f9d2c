import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventTypes } from '@odt/contracts';
import { readStream } from '../support/events';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { sdkClient } from '../support/sdk';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

const WEAK_ETAG = /^W\/"[0-9a-f-]{36}"$/;

/** Relationships (ADT endpoints 11–16) through the official JS SDK. */
describe('relationships through @azure/digital-twins-core', () => {
  let system: TestSystem;
  let client: DigitalTwinsClient;
  let m: ReturnType<typeof buildingModels>;
  let n = 0;
  const id = (kind: string) => `${kind}-${n++}`;

  async function twin(model: 'room' | 'floor' | 'space' | 'thermostat'): Promise<string> {
    const twinId = id(model);
    const body: Record<string, unknown> = { $metadata: { $model: m[model]['@id'] } };
    if (model === 'room') body.thermostat = { $metadata: {} };
    await client.upsertDigitalTwin(twinId, JSON.stringify(body));
    return twinId;
  }

  async function expectRestError(p: Promise<unknown>, status: number, code: string) {
    const err = await p.then(() => undefined, (e: { statusCode?: number; code?: string; message: string }) => e);
    expect(err).toBeDefined();
    expect({ status: err!.statusCode, code: err!.code }).toEqual({ status, code });
    return err!;
  }

  beforeAll(async () => {
    // The SDK sends no page size for relationship lists (the swagger declares none): a small default exercises nextLink.
    system = await startSystem({ without: ['router'], overrides: { DEFAULT_PAGE_SIZE: '2' } });
    client = sdkClient(system.gatewayUrl);
    m = buildingModels(uniqueDtmiPrefix());
    await client.createModels(m.all);
  });
  afterAll(() => system?.stop());

  it('creates, gets, patches and deletes a relationship with ADT shapes and ETags', async () => {
    const [floor, room] = [await twin('floor'), await twin('room')];
    const created = await client.upsertRelationship(floor, 'r1', { $targetId: room, $relationshipName: 'feeds', weight: 1.5 });
    expect(created.body).toEqual({ $relationshipId: 'r1', $etag: created.etag, $sourceId: floor, $relationshipName: 'feeds', $targetId: room, weight: 1.5 });
    expect(created.etag).toMatch(WEAK_ETAG);
    const got = await client.getRelationship(floor, 'r1');
    expect(got.body).toEqual(created.body);
    const patched = await client.updateRelationship(floor, 'r1', [{ op: 'replace', path: '/weight', value: 3 }], { ifMatch: created.etag });
    expect(patched.etag).not.toBe(created.etag);
    expect((await client.getRelationship(floor, 'r1')).body.weight).toBe(3);
    await expectRestError(client.updateRelationship(floor, 'r1', [{ op: 'remove', path: '/weight' }], { ifMatch: created.etag }), 412, 'PreconditionFailed');
    await expectRestError(client.updateRelationship(floor, 'r1', [{ op: 'replace', path: '/missing', value: 1 }]), 400, 'JsonPatchInvalid');
    await expectRestError(client.updateRelationship(floor, 'r1', [{ op: 'add', path: '/__proto__/weight', value: 1 }]), 400, 'JsonPatchInvalid');
    await expectRestError(client.upsertRelationship(floor, 'r1', { $targetId: room, $relationshipName: 'feeds' }, { ifNoneMatch: '*' }), 412, 'PreconditionFailed');
    await client.deleteRelationship(floor, 'r1', { ifMatch: patched.etag });
    await expectRestError(client.getRelationship(floor, 'r1'), 404, 'RelationshipNotFound');
    await expectRestError(client.deleteRelationship(floor, 'r1'), 404, 'RelationshipNotFound');
  });

  it('accepts a target whose model extends the DTDL target, and rejects other targets', async () => {
    const [floor, room, thermostat] = [await twin('floor'), await twin('room'), await twin('thermostat')];
    // Room extends Space, the target of `contains`.
    await client.upsertRelationship(floor, 'c1', { $targetId: room, $relationshipName: 'contains' });
    await expectRestError(client.upsertRelationship(floor, 'c2', { $targetId: thermostat, $relationshipName: 'contains' }), 400, 'InvalidRelationship');
  });

  it('rejects undeclared names, bad properties, self-loops, missing twins', async () => {
    const [floor, room] = [await twin('floor'), await twin('room')];
    await expectRestError(client.upsertRelationship(floor, 'x', { $targetId: room, $relationshipName: 'owns' }), 400, 'InvalidRelationship');
    await expectRestError(client.upsertRelationship(floor, 'x', { $targetId: room, $relationshipName: 'feeds', weight: 'heavy' }), 400, 'ValidationFailed');
    await expectRestError(client.upsertRelationship(floor, 'x', { $targetId: room, $relationshipName: 'feeds', colour: 1 }), 400, 'ValidationFailed');
    await expectRestError(client.upsertRelationship(floor, 'x', { $targetId: floor, $relationshipName: 'feeds' }), 400, 'OperationNotAllowed');
    await expectRestError(client.upsertRelationship(floor, 'x', { $targetId: 'nobody-here', $relationshipName: 'feeds' }), 404, 'TargetDigitalTwinNotFound');
    await expectRestError(client.upsertRelationship('nobody-here', 'x', { $targetId: room, $relationshipName: 'feeds' }), 404, 'DigitalTwinNotFound');
    await expectRestError(client.getRelationship(floor, 'x'), 404, 'RelationshipNotFound');
  });

  it('lists outgoing (optionally by name) and incoming relationships across nextLink pages', async () => {
    const hub = await twin('floor');
    const rooms = [await twin('room'), await twin('room'), await twin('room')];
    for (const [i, room] of rooms.entries()) await client.upsertRelationship(hub, `contains-${i}`, { $targetId: room, $relationshipName: 'contains' });
    await client.upsertRelationship(hub, 'feeds-0', { $targetId: rooms[0], $relationshipName: 'feeds' });
    await client.upsertRelationship(rooms[1], 'feeds-back', { $targetId: rooms[0], $relationshipName: 'feeds' });

    const all: string[] = [];
    let pages = 0;
    for await (const page of client.listRelationships(hub).byPage()) {
      pages++;
      expect(page.value!.length).toBeLessThanOrEqual(2);
      all.push(...page.value!.map((r: { $relationshipId: string }) => r.$relationshipId));
    }
    expect(all.sort()).toEqual(['contains-0', 'contains-1', 'contains-2', 'feeds-0']);
    expect(pages).toBe(2);

    const named: string[] = [];
    for await (const r of client.listRelationships(hub, { relationshipName: 'feeds' } as never)) named.push(r.$relationshipId);
    expect(named).toEqual(['feeds-0']);

    const incoming = [];
    for await (const r of client.listIncomingRelationships(rooms[0])) incoming.push(r);
    expect(incoming.sort((a, b) => a.relationshipId!.localeCompare(b.relationshipId!))).toEqual([
      { relationshipId: 'contains-0', sourceId: hub, relationshipName: 'contains', relationshipLink: `/digitaltwins/${hub}/relationships/contains-0` },
      { relationshipId: 'feeds-0', sourceId: hub, relationshipName: 'feeds', relationshipLink: `/digitaltwins/${hub}/relationships/feeds-0` },
      { relationshipId: 'feeds-back', sourceId: rooms[1], relationshipName: 'feeds', relationshipLink: `/digitaltwins/${rooms[1]}/relationships/feeds-back` },
    ]);
    await expectRestError(client.listRelationships('nobody-here').next(), 404, 'DigitalTwinNotFound');
  });

  it('will not delete a twin that has relationships (RelationshipsNotDeleted), and will once they are gone', async () => {
    const [floor, room] = [await twin('floor'), await twin('room')];
    await client.upsertRelationship(floor, 'd1', { $targetId: room, $relationshipName: 'feeds' });
    await expectRestError(client.deleteDigitalTwin(room), 400, 'RelationshipsNotDeleted');
    await expectRestError(client.deleteDigitalTwin(floor), 400, 'RelationshipsNotDeleted');
    await client.deleteRelationship(floor, 'd1');
    await client.deleteDigitalTwin(room);
    await client.deleteDigitalTwin(floor);
  });

  it('reports a retargeting PUT in its Update event, and writes nothing for an empty patch', async () => {
    const nc: NatsConnection = await natsConnection();
    try {
      const [floor, a, b] = [await twin('floor'), await twin('room'), await twin('room')];
      const created = await client.upsertRelationship(floor, 'rt', { $targetId: a, $relationshipName: 'feeds' });
      expect((await client.updateRelationship(floor, 'rt', [])).etag).toBe(created.etag);
      await client.upsertRelationship(floor, 'rt', { $targetId: b, $relationshipName: 'feeds' });
      const events = (await readStream(nc, system.iso.stream, 10_000, 3000)).filter((e) => e.subject === `${floor}/relationships/rt`);
      expect(events.map((e) => e.type)).toEqual([EventTypes.RelationshipCreate, EventTypes.RelationshipUpdate]);
      expect(events[1].data).toEqual({ modelId: m.floor['@id'], patch: [{ op: 'replace', path: '/$targetId', value: b }] });
    } finally {
      await nc.close();
    }
  });

  it('emits Relationship.Create/Update/Delete events with ADT subjects and bodies', async () => {
    const nc: NatsConnection = await natsConnection();
    try {
      const [floor, room] = [await twin('floor'), await twin('room')];
      const created = await client.upsertRelationship(floor, 'ev1', { $targetId: room, $relationshipName: 'feeds', weight: 1 });
      await client.updateRelationship(floor, 'ev1', [{ op: 'replace', path: '/weight', value: 2 }]);
      await client.deleteRelationship(floor, 'ev1');
      const events = (await readStream(nc, system.iso.stream, 10_000, 3000)).filter((e) => e.subject === `${floor}/relationships/ev1`);
      expect(events.map((e) => e.type)).toEqual([EventTypes.RelationshipCreate, EventTypes.RelationshipUpdate, EventTypes.RelationshipDelete]);
      expect(events[0].data).toEqual(created.body);
      expect(events[1].data).toEqual({ modelId: m.floor['@id'], patch: [{ op: 'replace', path: '/weight', value: 2 }] });
      expect((events[2].data as { weight: number }).weight).toBe(2);
    } finally {
      await nc.close();
    }
  });
});
