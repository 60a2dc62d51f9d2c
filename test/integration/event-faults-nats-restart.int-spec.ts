import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent, UpdateEventData } from '@odt/contracts';
import { subscribeToEndpoint, type EventSubscription } from '@odt/subscriber';
import { Client } from 'pg';
import { checkDelivery, committedTwinEvents, untilRouted } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startPrivateNats, type PrivateNats } from '../support/processes';
import { startSystem, type TestSystem } from '../support/system';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook';
import { startPatchWriter } from '../support/writer';

const OUTAGE_MS = 3000;

/**
 * The NATS server (a private one: the shared server stays up for the other tests) is SIGKILLed
 * while twins keep changing, and started again on the same port and store. Writes around the
 * outage succeed or fail with an ADT error; every acknowledged write's event, and every committed
 * one, still reaches a nats endpoint's durable subscriber and a webhook, in per-twin order.
 */
describe('event delivery across a NATS server restart', () => {
  let nats: PrivateNats;
  let system: TestSystem;
  let nc: NatsConnection;
  let receiver: WebhookReceiver;
  let subscription: EventSubscription | undefined;

  beforeAll(async () => {
    nats = await startPrivateNats();
    receiver = await startWebhookReceiver();
    system = await startSystem({ without: ['relationships', 'query'], overrides: { NATS_URL: nats.url } });
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  });
  afterAll(async () => {
    try {
      await subscription?.stop();
      await nc?.close();
      await system?.stop();
    } finally {
      await nats?.dispose();
      await receiver?.close();
    }
  });

  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);

  it('delivers every acknowledged and every committed change after the restart, in per-twin order', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    const subject = `sink.${system.iso.id}.events`;
    const onSink: DigitalTwinsEvent[] = [];
    // The subscriber's stream captures the subject first, so the router publishes through JetStream.
    subscription = await subscribeToEndpoint({ nc, stream: `SINK_${system.iso.id}`, subject, durable: 'faults' }, async (event) => {
      onSink.push(event);
    });
    expect((await api('PUT', '/endpoints/sink', { endpointType: 'nats', subject })).status).toBe(200);
    expect((await api('PUT', '/endpoints/hook', { endpointType: 'webhook', url: `${receiver.url}/hook` })).status).toBe(200);
    for (const name of ['sink', 'hook']) expect((await api('PUT', `/eventroutes/to-${name}`, { endpointName: name, filter: 'true' })).status).toBe(204);
    await untilRouted(nc, system.iso.stream, ['sink', 'hook']);

    const twins = Array.from({ length: 6 }, (_, i) => `restart-${i}`);
    for (const id of twins) expect((await api('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } })).status).toBe(200);
    const writer = startPatchWriter(system.gatewayUrl, twins, { concurrency: 3, pauseMs: 10 });
    await until(() => onSink.length >= 50 && receiver.delivered.length >= 50, 20_000);
    const before = { sink: onSink.length, writes: writer.writes.length };
    await nats.kill('SIGKILL');
    // More writes, all sent while NATS is down.
    const outageWriter = startPatchWriter(system.gatewayUrl, twins, { concurrency: 2, pauseMs: 200, firstValue: 1_000_000 });
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    outageWriter.pause();
    await nats.start();
    // Writes succeed again once the services have reconnected.
    const ok = () => writer.writes.filter((w) => w.status === 204).length;
    const okBefore = ok();
    await until(() => ok() >= okBefore + 30, 30_000);
    const writes = [...(await writer.stop()), ...(await outageWriter.stop())];

    // Everything committed, the outage's writes included, leaves the outbox and arrives.
    await until(async () => (await unpublished(system.iso.databaseUrl)) === 0, 30_000);
    const committed = await committedTwinEvents(system.iso.databaseUrl);
    const all = [...committed.values()].flat();
    const hasAll = (got: DigitalTwinsEvent[]) => {
      const ids = new Set(got.map((e) => e.id));
      return all.every((id) => ids.has(id));
    };
    await until(() => hasAll(onSink) && hasAll(receiver.deliveredTo('/hook')), 60_000);
    await new Promise((r) => setTimeout(r, 500));

    expect(before.sink).toBeLessThan(all.length);
    expect(outageWriter.writes.length).toBeGreaterThan(0);
    // Every write succeeded, failed with ADT's 503 ServiceUnavailable (sent while the gateway knew
    // NATS was gone), or got 504 GatewayTimeout after NATS_REQUEST_TIMEOUT_MS because its request or
    // reply was lost with the server. A 504's outcome is unknown to the client: if it committed, its
    // event is in `committed`, checked below.
    const answers = writes.map((w) => `${w.status} ${w.code ?? ''}`.trim());
    expect(answers.filter((a) => !['204', '503 ServiceUnavailable', '504 GatewayTimeout'].includes(a))).toEqual([]);
    // Writes sent during the outage are refused at once, not left to time out.
    expect(outageWriter.writes.filter((w) => w.status === 503).length).toBeGreaterThan(0);
    expect(ok()).toBeGreaterThanOrEqual(okBefore + 30);
    for (const got of [onSink, receiver.deliveredTo('/hook')]) {
      const check = checkDelivery(committed, got);
      // A killed server may forget acknowledgements it had not yet written to disk and redeliver
      // those events after the restart, behind newer ones: duplicates with their original id, which
      // `processOnce` drops. First arrivals stay in per-twin commit order (`outOfOrder`).
      expect({ missing: check.missing, outOfOrder: check.outOfOrder }).toEqual({ missing: [], outOfOrder: [] });
      const values = new Set(got.map((e) => (e.data as UpdateEventData).patch?.[0]?.value));
      expect(writes.filter((w) => w.status === 204 && !values.has(w.n))).toEqual([]);
    }
  }, 120_000);
});

async function unpublished(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM twins.outbox WHERE published_at IS NULL`);
    return Number(rows[0].n);
  } finally {
    await db.end();
  }
}
