import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { ServiceName } from '../../tools/services';
import { metricSum, startCluster, type Cluster, type MetricSample, type Replica } from '../support/cluster';
import { checkWrites, committedEvents, compareEvents, streamEvents, untilOutboxDrained } from '../support/consistency';
import { untilRouted } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { cleanup, migrate, newIsolation } from '../support/system';
import { roomRing, startWriteLoad, type LoadWrite, type WriteLoad, type WriteLoadOptions } from '../support/write-load';

/**
 * Two replicas of every service, each its own OS process, on one NATS, one Postgres and one
 * isolation: internal requests and event deliveries spread over the replicas, one outbox relay
 * per schema publishes each committed change once, and SIGKILLing one replica of each service
 * under a steady write load loses no acknowledged write and no event.
 */
describe('two replicas of every service', () => {
  const iso = newIsolation();
  const m = buildingModels(uniqueDtmiPrefix());
  /** Two endpoints, so that each event-router replica has one to deliver to. */
  const sinks = ['sink-a', 'sink-b'];
  const sinkSubject = (endpoint: string) => `sink.${iso.id}.${endpoint}`;
  let cluster: Cluster | undefined;
  let nc: NatsConnection | undefined;
  const subscriptions: Subscription[] = [];
  const sunk = new Map(sinks.map((name) => [name, new Set<string>()]));
  const loads: WriteLoad[] = [];
  const load = (options: WriteLoadOptions) => {
    loads.push(startWriteLoad(options));
    return loads[loads.length - 1];
  };

  beforeAll(async () => {
    await migrate(iso);
    cluster = await startCluster({
      replicas: 2,
      env: {
        ...iso.env,
        LOG_LEVEL: 'warn',
        // Twelve processes share the Postgres other tests use: small pools.
        DATABASE_POOL_SIZE: '4',
        RATE_LIMIT_PER_CALLER: '0',
        RATE_LIMIT_GLOBAL: '0',
        // A request lost with a killed replica fails after this (and the client retries it).
        NATS_REQUEST_TIMEOUT_MS: '4000',
      },
    });
    nc = await connect({ servers: iso.env.NATS_URL });
    const api = (method: string, route: string, body?: unknown) => callGateway(cluster!.gatewayUrls()[0], method, route, body);
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    for (const name of sinks) {
      subscriptions.push(nc.subscribe(sinkSubject(name), { callback: (_err, msg) => void sunk.get(name)!.add(msg.json<{ id: string }>().id) }));
      expect((await api('PUT', `/endpoints/${name}`, { endpointType: 'nats', subject: sinkSubject(name) })).status).toBe(200);
      expect((await api('PUT', `/eventroutes/to-${name}`, { endpointName: name, filter: 'true' })).status).toBe(204);
    }
    await untilRouted(nc, iso.stream, sinks);
  }, 150_000);

  afterAll(async () => {
    try {
      await Promise.all(loads.map((l) => l.abandon()));
      for (const s of subscriptions) s.unsubscribe();
      await cluster?.stop();
    } finally {
      await nc?.close();
      await cleanup(iso);
      await deleteStream(iso.env.NATS_URL, `${iso.stream}_AUDIT`);
    }
  }, 30_000);

  const scrape = async (service: ServiceName) => {
    const replicas = cluster!.of(service).filter((r) => r.running());
    return new Map<Replica, MetricSample[]>(await Promise.all(replicas.map(async (r) => [r, await cluster!.metrics(r)] as const)));
  };
  /** Per replica (`<service>#<i>`), the sum of a metric. */
  const perReplica = async (services: ServiceName[], metric: string, labels: Record<string, string> = {}) => {
    const counts: Record<string, number> = {};
    for (const service of services) for (const [r, samples] of await scrape(service)) counts[r.name] = metricSum(samples, metric, labels);
    return counts;
  };
  const zeroes = (counts: Record<string, number>) => Object.entries(counts).filter(([, n]) => n === 0);

  let firstLoad: LoadWrite[] = [];

  it('spreads internal requests over both replicas of each service under load through both gateways', async () => {
    const { twins, relationships } = roomRing('spread', m.room['@id'], 8);
    const spread = load({ gateways: () => cluster!.gatewayUrls(), items: [...twins, ...relationships], workers: 4 });
    // Reads, through both gateways in turn: models (GET /models/{id}), query (POST /query), twins.
    for (let i = 0; i < 40; i++) {
      const gateway = cluster!.gatewayUrls()[i % 2];
      expect((await callGateway(gateway, 'GET', `/models/${encodeURIComponent(m.room['@id'])}`)).status).toBe(200);
      expect((await callGateway(gateway, 'POST', '/query', { query: `SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('${m.space['@id']}')` })).status).toBe(200);
    }
    await spread.untilAcknowledged(150, 45_000);
    firstLoad = await spread.stop();

    const served = await perReplica(['models-service', 'twins-service', 'relationships-service', 'query-service'], 'nats_rpc_server_duration_seconds_count');
    const http = await perReplica(['gateway'], 'http_server_request_duration_seconds_count');
    expect(cluster!.crashes()).toEqual([]);
    expect(Object.keys(served)).toHaveLength(8);
    expect(zeroes({ ...served, ...http })).toEqual([]);
    expect(firstLoad.filter((w) => !w.acknowledged)).toEqual([]);
  }, 90_000);

  it('shares the endpoints between both event-router replicas, each endpoint delivered by one of them', async () => {
    await until(() => sinks.every((name) => sunk.get(name)!.size >= firstLoad.length), 20_000);
    const byEndpoint = await Promise.all(sinks.map((endpoint) => perReplica(['event-router'], 'event_deliveries_total', { endpoint, outcome: 'delivered' })));
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    // One replica per endpoint (its lease holder), and each replica has one endpoint.
    expect(byEndpoint.map((counts) => zeroes(counts).length)).toEqual([1, 1]);
    expect(byEndpoint.map((counts) => Object.keys(counts).find((r) => counts[r] > 0)).sort()).toEqual(['event-router#0', 'event-router#1']);
    for (const counts of byEndpoint) expect(total(counts)).toBeGreaterThanOrEqual(firstLoad.length);
  }, 30_000);

  it('publishes each committed change exactly once, from a single relay leader per schema', async () => {
    expect(cluster!.crashes()).toEqual([]);
    await untilOutboxDrained(iso.databaseUrl);
    const committed = await committedEvents(iso.databaseUrl);
    for (const schema of ['twins', 'relationships'] as const) {
      const service = schema === 'twins' ? 'twins-service' : 'relationships-service';
      const leaders = await perReplica([service], 'outbox_relay_leader', { schema });
      expect(Object.values(leaders).sort()).toEqual([0, 1]);
      // Each process counts what its own relay published: together, every event once.
      const published = await perReplica([service], 'outbox_publish_lag_seconds_count', { schema });
      expect(Object.values(published).reduce((a, b) => a + b, 0)).toBe(committed.filter((e) => e.schema === schema).length);
    }
    const check = compareEvents(committed, await streamEvents(iso.env.NATS_URL, iso.stream));
    expect(check.committed).toBeGreaterThanOrEqual(firstLoad.length);
    expect(check).toEqual({ committed: check.committed, inStream: check.committed, missing: [], duplicated: [], unexpected: [] });
  }, 60_000);

  it('loses no acknowledged write and no event when one replica of each service is SIGKILLed under load', async () => {
    const { twins, relationships } = roomRing('kill', m.room['@id'], 8);
    const writer = load({ gateways: () => cluster!.gatewayUrls(), items: [...twins, ...relationships], workers: 4 });
    await writer.untilAcknowledged(60, 30_000);
    const killed: string[] = [];
    // The relays' leaders die too, so leadership must move; the first gateway dies last.
    for (const service of ['twins-service', 'relationships-service', 'models-service', 'query-service', 'event-router', 'gateway'] as const) {
      const schema = service === 'twins-service' ? 'twins' : service === 'relationships-service' ? 'relationships' : undefined;
      const replicas = cluster!.of(service);
      const victim = schema ? await leaderOf(replicas, schema) : replicas[0];
      await cluster!.kill(victim, 'SIGKILL');
      killed.push(victim.name);
      // Writes go on after each kill.
      await writer.untilAcknowledged(15, 30_000);
    }
    const afterKills = writer.writes.length;
    await writer.untilAcknowledged(40, 30_000);
    const writes = await writer.stop();

    expect(cluster!.crashes()).toEqual([]);
    await untilOutboxDrained(iso.databaseUrl);
    const survivors = cluster!.replicas.filter((r) => r.running());
    expect(survivors.map((r) => r.name).sort()).toEqual(cluster!.replicas.filter((r) => !killed.includes(r.name)).map((r) => r.name).sort());
    for (const schema of ['twins', 'relationships'] as const) {
      const leaders = await perReplica([schema === 'twins' ? 'twins-service' : 'relationships-service'], 'outbox_relay_leader', { schema });
      expect(Object.values(leaders)).toEqual([1]);
    }
    const committed = await committedEvents(iso.databaseUrl);
    const events = compareEvents(committed, await streamEvents(iso.env.NATS_URL, iso.stream));
    expect(events).toEqual({ committed: events.committed, inStream: events.committed, missing: [], duplicated: [], unexpected: [] });
    const gateway = cluster!.of('gateway').find((g) => g.running())!.url;
    const check = await checkWrites(gateway, writes, committed);
    expect(check.acknowledged).toBeGreaterThan(150);
    expect({ lost: check.lost, withoutEvent: check.withoutEvent }).toEqual({ lost: [], withoutEvent: [] });
    expect(writes.filter((w) => w.refused)).toEqual([]);
    // The load went on through the surviving gateway.
    expect(writes.slice(afterKills).filter((w) => w.acknowledged).length).toBeGreaterThanOrEqual(40);
    // The surviving event router took over the killed one's endpoint: both get every event.
    await until(() => sinks.every((name) => committed.every((e) => sunk.get(name)!.has(e.eventId))), 20_000);
    for (const name of sinks) expect(committed.filter((e) => !sunk.get(name)!.has(e.eventId)).map((e) => e.eventId)).toEqual([]);
  }, 120_000);

  async function leaderOf(replicas: Replica[], schema: string): Promise<Replica> {
    for (const r of replicas) if (metricSum(await cluster!.metrics(r), 'outbox_relay_leader', { schema }) === 1) return r;
    throw new Error(`no ${schema} relay leader among ${replicas.map((r) => r.name).join(', ')}`);
  }
});

async function deleteStream(natsUrl: string, stream: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
