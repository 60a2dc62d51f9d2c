import type { NatsConnection } from '@nats-io/transport-node';
import { EventTypes } from '@odt/contracts';
import { Client } from 'pg';
import { readStream } from '../support/events';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

/**
 * The outboxes as deployed by default (`OUTBOX_KEEP_PUBLISHED_MS=0`; the other tests keep published
 * rows to compare them with the stream): each committed change reaches the stream once, and its row
 * is deleted once it has. The relays' poll is set to a minute, so what reaches the stream here was
 * sent on the writers' wakes (NATS, after each commit), the poll's fallback aside.
 */
describe('outboxes by default: published rows are deleted', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let db: Client;
  const m = buildingModels(uniqueDtmiPrefix());
  const room = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} }, ...extra });
  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);

  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'history', 'query', 'connector', 'jobs'], overrides: { OUTBOX_KEEP_PUBLISHED_MS: '0', OUTBOX_POLL_MS: '60000', OUTBOX_WATERMARK_MS: '0' } });
    nc = await natsConnection();
    db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    expect((await api('POST', '/models', m.all)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await system?.stop();
  });

  it('publishes every change once, in order per twin, on the writers\' wakes, and leaves both outboxes empty', async () => {
    const twins = Array.from({ length: 20 }, (_, i) => `o-${i}`);
    for (const id of twins) expect((await api('PUT', `/digitaltwins/${id}`, room({ Temperature: 1 }))).status).toBe(200);
    await Promise.all(twins.map(async (id, i) => {
      for (let v = 2; v <= 4; v++) expect((await api('PATCH', `/digitaltwins/${id}`, [{ op: 'replace', path: '/Temperature', value: v }])).status).toBe(204);
      if (i > 0) expect((await api('PUT', `/digitaltwins/${id}/relationships/r`, { $targetId: twins[0], $relationshipName: 'contains' })).status).toBe(200);
    }));
    // One atomic batch: a twin and its relationship to o-0.
    expect((await api('POST', '/batch', { operations: [
      { op: 'putTwin', twinId: 'o-batch', twin: room() },
      { op: 'putRelationship', twinId: 'o-batch', relationshipId: 'r', relationship: { $targetId: twins[0], $relationshipName: 'contains' } },
    ] })).status).toBe(200);
    // 21 creates, 60 patches, 20 relationships, within 10 s: woken, not polled.
    const events = await readStream(nc, system.iso.stream, 101, 10_000);
    expect(events).toHaveLength(101);
    expect(new Set(events.map((e) => e.id)).size).toBe(101);
    for (const id of twins) {
      const mine = events.filter((e) => e.subject === id);
      expect(mine.map((e) => e.type)).toEqual([EventTypes.TwinCreate, EventTypes.TwinUpdate, EventTypes.TwinUpdate, EventTypes.TwinUpdate]);
      // Each patch's value, in the order the writes were acknowledged.
      expect(mine.slice(1).map((e) => (e.data as { patch: { value: number }[] }).patch[0].value)).toEqual([2, 3, 4]);
    }
    expect(events.filter((e) => e.type === EventTypes.RelationshipCreate)).toHaveLength(20);

    const left = async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT (SELECT count(*) FROM twins.outbox) + (SELECT count(*) FROM relationships.outbox) AS n`);
      return Number(rows[0].n);
    };
    for (let i = 0; i < 100 && (await left()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await left()).toBe(0);
  });
});
