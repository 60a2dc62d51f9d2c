import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { startRoomAlerts } from '../../examples/room-alerts/room-alerts';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { callGateway } from '../support/gateway';
import { NATS_URL, natsConnection, startSystem, type TestSystem } from '../support/system';

/** The example subscriber keeps its alert table from routed events, each applied once. */
describe('examples/room-alerts', () => {
  let system: TestSystem;
  let nc: NatsConnection;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'query'] });
    nc = await natsConnection();
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(`ALERTS_${system.iso.id}`).catch(() => undefined);
    await nc.close();
    await system.stop();
  });

  const api = async (method: string, route: string, body?: unknown) => (await callGateway(system.gatewayUrl, method, route, body)).status;

  it('raises an alert above the threshold and clears it below', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect(await api('POST', '/models', m.all)).toBe(201);
    const subject = `alerts.${system.iso.id}`;
    const alerts = await startRoomAlerts({
      natsUrl: NATS_URL, databaseUrl: system.iso.databaseUrl, subject, stream: `ALERTS_${system.iso.id}`, durable: 'room-alerts', threshold: 25,
    });
    try {
      expect(await api('PUT', '/endpoints/alerts', { endpointType: 'nats', subject })).toBe(200);
      expect(await api('PUT', '/eventroutes/temperatures', { endpointName: 'alerts', filter: "CHANGED('/Temperature')" })).toBe(204);
      await new Promise((r) => setTimeout(r, 1500));
      const room = { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } };
      for (const id of ['hot', 'cool']) expect(await api('PUT', `/digitaltwins/${id}`, room)).toBe(200);
      expect(await api('PATCH', '/digitaltwins/hot', [{ op: 'add', path: '/Temperature', value: 31 }])).toBe(204);
      expect(await api('PATCH', '/digitaltwins/cool', [{ op: 'add', path: '/Temperature', value: 19 }])).toBe(204);
      expect(await api('PATCH', '/digitaltwins/cool', [{ op: 'replace', path: '/Temperature', value: 27 }])).toBe(204);
      expect(await api('PATCH', '/digitaltwins/cool', [{ op: 'replace', path: '/Temperature', value: 22 }])).toBe(204);
      const deadline = Date.now() + 10_000;
      let rows: { twin_id: string; temperature: number; cleared: boolean }[] = [];
      while (Date.now() < deadline) {
        rows = (await alerts.pool.query(`SELECT twin_id, temperature, cleared_at IS NOT NULL AS cleared FROM room_alerts ORDER BY twin_id`)).rows;
        if (rows.length === 2 && rows.find((r) => r.twin_id === 'cool')?.cleared) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).toEqual([{ twin_id: 'cool', temperature: 22, cleared: true }, { twin_id: 'hot', temperature: 31, cleared: false }]);
      const processed = (await alerts.pool.query(`SELECT count(*)::int AS n FROM processed_events`)).rows[0].n;
      expect(processed).toBe(4);
    } finally {
      await alerts.stop();
    }
  });
});
