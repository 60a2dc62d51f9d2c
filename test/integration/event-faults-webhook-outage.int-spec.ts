import type { NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent, UpdateEventData } from '@odt/contracts';
import { checkDelivery, committedTwinEvents, untilRouted } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook';
import { startPatchWriter } from '../support/writer';

const OUTAGE_MS = 30_000;

/**
 * A webhook receiver goes away for 30 s while twins keep changing, then comes back on the same
 * port: the endpoint's retries outlast the outage, and every committed change arrives, in per-twin
 * order, with nothing dead-lettered.
 */
describe('event delivery across a 30 s webhook outage', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    system = await startSystem({ without: ['relationships', 'query'] });
    nc = await natsConnection();
  });
  afterAll(async () => {
    await nc?.close();
    await system?.stop();
    await receiver?.close().catch(() => undefined);
  });

  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);

  it('delivers every committed event once the receiver is back, in per-twin order, dead-lettering none', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    // Retries go on well past the outage: by attempts (backoff 0.5 s doubling, at most 1 min) and by age.
    const retry = { maxAttempts: 20, ttlSeconds: 600 };
    expect((await api('PUT', '/endpoints/hook', { endpointType: 'webhook', url: `${receiver.url}/hook`, retry })).status).toBe(200);
    expect((await api('PUT', '/eventroutes/to-hook', { endpointName: 'hook', filter: 'true' })).status).toBe(204);
    await untilRouted(nc, system.iso.stream, ['hook']);

    const twins = Array.from({ length: 5 }, (_, i) => `outage-${i}`);
    for (const id of twins) expect((await api('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } })).status).toBe(200);
    const writer = startPatchWriter(system.gatewayUrl, twins, { concurrency: 2, pauseMs: 50 });
    await until(() => receiver.delivered.length >= 20, 20_000);

    await receiver.close();
    const down = { delivered: receiver.delivered.length, writes: writer.writes.length };
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const during = { delivered: receiver.delivered.length - down.delivered, writes: writer.writes.length - down.writes };
    await receiver.open();
    await new Promise((r) => setTimeout(r, 1000));
    const writes = await writer.stop();

    const committed = await committedTwinEvents(system.iso.databaseUrl);
    const all = [...committed.values()].flat();
    const hasAll = () => {
      const ids = new Set(receiver.delivered.map((d) => d.event.id));
      return all.every((id) => ids.has(id));
    };
    // The endpoint's next retry comes at most one backoff step (≤ 48 s at this point, jittered) after the return.
    await until(hasAll, 60_000);
    await new Promise((r) => setTimeout(r, 500));

    expect(writes.filter((w) => w.status !== 204)).toEqual([]);
    expect(during.delivered).toBe(0);
    expect(during.writes).toBeGreaterThan(50); // changes kept coming while the receiver was away
    const got: DigitalTwinsEvent[] = receiver.deliveredTo('/hook');
    const check = checkDelivery(committed, got);
    expect({ missing: check.missing, outOfOrder: check.outOfOrder, stale: check.stale }).toEqual({ missing: [], outOfOrder: [], stale: [] });
    const values = new Set(got.map((e) => (e.data as UpdateEventData).patch?.[0]?.value));
    expect(writes.filter((w) => !values.has(w.n))).toEqual([]);
    expect((await api('GET', '/endpoints/hook/deadletters')).body.value).toEqual([]);
    // Connection refused during the outage, so the attempts never reached the receiver.
    expect(receiver.refused).toEqual([]);
  }, 120_000);
});
