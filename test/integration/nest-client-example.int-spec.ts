import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { TwinReader } from '../../examples/nest-client/src/twin-reader';
import { TwinReaderModule } from '../../examples/nest-client/src/twin-reader.module';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { NATS_URL, startSystem, type TestSystem } from '../support/system';

const ROOT = path.resolve(__dirname, '../..');

/** Another team's Nest app, with a stock NATS ClientProxy (`nats` v2), reads the graph through our internal subjects. */
describe('examples/nest-client', () => {
  let system: TestSystem;
  let reader: INestApplicationContext;
  const m = buildingModels(uniqueDtmiPrefix());

  beforeAll(async () => {
    system = await startSystem({ without: ['router'] });
    const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    expect((await api('PUT', '/digitaltwins/floor1', { $metadata: { $model: m.floor['@id'] }, level: 1 })).status).toBe(200);
    expect((await api('PUT', '/digitaltwins/room1', { $metadata: { $model: m.room['@id'] }, Temperature: 21, thermostat: { $metadata: {} } })).status).toBe(200);
    expect((await api('PUT', '/digitaltwins/floor1/relationships/f1-r1', { $relationshipName: 'contains', $targetId: 'room1' })).status).toBe(200);
    reader = await NestFactory.createApplicationContext(TwinReaderModule.forRoot({ servers: [NATS_URL], namespace: system.iso.id }), { logger: false });
  });
  afterAll(async () => {
    await reader?.close();
    await system?.stop();
  });

  it('reads a twin, lists its relationships and runs a query with client.send()', async () => {
    const twins = reader.get(TwinReader);
    await expect(twins.twin('room1')).resolves.toMatchObject({ $dtId: 'room1', Temperature: 21, $metadata: { $model: m.room['@id'] } });
    const page = await twins.relationships('floor1');
    expect(page.value).toEqual([expect.objectContaining({ $relationshipId: 'f1-r1', $sourceId: 'floor1', $targetId: 'room1', $relationshipName: 'contains' })]);
    await expect(twins.query(`SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${m.space['@id']}') ORDER BY T.$dtId`)).resolves.toEqual([{ $dtId: 'floor1' }, { $dtId: 'room1' }]);
  });

  it('receives an error reply as the error { code, message }', async () => {
    await expect(reader.get(TwinReader).twin('nobody')).rejects.toEqual({
      code: 'DigitalTwinNotFound',
      message: 'There is no digital twin instance that exists with the ID nobody. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins http://aka.ms/adtv2query.',
    });
  });

  it('runs as its own program', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'examples/nest-client/src/main.ts', 'room1'], {
      cwd: ROOT,
      env: { ...process.env, NATS_URL, NATS_NAMESPACE: system.iso.id },
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as { twin: { $dtId: string }; relationships: unknown[]; sameModel: unknown[] };
    expect(out.twin.$dtId).toBe('room1');
    expect(out.relationships).toEqual([]);
    expect(out.sameModel).toEqual([{ $dtId: 'room1' }]);
  });
});
