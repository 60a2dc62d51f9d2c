import { Client } from 'pg';
import { routeEverythingToSink, untilDelivered } from '../support/chaos';
import { startCluster, type Cluster } from '../support/cluster';
import { checkWrites, committedEvents, compareEvents, streamEvents, untilOutboxDrained } from '../support/consistency';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { cleanup, migrate, newIsolation, PG_ADMIN_URL } from '../support/system';
import { roomRing, startWriteLoad, type WriteLoad } from '../support/write-load';

/**
 * Postgres ends a service's connections (an administrator's pg_terminate_backend, a failover, an
 * idle-connection reaper, a proxy restart) while the services are busy: TypeORM's pools, the outbox
 * relays' pools and their LISTEN/leader connections, the event router's lease connection and the
 * query service's pool all break, some in the middle of a query or a transaction. No process may
 * exit; each must be ready again, take writes, and publish and deliver every committed change.
 */
describe('Postgres connections terminated under load', () => {
  const iso = newIsolation();
  let cluster: Cluster | undefined;
  let load: WriteLoad | undefined;
  let sink: string;
  const databaseName = new URL(iso.databaseUrl).pathname.slice(1);

  beforeAll(async () => {
    await migrate(iso);
    cluster = await startCluster({
      replicas: 1,
      readyTimeoutMs: 180_000,
      env: { ...iso.env, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4', NATS_REQUEST_TIMEOUT_MS: '5000', OUTBOX_POLL_MS: '200' },
    });
    const gateway = cluster.gatewayUrls()[0];
    const m = buildingModels(uniqueDtmiPrefix());
    sink = await routeEverythingToSink(gateway, iso);
    expect((await callGateway(gateway, 'POST', '/models', m.all)).status).toBe(201);
    const { twins, relationships } = roomRing('cut', m.room['@id'], 6);
    load = startWriteLoad({ gateways: () => cluster!.gatewayUrls(), items: [...twins, ...relationships], workers: 4, pauseMs: 5 });
    await load.untilAcknowledged(40, 60_000);
  }, 240_000);

  afterAll(async () => {
    await load?.abandon();
    await cluster?.stop(3000);
    await cleanup(iso);
  }, 60_000);

  /** Ends every connection to the test's database but this one; returns the application names it ended. */
  async function terminateAll(): Promise<string[]> {
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ application_name: string }>(
        'SELECT application_name, pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [databaseName],
      );
      return rows.map((r) => r.application_name);
    } finally {
      await admin.end();
    }
  }

  it('keeps every service running; each is ready again, takes writes, and publishes and delivers every change', async () => {
    const gateway = cluster!.gatewayUrls()[0];
    // Queries keep the query service's pool busy too.
    let querying = true;
    const queries = (async () => {
      while (querying) {
        await callGateway(gateway, 'POST', '/query', { query: 'SELECT COUNT() FROM DIGITALTWINS' }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const ended = new Set<string>();
    const cutAt: number[] = [];
    // Often, at uneven intervals, so that some cuts land inside queries and transactions.
    for (let round = 0; round < 16; round++) {
      await new Promise((r) => setTimeout(r, 300 + ((round * 397) % 700)));
      cutAt.push(Date.now());
      for (const name of await terminateAll()) ended.add(name.replace(/:.*$/, ':*'));
    }
    querying = false;
    await queries;

    // Every kind of connection was cut at least once.
    expect([...ended].sort()).toEqual(expect.arrayContaining([
      'event-router', 'models-service', 'odt-event-router:*', 'outbox-listener:*', 'outbox-relay:*', 'query-service', 'relationships-service', 'twins-service',
    ]));

    await cluster!.untilReady(30_000);
    expect(cluster!.crashes()).toEqual([]);
    expect(cluster!.replicas.filter((r) => !r.running()).map((r) => r.name)).toEqual([]);

    // Writes sent after the last cut are acknowledged, twins and relationships alike.
    const last = cutAt[cutAt.length - 1];
    await load!.untilAcknowledged(40, 60_000);
    const writes = await load!.stop();
    const after = writes.filter((w) => w.acknowledged && w.sentAt > last);
    expect(new Set(after.map((w) => w.item.kind))).toEqual(new Set(['twin', 'relationship']));

    // Nothing acknowledged is lost, and every committed change is published once and delivered.
    await untilOutboxDrained(iso.databaseUrl, 60_000);
    const committed = await committedEvents(iso.databaseUrl);
    const check = await checkWrites(gateway, writes, committed);
    expect({ lost: check.lost, withoutEvent: check.withoutEvent }).toEqual({ lost: [], withoutEvent: [] });
    const events = compareEvents(committed, await streamEvents(iso.env.NATS_URL, iso.stream));
    expect(events).toEqual({ committed: events.committed, inStream: events.committed, missing: [], duplicated: [], unexpected: [] });
    expect(await untilDelivered(iso.env.NATS_URL, sink, committed.map((e) => e.eventId), 60_000)).toEqual([]);
  }, 240_000);
});
