import type { NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { checkDelivery, committedTwinEvents, untilRouted } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook';

interface DeadLetterView {
  attempts: number;
  reason: string;
  event: DigitalTwinsEvent;
}

/**
 * One webhook endpoint answers 500 to everything while a second webhook on the same receiver and a
 * nats endpoint are healthy: those two get every event at once; the failing one's events are
 * dead-lettered after its configured attempts, in order, and replayed in order once it recovers.
 */
describe('event delivery when one endpoint keeps failing', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    system = await startSystem({ without: ['relationships', 'query'] });
    nc = await natsConnection();
  });
  afterAll(async () => {
    await nc?.close();
    await system?.stop();
    await receiver?.close();
  });

  const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
  const deadLetters = async (): Promise<DeadLetterView[]> => (await api('GET', '/endpoints/bad/deadletters')).body.value;

  it('keeps the other endpoints flowing, dead-letters after the attempts, and replays in order', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    const onBus: DigitalTwinsEvent[] = [];
    const subject = `faults.${system.iso.id}.bus`;
    const sub = nc.subscribe(subject, { callback: (_err, msg) => void onBus.push(msg.json<DigitalTwinsEvent>()) });
    receiver.answer.set('/bad', 500);
    expect((await api('PUT', '/endpoints/bad', { endpointType: 'webhook', url: `${receiver.url}/bad`, retry: { maxAttempts: 2 } })).status).toBe(200);
    expect((await api('PUT', '/endpoints/good', { endpointType: 'webhook', url: `${receiver.url}/good` })).status).toBe(200);
    expect((await api('PUT', '/endpoints/bus', { endpointType: 'nats', subject })).status).toBe(200);
    for (const name of ['bad', 'good', 'bus']) expect((await api('PUT', `/eventroutes/to-${name}`, { endpointName: name, filter: 'true' })).status).toBe(204);
    await untilRouted(nc, system.iso.stream, ['bad', 'good', 'bus']);

    const twins = ['fail-a', 'fail-b', 'fail-c'];
    for (const id of twins) expect((await api('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } })).status).toBe(200);
    for (let round = 1; round <= 4; round++) {
      const statuses = await Promise.all(twins.map(async (id) => (await api('PATCH', `/digitaltwins/${id}`, [{ op: 'add', path: '/Temperature', value: round }])).status));
      expect(statuses).toEqual([204, 204, 204]);
    }
    const lastWrite = Date.now();
    const committed = await committedTwinEvents(system.iso.databaseUrl);
    const total = [...committed.values()].flat().length;
    expect(total).toBe(15);

    // The healthy endpoints have everything promptly, while the failing one is still retrying.
    await until(() => receiver.deliveredTo('/good').length >= total && onBus.length >= total, 10_000);
    const healthyAfter = Date.now() - lastWrite;
    const deadLetteredMeanwhile = (await deadLetters()).length;
    expect(healthyAfter).toBeLessThan(3000);
    expect(deadLetteredMeanwhile).toBeLessThan(total);
    for (const got of [receiver.deliveredTo('/good'), onBus]) {
      expect(checkDelivery(committed, got)).toMatchObject({ missing: [], outOfOrder: [], stale: [], duplicates: 0 });
    }

    // Each of the failing endpoint's events: two attempts (both answered 500), then a dead letter.
    await until(async () => (await deadLetters()).length >= total, 30_000);
    const letters = await deadLetters();
    expect(letters).toHaveLength(total);
    expect(letters.every((l) => l.attempts === 2 && l.reason === 'webhook answered 500')).toBe(true);
    expect(checkDelivery(committed, letters.map((l) => l.event))).toMatchObject({ missing: [], outOfOrder: [], duplicates: 0 });
    const refused = receiver.refused.filter((r) => r.path === '/bad');
    expect(refused).toHaveLength(2 * total);
    // The second attempt waited for the backoff (0.5 s, jittered ±50 %), not redelivered at once.
    for (const id of [...committed.values()].flat()) {
      const [first, second] = refused.filter((r) => r.event.id === id).map((r) => r.at);
      expect(second - first).toBeGreaterThanOrEqual(200);
    }
    expect(receiver.deliveredTo('/bad')).toEqual([]);

    // Back in service: the replay delivers every dead letter in order and empties the list.
    receiver.answer.delete('/bad');
    expect((await api('POST', '/endpoints/bad/deadletters/replay')).body).toEqual({ replayed: total, remaining: 0 });
    expect(checkDelivery(committed, receiver.deliveredTo('/bad'))).toMatchObject({ missing: [], outOfOrder: [], stale: [], duplicates: 0 });
    expect(await deadLetters()).toEqual([]);
    // New events reach it directly again.
    expect((await api('PATCH', '/digitaltwins/fail-a', [{ op: 'add', path: '/Temperature', value: 99 }])).status).toBe(204);
    await until(() => receiver.deliveredTo('/bad').length > total);
    expect(receiver.deliveredTo('/bad').slice(total).map((e) => e.subject)).toEqual(['fail-a']);
    sub.unsubscribe();
  }, 90_000);
});
