import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventTypes, type DigitalTwinsEvent } from '@odt/contracts';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { callGateway, until } from '../support/gateway';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

/**
 * An endpoint that keeps failing: its events are dead-lettered after the configured attempts, other
 * endpoints are not held up, and the dead letters are listed and replayed once it is back.
 */
describe('dead letters', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let receiver: http.Server;
  let receiverUrl: string;
  let healthy = false;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!healthy) return void res.writeHead(500).end();
        received.push(JSON.parse(body).subject);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    system = await startSystem({ without: ['relationships', 'query'] });
    nc = await natsConnection();
  });
  afterAll(async () => {
    await nc?.close();
    await system?.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const api = async (method: string, route: string, body?: unknown) => (await callGateway(system.gatewayUrl, method, route, body));

  it('dead-letters after the attempts, keeps the other endpoint flowing, and replays', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    const subject = `healthy.${system.iso.id}`;
    const sub = nc.subscribe(subject);
    const flowing: string[] = [];
    void (async () => {
      for await (const msg of sub) flowing.push(msg.json<DigitalTwinsEvent>().subject ?? '');
    })();
    expect((await api('PUT', '/endpoints/failing', { endpointType: 'webhook', url: `${receiverUrl}/x`, retry: { maxAttempts: 2 } })).status).toBe(200);
    expect((await api('PUT', '/endpoints/fine', { endpointType: 'nats', subject })).status).toBe(200);
    for (const [route, endpoint] of [['r-failing', 'failing'], ['r-fine', 'fine']]) {
      expect((await api('PUT', `/eventroutes/${route}`, { endpointName: endpoint, filter: `type = '${EventTypes.TwinCreate}'` })).status).toBe(204);
    }
    await new Promise((r) => setTimeout(r, 1500));

    const room = { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } };
    for (const id of ['dl1', 'dl2']) expect((await api('PUT', `/digitaltwins/${id}`, room)).status).toBe(200);

    await until(() => flowing.length >= 2);
    expect(flowing).toEqual(['dl1', 'dl2']);
    await until(async () => (await api('GET', '/endpoints/failing/deadletters')).body.value.length >= 2);
    const letters = (await api('GET', '/endpoints/failing/deadletters')).body.value as { attempts: number; reason: string; event: { subject: string } }[];
    // Two twins: each twin's events are dead-lettered in order, different twins' side by side.
    expect(letters.map((l) => l.event.subject).sort()).toEqual(['dl1', 'dl2']);
    for (const letter of letters) expect(letter).toMatchObject({ attempts: 2, reason: 'webhook answered 500' });
    expect(received).toEqual([]);

    healthy = true;
    expect((await api('POST', '/endpoints/failing/deadletters/replay')).body).toEqual({ replayed: 2, remaining: 0 });
    expect(received).toEqual(letters.map((l) => l.event.subject));
    expect((await api('GET', '/endpoints/failing/deadletters')).body.value).toEqual([]);
    expect((await api('GET', '/endpoints/nobody/deadletters')).status).toBe(404);
    sub.unsubscribe();
  });
});
