import type { INestApplication } from '@nestjs/common';
import { Metrics } from '@odt/service-kit';
import { loadConnectorConfig } from '../../apps/connector/src/config';
import { startConnector } from '../../apps/connector/src/main';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** How many connections a connector replica runs (its `connector_connections_running`). */
async function running(app: INestApplication): Promise<number> {
  const metric = await app.get(Metrics, { strict: false }).registry.getSingleMetric('connector_connections_running')?.get();
  return metric?.values[0]?.value ?? 0;
}

/** Connector replicas share the connections by lease, and take over those of a replica that goes away. */
describe('connector replicas', () => {
  let system: TestSystem;
  let second: INestApplication | undefined;
  const m = buildingModels(uniqueDtmiPrefix());
  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);

  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'history', 'query', 'relationships'], overrides: { CONNECTION_REFRESH_MS: '100' } });
    second = await startConnector(loadConnectorConfig(system.env), false);
    expect((await api('POST', '/models', m.all)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await system?.stop();
  });

  it('runs each connection on one replica, shares them fairly, and moves them when a replica stops', async () => {
    const names = ['c0', 'c1', 'c2', 'c3'];
    for (const name of names) {
      expect((await api('PUT', `/connections/${name}`, { source: { type: 'http' }, mapping: `{ "twinId": payload.id, "properties": { "capacity": payload.n }, "createIfMissing": "${m.room['@id']}" }` })).status).toBe(200);
    }
    await until(async () => (await running(system.apps.connector)) + (await running(second!)) === 4);
    expect([await running(system.apps.connector), await running(second!)]).toEqual([2, 2]);

    await second!.close();
    second = undefined;
    await until(async () => (await running(system.apps.connector)) === 4);
    expect(await running(system.apps.connector)).toBe(4);
    for (const [i, name] of names.entries()) expect((await api('POST', `/connections/${name}/messages`, { id: `rep-${i}`, n: i + 1 })).status).toBe(202);
    await until(async () => {
      for (let i = 0; i < names.length; i++) if ((await api('GET', `/digitaltwins/rep-${i}`)).body?.capacity !== i + 1) return false;
      return true;
    });
    for (let i = 0; i < names.length; i++) expect((await api('GET', `/digitaltwins/rep-${i}`)).body.capacity).toBe(i + 1);
  });
});
