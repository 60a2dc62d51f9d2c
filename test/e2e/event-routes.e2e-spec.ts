import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { sdkClient } from '../support/sdk';
import { startSystem, type TestSystem } from '../support/system';

/** Event routes (ADT endpoints 21–24) through the official SDK, and the endpoints they name. */
describe('event routes and endpoints', () => {
  let system: TestSystem;
  let client: DigitalTwinsClient;

  beforeAll(async () => {
    system = await startSystem({ without: ['models', 'twins', 'relationships', 'query'], overrides: { DEFAULT_PAGE_SIZE: '2' } });
    client = sdkClient(system.gatewayUrl);
  });
  afterAll(() => system?.stop());

  async function api(method: string, route: string, body?: unknown) {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, code: res.headers.get('x-ms-error-code'), body: text ? JSON.parse(text) : undefined };
  }

  async function expectRestError(p: Promise<unknown>, status: number, code: string) {
    const err = await p.then(() => undefined, (e: { statusCode?: number; code?: string }) => e);
    expect({ status: err?.statusCode, code: err?.code }).toEqual({ status, code });
  }

  it('stores endpoints of every kind, never showing a secret again', async () => {
    const hook = await api('PUT', '/endpoints/hook', { endpointType: 'webhook', url: 'http://127.0.0.1:9/events', secret: 'a-secret-of-sixteen!', headers: { 'X-Team': 'ops' } });
    expect(hook).toMatchObject({ status: 200, body: { name: 'hook', endpointType: 'webhook', url: 'http://127.0.0.1:9/events', hasSecret: true } });
    expect(JSON.stringify(hook.body)).not.toContain('a-secret-of-sixteen!');
    expect(JSON.stringify((await api('GET', '/endpoints/hook')).body)).not.toContain('a-secret-of-sixteen!');
    expect((await api('PUT', '/endpoints/bus', { endpointType: 'nats', subject: 'alerts.rooms' })).status).toBe(200);
    expect((await api('PUT', '/endpoints/broker', { endpointType: 'mqtt', url: 'mqtt://127.0.0.1:1883', topic: 'dt/events' })).status).toBe(200);
    expect((await api('PUT', '/endpoints/rabbit', { endpointType: 'amqp', url: 'amqp://guest:guest@127.0.0.1:5672', exchange: 'dt' })).status).toBe(200);
    // Replacing without a secret keeps the one set.
    expect((await api('PUT', '/endpoints/hook', { endpointType: 'webhook', url: 'http://127.0.0.1:9/v2' })).body.hasSecret).toBe(true);
  });

  it.each([
    ['an unknown kind', { endpointType: 'ftp', url: 'ftp://x' }],
    ['a webhook without a URL', { endpointType: 'webhook' }],
    ['a NATS subject with a wildcard', { endpointType: 'nats', subject: 'a.*' }],
    ['an MQTT topic with a wildcard', { endpointType: 'mqtt', url: 'mqtt://127.0.0.1', topic: 'a/#' }],
    ['an unknown setting', { endpointType: 'nats', subject: 'a', colour: 'red' }],
    ['a short secret', { endpointType: 'webhook', url: 'https://x.example', secret: 'short' }],
  ])('refuses %s with 400 EndpointInvalid', async (_name, body) => {
    expect(await api('PUT', '/endpoints/bad', body)).toMatchObject({ status: 400, code: 'EndpointInvalid' });
  });

  it('creates, reads, lists (paged) and deletes routes with the SDK', async () => {
    await api('PUT', '/endpoints/sdk-bus', { endpointType: 'nats', subject: 'sdk.events' });
    await client.upsertEventRoute('r1', 'sdk-bus', "type = 'Microsoft.DigitalTwins.Twin.Create'");
    await client.upsertEventRoute('r2', 'sdk-bus', 'true');
    await client.upsertEventRoute('r3', 'sdk-bus', "STARTS_WITH($body.$metadata.$model, 'dtmi:example:com:floor')");
    await client.upsertEventRoute('r1', 'sdk-bus', "type = 'microsoft.iot.telemetry'");
    expect(await client.getEventRoute('r1')).toMatchObject({ id: 'r1', endpointName: 'sdk-bus', filter: "type = 'microsoft.iot.telemetry'" });
    const ids: string[] = [];
    for await (const route of client.listEventRoutes()) ids.push(route.id!);
    expect(ids).toEqual(expect.arrayContaining(['r1', 'r2', 'r3']));
    await client.deleteEventRoute('r2');
    await expectRestError(client.getEventRoute('r2'), 404, 'EventRouteNotFound');
    await expectRestError(client.deleteEventRoute('r2'), 404, 'EventRouteNotFound');
  });

  it('refuses a route to a missing endpoint, an invalid filter, a bad id; and an endpoint in use cannot go', async () => {
    await api('PUT', '/endpoints/in-use', { endpointType: 'nats', subject: 'used' });
    await expectRestError(client.upsertEventRoute('x1', 'no-such-endpoint', 'true'), 400, 'EventRouteEndpointInvalid');
    await expectRestError(client.upsertEventRoute('x1', 'in-use', "type = 'unterminated"), 400, 'EventRouteFilterInvalid');
    await expectRestError(client.upsertEventRoute('bad id!', 'in-use', 'true'), 400, 'EventRouteIdInvalid');
    await client.upsertEventRoute('keeps', 'in-use', 'true');
    expect(await api('DELETE', '/endpoints/in-use')).toMatchObject({ status: 409, code: 'EndpointInUse' });
    await client.deleteEventRoute('keeps');
    expect((await api('DELETE', '/endpoints/in-use')).status).toBe(204);
    expect(await api('GET', '/endpoints/in-use')).toMatchObject({ status: 404, code: 'EndpointNotFound' });
  });
});
