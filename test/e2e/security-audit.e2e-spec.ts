import type { ChildProcess } from 'node:child_process';
import { freePort, spawnService, waitForReady } from '../../tools/services';
import { authEnv, mintToken } from '../support/auth';
import { readStream } from '../support/events';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { sdkClient } from '../support/sdk';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

/**
 * Who did what: the audit log and the events name the caller of every write, and no token or
 * secret ever reaches a log line. The gateway under test runs as its own process at `debug`
 * level so that everything it logs can be read.
 */

const prefix = uniqueDtmiPrefix();
const models = buildingModels(prefix);
const ROOM = `${prefix}:Room;1`;
const ENDPOINT_SECRET = 'whsec-Never-Log-Me-0123456789';

let system: TestSystem;
let gateway: ChildProcess;
let gatewayUrl: string;
let logs = '';
let aliceToken: string;
let bobToken: string;

beforeAll(async () => {
  system = await startSystem({ overrides: authEnv() });
  const port = await freePort();
  gateway = spawnService('gateway', { ...system.env, PORT: String(port), LOG_LEVEL: 'debug' }, 'pipe');
  gateway.stdout?.on('data', (chunk: Buffer) => { logs += chunk.toString(); });
  gateway.stderr?.on('data', (chunk: Buffer) => { logs += chunk.toString(); });
  await waitForReady(port);
  gatewayUrl = `http://127.0.0.1:${port}`;
  aliceToken = await mintToken({ sub: 'alice@example.com', roles: ['DataOwner'] });
  bobToken = await mintToken({ sub: 'bob@example.com', roles: ['DataReader'] });
}, 90_000);

afterAll(async () => {
  gateway?.kill('SIGTERM');
  await system?.stop();
});

describe('the audit trail', () => {
  it('records who did each write through the SDK, and who was refused', async () => {
    const alice = sdkClient(gatewayUrl, aliceToken);
    const bob = sdkClient(gatewayUrl, bobToken);
    await alice.createModels(models.all);
    await alice.upsertDigitalTwin('audited-room', JSON.stringify({ $metadata: { $model: ROOM }, thermostat: { $metadata: {} } }));
    await alice.updateDigitalTwin('audited-room', [{ op: 'add', path: '/Temperature', value: 22 }]);
    await alice.upsertDigitalTwin('audited-peer', JSON.stringify({ $metadata: { $model: ROOM }, thermostat: { $metadata: {} } }));
    await alice.upsertRelationship('audited-room', 'r1', { $targetId: 'audited-peer', $relationshipName: 'contains' });
    await alice.deleteRelationship('audited-room', 'r1');
    await expect(bob.upsertDigitalTwin('bobs-room', JSON.stringify({ $metadata: { $model: ROOM } }))).rejects.toMatchObject({ statusCode: 403 });
    await alice.deleteDigitalTwin('audited-peer');

    let entries: { caller: { id: string }; method: string; path: string; status: number; outcome: string; action?: string }[] = [];
    const deadline = Date.now() + 10_000;
    while (entries.length < 8 && Date.now() < deadline) {
      entries = (await callGateway(gatewayUrl, 'GET', '/audit?order=asc', undefined, { authorization: `Bearer ${aliceToken}`, 'max-items-per-page': '1000' })).body.value;
    }
    const lines = entries.map((e) => `${e.caller.id} ${e.method} ${e.path.replace('/digitaltwins/', '')} ${e.action ?? '-'} ${e.status} ${e.outcome}`);
    expect(lines).toEqual([
      'alice@example.com POST /models models/action 201 succeeded',
      'alice@example.com PUT audited-room digitaltwins/write 200 succeeded',
      'alice@example.com PATCH audited-room digitaltwins/write 204 succeeded',
      'alice@example.com PUT audited-peer digitaltwins/write 200 succeeded',
      'alice@example.com PUT audited-room/relationships/r1 digitaltwins/relationships/write 200 succeeded',
      'alice@example.com DELETE audited-room/relationships/r1 digitaltwins/relationships/delete 204 succeeded',
      'bob@example.com PUT bobs-room digitaltwins/write 403 denied',
      'alice@example.com DELETE audited-peer digitaltwins/delete 204 succeeded',
    ]);
    // The same entries are JSON log lines.
    expect(logs).toMatch(/"audit":true[^\n]*"bob@example.com"[^\n]*"denied"/);
  });

  it('names the caller in every event of its writes (CloudEvents authcontext)', async () => {
    const nc = await natsConnection(system.env.NATS_URL);
    try {
      const events = await readStream(nc, system.iso.stream, 6);
      const ours = events.filter((e) => (e.subject ?? '').startsWith('audited-'));
      expect(ours.length).toBe(6);
      for (const event of ours) {
        expect(event as unknown as Record<string, unknown>).toMatchObject({ authtype: 'user', authid: 'alice@example.com' });
      }
    } finally {
      await nc.close();
    }
  });

  it('logs no token and no endpoint secret, at debug level', async () => {
    const owner = { authorization: `Bearer ${aliceToken}` };
    await callGateway(gatewayUrl, 'PUT', '/endpoints/hooked', { endpointType: 'webhook', url: 'http://127.0.0.1:9/x', secret: ENDPOINT_SECRET }, owner);
    await callGateway(gatewayUrl, 'PUT', '/endpoints/bad', { endpointType: 'webhook', url: 'not a url', secret: ENDPOINT_SECRET }, owner);
    await callGateway(gatewayUrl, 'GET', '/digitaltwins/nope', undefined, { authorization: `Bearer ${aliceToken}x` });
    await callGateway(gatewayUrl, 'GET', '/endpoints/hooked', undefined, owner);
    await new Promise((r) => setTimeout(r, 500));
    expect(logs.length).toBeGreaterThan(0);
    const [, payload, signature] = aliceToken.split('.');
    for (const secret of [aliceToken, bobToken, payload, signature, ENDPOINT_SECRET, system.env.AUTH_JWT_SECRET]) {
      expect(logs.includes(secret)).toBe(false);
    }
  });
});
