import type { NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent, UpdateEventData } from '@odt/contracts';
import { checkDelivery, committedTwinEvents, untilRouted } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { spawnEventRouter, type ServiceProcess } from '../support/processes';
import { natsConnection, startSystem, type TestSystem } from '../support/system';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook';
import { startPatchWriter } from '../support/writer';

/**
 * The event router, a process of its own, is SIGKILLed while it delivers a stream of twin changes
 * and started again: every committed change still reaches each endpoint, in per-twin commit order.
 */
describe('event delivery when the event router is killed mid-stream', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let receiver: WebhookReceiver;
  let router: ServiceProcess | undefined;
  const onBus: DigitalTwinsEvent[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    system = await startSystem({ without: ['relationships', 'query', 'router'] });
    nc = await natsConnection();
  });
  afterAll(async () => {
    await router?.kill();
    await nc?.close();
    await system?.stop();
    await receiver?.close();
  });

  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
  const routerEnv = () => ({ ...system.env, LOG_LEVEL: 'warn' });

  it('delivers every committed event at least once, in per-twin order, to a nats and a webhook endpoint', async () => {
    router = await spawnEventRouter(routerEnv());
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    const subject = `faults.${system.iso.id}.bus`;
    const sub = nc.subscribe(subject, { callback: (_err, msg) => void onBus.push(msg.json<DigitalTwinsEvent>()) });
    expect((await api('PUT', '/endpoints/bus', { endpointType: 'nats', subject })).status).toBe(200);
    expect((await api('PUT', '/endpoints/hook', { endpointType: 'webhook', url: `${receiver.url}/hook` })).status).toBe(200);
    expect((await api('PUT', '/eventroutes/to-bus', { endpointName: 'bus', filter: 'true' })).status).toBe(204);
    expect((await api('PUT', '/eventroutes/to-hook', { endpointName: 'hook', filter: 'true' })).status).toBe(204);
    await untilRouted(nc, system.iso.stream, ['bus', 'hook']);

    const twins = Array.from({ length: 8 }, (_, i) => `kill-${i}`);
    for (const id of twins) expect((await api('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } })).status).toBe(200);
    const writer = startPatchWriter(system.gatewayUrl, twins, { concurrency: 4 });
    await until(() => onBus.length >= 150 && receiver.delivered.length >= 150, 30_000);
    await router.kill('SIGKILL');
    const atKill = { bus: onBus.length, hook: receiver.delivered.length, writes: writer.writes.length };
    await new Promise((r) => setTimeout(r, 1500)); // writes go on while no router runs
    const writesWhileDown = writer.writes.length - atKill.writes;
    router = await spawnEventRouter(routerEnv());
    await new Promise((r) => setTimeout(r, 1500));
    const writes = await writer.stop();

    const committed = await committedTwinEvents(system.iso.databaseUrl);
    const all = [...committed.values()].flat();
    const hasAll = (got: DigitalTwinsEvent[]) => {
      const ids = new Set(got.map((e) => e.id));
      return all.every((id) => ids.has(id));
    };
    // An event in flight at the kill comes again once its acknowledgement wait (30 s) runs out.
    await until(() => hasAll(onBus) && hasAll(receiver.deliveredTo('/hook')), 60_000);
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show now
    sub.unsubscribe();

    expect(writes.filter((w) => w.status !== 204)).toEqual([]);
    expect(writesWhileDown).toBeGreaterThan(0);
    expect(atKill.bus).toBeLessThan(all.length); // the kill was mid-stream
    expect(atKill.hook).toBeLessThan(all.length);
    for (const got of [onBus, receiver.deliveredTo('/hook')]) {
      const check = checkDelivery(committed, got);
      expect({ missing: check.missing, outOfOrder: check.outOfOrder, stale: check.stale }).toEqual({ missing: [], outOfOrder: [], stale: [] });
      // Every acknowledged write's own event is among them (write n set the value n).
      const values = new Set(got.map((e) => (e.data as UpdateEventData).patch?.[0]?.value));
      expect(writes.filter((w) => !values.has(w.n))).toEqual([]);
    }
  }, 180_000);
});
