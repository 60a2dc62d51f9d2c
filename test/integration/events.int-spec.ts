import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventTypes, type DigitalTwinsEvent, type UpdateEventData } from '@odt/contracts';
import { committedTwinEvents, idsByTwin, readStream, streamCount } from '../support/events';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

const ROOT = path.resolve(__dirname, '../..');

async function api(system: TestSystem, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${system.gatewayUrl}${route}${route.includes('?') ? '&' : '?'}api-version=2023-10-31`, {
    method,
    headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Runs `n` tasks with at most `width` in flight. */
async function pool<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  }));
  return results;
}

async function writeLoad(system: TestSystem, twins: number, patches: number, model: string): Promise<number> {
  const created = await pool(twins, 16, async (i) => (await api(system, 'PUT', `/digitaltwins/ev-${system.iso.id}-${i}`, { $metadata: { $model: model }, Temperature: 0, thermostat: { $metadata: {} } })).status);
  expect(created).toEqual(Array(twins).fill(200));
  const patched = await pool(patches, 32, async (i) =>
    (await api(system, 'PATCH', `/digitaltwins/ev-${system.iso.id}-${i % twins}`, [{ op: 'replace', path: '/Temperature', value: i }])).status);
  expect(patched).toEqual(Array(patches).fill(204));
  return twins + patches;
}

async function expectExactlyOncePerTwinOrder(system: TestSystem, events: DigitalTwinsEvent[], expected: number): Promise<void> {
  expect(events).toHaveLength(expected);
  expect(new Set(events.map((e) => e.id)).size).toBe(expected);
  expect(idsByTwin(events)).toEqual(await committedTwinEvents(system.iso.databaseUrl));
  // The last event of each twin carries the value the twin ended with: event order is commit order.
  for (const [twin, ids] of idsByTwin(events)) {
    const last = events.find((e) => e.id === ids[ids.length - 1])!;
    const stored = (await (await api(system, 'GET', `/digitaltwins/${twin}`)).json()) as { Temperature: number };
    if (last.type === EventTypes.TwinUpdate) expect((last.data as UpdateEventData).patch[0].value).toBe(stored.Temperature);
  }
}

describe('twin-change events through the outbox to JetStream', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await natsConnection();
  });
  afterAll(() => nc?.close());

  it('N concurrent twin writes yield exactly N events, distinct ids, in commit order per twin', async () => {
    const system = await startSystem({ without: ['relationships', 'router'] });
    try {
      const m = buildingModels(uniqueDtmiPrefix());
      expect((await api(system, 'POST', '/models', m.all)).status).toBe(201);
      const expected = await writeLoad(system, 20, 400, m.room['@id']);
      const events = await readStream(nc, system.iso.stream, expected);
      await expectExactlyOncePerTwinOrder(system, events, expected);
      expect(events.filter((e) => e.type === EventTypes.TwinCreate)).toHaveLength(20);
    } finally {
      await system.stop();
    }
  });

  it('loses and duplicates nothing when the relay process is SIGKILLed mid-stream and restarted', async () => {
    const system = await startSystem({ without: ['relationships', 'router'], overrides: { OUTBOX_RELAY: 'off' } });
    const relayEnv = { ...process.env, ...system.iso.env, OUTBOX_SCHEMA: 'twins', OUTBOX_BATCH_SIZE: '5', OUTBOX_BATCH_MAX: '5', OUTBOX_POLL_MS: '100' };
    const startRelay = (): ChildProcess =>
      spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'tools/outbox-relay.ts')], { cwd: ROOT, env: relayEnv, stdio: 'ignore' });
    let relay: ChildProcess | undefined;
    try {
      const m = buildingModels(uniqueDtmiPrefix());
      expect((await api(system, 'POST', '/models', m.all)).status).toBe(201);
      const expected = await writeLoad(system, 10, 1500, m.room['@id']);
      relay = startRelay();
      let published = 0;
      for (let i = 0; i < 600 && published < 50; i++) {
        await new Promise((r) => setTimeout(r, 20));
        published = await streamCount(nc, system.iso.stream).catch(() => 0);
      }
      relay.kill('SIGKILL');
      await new Promise((r) => relay!.once('exit', r));
      const atKill = await streamCount(nc, system.iso.stream);
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(expected);
      relay = startRelay();
      const events = await readStream(nc, system.iso.stream, expected, 60_000);
      await expectExactlyOncePerTwinOrder(system, events, expected);
    } finally {
      relay?.kill('SIGKILL');
      await system.stop();
    }
  });
});
