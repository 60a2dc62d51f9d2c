import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { untilRouted } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook';

/**
 * The event router's scaling signal is what waits in its endpoints' consumers: `event_router_backlog`
 * (and `event_consumer_pending` per endpoint) rises while an endpoint is down and comes back to 0
 * once the endpoint has taken its events; a healthy endpoint's backlog stays at 0 meanwhile.
 */
describe('the event router\'s backlog metric', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // Two events in flight per endpoint: the rest of a down endpoint's events wait in the stream.
    system = await startSystem({ without: ['relationships', 'query'], overrides: { ENDPOINT_MAX_PENDING: '2' } });
    nc = await natsConnection();
  });
  afterAll(async () => {
    await nc?.close();
    await system?.stop();
    await receiver?.close().catch(() => undefined);
  });

  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
  const routerMetrics = async () => {
    const url = (await system.apps.router.getUrl()).replace('[::1]', '127.0.0.1');
    return (await fetch(`${url}/metrics`)).text();
  };
  const sample = (text: string, pattern: RegExp) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const backlog = async () => {
    const text = await routerMetrics();
    return {
      total: sample(text, /^event_router_backlog\{[^}]*\} (\d+)$/m),
      down: sample(text, /^event_consumer_pending\{endpoint="down"[^}]*\} (\d+)$/m),
      healthy: sample(text, /^event_consumer_pending\{endpoint="healthy"[^}]*\} (\d+)$/m),
    };
  };

  it('rises by the events a down endpoint has not taken, and returns to 0 once it is back and has them', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    expect((await api('PUT', '/endpoints/down', { endpointType: 'webhook', url: `${receiver.url}/down` })).status).toBe(200);
    expect((await api('PUT', '/endpoints/healthy', { endpointType: 'nats', subject: `backlog.${system.iso.id}` })).status).toBe(200);
    for (const name of ['down', 'healthy']) expect((await api('PUT', `/eventroutes/to-${name}`, { endpointName: name, filter: 'true' })).status).toBe(204);
    await untilRouted(nc, system.iso.stream, ['down', 'healthy']);
    await until(async () => (await backlog()).healthy !== undefined);
    expect(await backlog()).toEqual({ total: 0, down: 0, healthy: 0 });

    await receiver.close();
    const twins = Array.from({ length: 5 }, (_, i) => `backlog-${i}`);
    for (const id of twins) expect((await api('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } })).status).toBe(200);
    // Two events are in retry with the router, three wait in the stream: all five count.
    await until(async () => (await backlog()).down === 5, 15_000);
    await until(async () => (await backlog()).healthy === 0, 15_000);
    expect(await backlog()).toEqual({ total: 5, down: 5, healthy: 0 });

    await receiver.open();
    await until(async () => (await backlog()).total === 0, 30_000);
    expect(await backlog()).toEqual({ total: 0, down: 0, healthy: 0 });
    expect(receiver.deliveredTo('/down').map((e) => e.subject).sort()).toEqual(twins);
  }, 60_000);

  it('keeps no consumer of the events stream but its endpoints\' own', async () => {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const info of jsm.consumers.list(system.iso.stream)) names.push(info.name);
    // The history service is a downstream subscriber with a durable consumer of its own.
    expect(names.filter((name) => name !== 'history').sort()).toEqual(['endpoint-down', 'endpoint-healthy']);
  });
});
