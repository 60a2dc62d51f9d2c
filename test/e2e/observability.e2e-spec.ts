import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { initTracing, shutdownTracing } from '@odt/service-kit';
import { readStream } from '../support/events';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

/** Metrics on every service, and one trace from the HTTP request through NATS to the event. */

const exporter = new InMemorySpanExporter();
const models = buildingModels(uniqueDtmiPrefix());
let system: TestSystem;

const urlOf = async (app: string) => (await system.apps[app].getUrl()).replace('[::1]', '127.0.0.1');
const scrape = async (app: string) => (await fetch(`${await urlOf(app)}/metrics`)).text();

beforeAll(async () => {
  // Installed before the services start, so theirs is this one (the first in a process wins).
  initTracing('observability-test', { processor: new SimpleSpanProcessor(exporter) });
  system = await startSystem();
  expect((await callGateway(system.gatewayUrl, 'POST', '/models', models.all)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await shutdownTracing();
});

describe('tracing', () => {
  it('continues the caller\'s trace through the gateway and the twins service into the event', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const res = await fetch(`${system.gatewayUrl}/digitaltwins/traced-room?api-version=2023-10-31`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', traceparent: parent },
      body: JSON.stringify({ $metadata: { $model: models.room['@id'] }, thermostat: { $metadata: {} } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const http = spans.find((s) => s.name === 'PUT /digitaltwins/:id');
    const rpc = spans.find((s) => s.name.endsWith('twins.upsert'));
    expect(http).toBeDefined();
    expect(rpc).toBeDefined();
    expect(rpc?.parentSpanContext?.spanId).toBe(http?.spanContext().spanId);

    const nc = await natsConnection(system.env.NATS_URL);
    try {
      const [event] = await readStream(nc, system.iso.stream, 1);
      expect(event.subject).toBe('traced-room');
      expect((event as unknown as { traceparent: string }).traceparent).toBe(`00-${traceId}-${rpc?.spanContext().spanId}-01`);
    } finally {
      await nc.close();
    }
  });

  it('starts a trace for a request that brings none', async () => {
    const res = await fetch(`${system.gatewayUrl}/digitaltwins/traced-room?api-version=2023-10-31`);
    expect(res.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });
});

describe('/metrics', () => {
  it('is served by every service without a token, in Prometheus text format', async () => {
    for (const app of ['gateway', 'models', 'twins', 'relationships', 'router', 'query']) {
      const res = await fetch(`${await urlOf(app)}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="[a-z-]+"\} \d/m);
    }
  });

  it('counts HTTP requests by route pattern and internal requests by subject', async () => {
    await callGateway(system.gatewayUrl, 'GET', '/digitaltwins/traced-room');
    await callGateway(system.gatewayUrl, 'GET', '/digitaltwins/no-such-twin');
    const gateway = await scrape('gateway');
    expect(gateway).toMatch(/http_server_request_duration_seconds_count\{[^}]*method="GET",route="\/digitaltwins\/:id",status_code="200"[^}]*\} [1-9]/);
    expect(gateway).toMatch(/http_server_request_duration_seconds_count\{[^}]*route="\/digitaltwins\/:id",status_code="404"[^}]*\} [1-9]/);
    expect(gateway).not.toMatch(/no-such-twin/);
    expect(gateway).toMatch(/nats_rpc_client_duration_seconds_count\{[^}]*subject="odt\.twins\.get",outcome="ok"[^}]*\} [1-9]/);
    expect(gateway).toMatch(/nats_rpc_client_duration_seconds_count\{[^}]*subject="odt\.twins\.get",outcome="error"[^}]*\} [1-9]/);
    const twins = await scrape('twins');
    expect(twins).toMatch(/nats_rpc_server_duration_seconds_count\{[^}]*subject="odt\.twins\.get",outcome="DigitalTwinNotFound"[^}]*\} [1-9]/);
  });

  it('shows the outbox and the database pool of the services with tables', async () => {
    const twins = await scrape('twins');
    expect(twins).toMatch(/outbox_publish_lag_seconds_count\{[^}]*schema="twins"[^}]*\} [1-9]/);
    expect(twins).toMatch(/outbox_unpublished_events\{[^}]*schema="twins"[^}]*\} 0/);
    expect(twins).toMatch(/outbox_relay_leader\{[^}]*schema="twins"[^}]*\} 1/);
    expect(twins).toMatch(/db_pool_connections\{[^}]*state="total"[^}]*\} [1-9]/);
  });
});

describe('event-router metrics and the dashboard', () => {
  it('counts deliveries and shows each endpoint\'s backlog and their sum', async () => {
    expect((await callGateway(system.gatewayUrl, 'PUT', '/endpoints/observed', { endpointType: 'nats', subject: `obs.${system.iso.id}` })).status).toBe(200);
    expect((await callGateway(system.gatewayUrl, 'PUT', '/eventroutes/observed', { endpointName: 'observed', filter: 'true' })).status).toBe(204);
    const router = () => scrape('router');
    const deadline = Date.now() + 15_000;
    // The route applies within a second; writes after that are delivered.
    while (!/event_consumer_pending\{[^}]*endpoint="observed"/.test(await router()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 3; i++) await callGateway(system.gatewayUrl, 'PATCH', '/digitaltwins/traced-room', [{ op: 'add', path: '/Temperature', value: i }]);
    let text = '';
    while (!/event_deliveries_total\{[^}]*endpoint="observed",outcome="delivered"[^}]*\} 3/.test(text = await router()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(text).toMatch(/event_deliveries_total\{[^}]*endpoint="observed",outcome="delivered"[^}]*\} 3/);
    // The acknowledgements follow the deliveries (batched at the end of the event loop's turn): the lag comes back to 0.
    while (!/event_consumer_pending\{[^}]*endpoint="observed"[^}]*\} 0/.test(text = await router()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(text).toMatch(/event_consumer_pending\{[^}]*endpoint="observed"[^}]*\} 0/);
    expect(text).toMatch(/^event_router_backlog\{[^}]*\} 0$/m);
  });

  it('draws only metrics the services expose (docs/grafana-dashboard.json)', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(__dirname, '../../docs/grafana-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exposed = (await Promise.all(['gateway', 'models', 'twins', 'relationships', 'router', 'query'].map(scrape))).join('\n');
    const names = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\b[a-z_]+(?=\{|\[)/g) ?? [])));
    const missing = [...names].filter((name) => !['rate', 'sum', 'max', 'by', 'histogram_quantile'].includes(name) && !new RegExp(`^${name}[{ ]`, 'm').test(exposed));
    expect(names.size).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });
});
