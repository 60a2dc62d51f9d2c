import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventTypes } from '@odt/contracts';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { callGateway, until } from '../support/gateway';
import { startSystem, type TestSystem } from '../support/system';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Routes deliver to a webhook with the CloudEvents HTTP binding, signed, and retry after a failure. */
describe('delivery to a webhook endpoint', () => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;
  let receiver: http.Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let failNext = 0;
  const lanes: { at: number; subject: string; type: string }[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/lanes') {
          const event = JSON.parse(body) as { subject: string; type: string };
          // The creation of ln-stuck fails every time; everything else is taken.
          const refuse = event.subject === 'ln-stuck' && event.type === EventTypes.TwinCreate;
          if (!refuse) lanes.push({ at: Date.now(), subject: event.subject, type: event.type });
          res.writeHead(refuse ? 500 : 204).end();
          return;
        }
        if (failNext > 0) {
          failNext--;
          res.writeHead(500).end();
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    system = await startSystem({ without: ['relationships', 'query'] });
    m = buildingModels(uniqueDtmiPrefix());
    expect(await api('POST', '/models', m.all)).toBe(201);
  });
  afterAll(async () => {
    await system?.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const api = async (method: string, route: string, body?: unknown) => (await callGateway(system.gatewayUrl, method, route, body)).status;

  const room = () => ({ $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } });

  it('posts structured CloudEvents with the custom headers and a valid signature, retrying a 500', async () => {
    const secret = 'a-webhook-secret-of-32-characters';
    expect(await api('PUT', '/endpoints/hook', { endpointType: 'webhook', url: `${receiverUrl}/events`, secret, headers: { 'X-Team': 'facilities' } })).toBe(200);
    expect(await api('PUT', '/eventroutes/to-hook', { endpointName: 'hook', filter: `type = '${EventTypes.TwinCreate}'` })).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    failNext = 1; // the first attempt fails: the event must come again
    expect(await api('PUT', '/digitaltwins/w1', room())).toBe(200);
    expect(await api('PUT', '/digitaltwins/w2', room())).toBe(200);
    await until(() => received.length >= 2);
    // w1's retry holds back only w1's later events, not other twins': w2 may come first.
    expect(received.map((r) => JSON.parse(r.body).subject).sort()).toEqual(['w1', 'w2']);
    const first = received.find((r) => JSON.parse(r.body).subject === 'w1')!;
    expect(first.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(first.headers['x-team']).toBe('facilities');
    expect(first.headers['x-odt-signature-256']).toBe(`sha256=${createHmac('sha256', secret).update(first.body).digest('hex')}`);
    expect(JSON.parse(first.body)).toMatchObject({ specversion: '1.0', type: EventTypes.TwinCreate, data: { $dtId: 'w1' } });
  });

  it('uses the binary mode when asked: attributes as ce- headers, the data as the body', async () => {
    received.length = 0;
    expect(await api('PUT', '/endpoints/binary', { endpointType: 'webhook', url: `${receiverUrl}/binary`, mode: 'binary' })).toBe(200);
    expect(await api('PUT', '/eventroutes/to-binary', { endpointName: 'binary', filter: `type = '${EventTypes.TwinDelete}'` })).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await api('PUT', '/digitaltwins/w3', room())).toBe(200);
    expect(await api('DELETE', '/digitaltwins/w3')).toBe(204);
    await until(() => received.some((r) => r.headers['ce-type'] === EventTypes.TwinDelete));
    const binary = received.find((r) => r.headers['ce-type'] === EventTypes.TwinDelete)!;
    expect(binary.headers['ce-subject']).toBe('w3');
    expect(binary.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(binary.body)).toMatchObject({ $dtId: 'w3' });
  });

  it('holds back only the failing twin\'s later events: other twins flow, the twin resumes in order after its dead letter', async () => {
    expect(await api('PUT', '/endpoints/lanes', { endpointType: 'webhook', url: `${receiverUrl}/lanes`, retry: { maxAttempts: 3 } })).toBe(200);
    expect(await api('PUT', '/eventroutes/to-lanes', { endpointName: 'lanes', filter: "STARTS_WITH(subject, 'ln-')" })).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await api('PUT', '/digitaltwins/ln-stuck', room())).toBe(200);
    expect(await api('PATCH', '/digitaltwins/ln-stuck', [{ op: 'add', path: '/name', value: 'after' }])).toBe(204);
    for (const id of ['ln-a', 'ln-b']) expect(await api('PUT', `/digitaltwins/${id}`, room())).toBe(200);

    await until(() => lanes.length >= 2, 10_000);
    // The other twins are delivered while ln-stuck's creation is still being retried.
    expect(lanes.map((l) => l.subject).sort()).toEqual(['ln-a', 'ln-b']);
    const deadLetters = async () => (await callGateway(system.gatewayUrl, 'GET', '/endpoints/lanes/deadletters')).body.value as { deadLetteredAt: string; attempts: number; event: { subject: string } }[];
    expect(await deadLetters()).toEqual([]);

    await until(() => lanes.some((l) => l.subject === 'ln-stuck'), 20_000);
    const [letter] = await deadLetters();
    expect(letter).toMatchObject({ attempts: 3, event: { subject: 'ln-stuck' } });
    // ln-stuck's update came only after its creation had been given up on (dead-lettered).
    const update = lanes.find((l) => l.subject === 'ln-stuck')!;
    expect(update.type).toBe(EventTypes.TwinUpdate);
    expect(update.at).toBeGreaterThanOrEqual(Date.parse(letter.deadLetteredAt));
  }, 40_000);
});
