import { EventTypes } from '@odt/contracts';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { callGateway } from '../support/gateway';
import { startSystem, type TestSystem } from '../support/system';

interface SseEvent {
  id: string;
  event: string;
  data: { type: string; subject: string };
}

/** Beyond ADT: matching events live as Server-Sent Events, resumable with Last-Event-ID. */
describe('GET /events (Server-Sent Events)', () => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'query', 'router'] });
    m = buildingModels(uniqueDtmiPrefix());
    expect(await api('POST', '/models', m.all)).toBe(201);
  });
  afterAll(() => system?.stop());

  const api = async (method: string, route: string, body?: unknown) => (await callGateway(system.gatewayUrl, method, route, body)).status;

  /** Opens the stream and collects events until `count` arrived (or a timeout), then closes it. */
  async function listen(filter: string, count: number, act: () => Promise<void>, lastEventId?: string): Promise<SseEvent[]> {
    const controller = new AbortController();
    const res = await fetch(`${system.gatewayUrl}/events?api-version=2023-10-31&filter=${encodeURIComponent(filter)}`, {
      headers: lastEventId ? { 'last-event-id': lastEventId } : {},
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const events: SseEvent[] = [];
    let buffer = '';
    const timer = setTimeout(() => controller.abort(), 10_000);
    const first = await reader.read(); // ': connected'
    buffer += new TextDecoder().decode(first.value);
    await act();
    const parse = () => {
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.data) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
      }
    };
    try {
      parse();
      while (events.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += new TextDecoder().decode(value);
        parse();
      }
    } catch {
      // aborted by the timer
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    return events;
  }

  const room = () => ({ $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } });

  it('streams the events the filter selects, and resumes after Last-Event-ID', async () => {
    const events = await listen(`type = '${EventTypes.TwinCreate}'`, 2, async () => {
      expect(await api('PUT', '/digitaltwins/s1', room())).toBe(200);
      expect(await api('PATCH', '/digitaltwins/s1', [{ op: 'add', path: '/Temperature', value: 1 }])).toBe(204);
      expect(await api('PUT', '/digitaltwins/s2', room())).toBe(200);
    });
    expect(events.map((e) => [e.event, e.data.subject])).toEqual([[EventTypes.TwinCreate, 's1'], [EventTypes.TwinCreate, 's2']]);

    // Missed while disconnected, then resumed from the first event's id: the second comes again, then the new one.
    expect(await api('PUT', '/digitaltwins/s3', room())).toBe(200);
    const resumed = await listen(`type = '${EventTypes.TwinCreate}'`, 2, async () => undefined, events[0].id);
    expect(resumed.map((e) => e.data.subject)).toEqual(['s2', 's3']);
  });

  it('refuses an invalid filter with EventRouteFilterInvalid', async () => {
    const res = await fetch(`${system.gatewayUrl}/events?api-version=2023-10-31&filter=${encodeURIComponent("type = 'x")}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-ms-error-code')).toBe('EventRouteFilterInvalid');
  });
});
