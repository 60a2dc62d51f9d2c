import net from 'node:net';
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
    // Small limits, so that a stalled or lagging client is dropped within the test's time.
    system = await startSystem({ without: ['relationships', 'query', 'router'], overrides: { EVENTS_STALL_TIMEOUT_MS: '1000', EVENTS_MAX_LAG: '100' } });
    m = buildingModels(uniqueDtmiPrefix());
    expect(await api('POST', '/models', m.all)).toBe(201);
  });
  afterAll(() => system?.stop());

  const api = async (method: string, route: string, body?: unknown) => (await callGateway(system.gatewayUrl, method, route, body)).status;

  /** Opens the stream and collects events until `count` arrived (or a timeout), then closes it. */
  async function listen(filter: string, count: number, act: () => Promise<void>, lastEventId?: string, timeoutMs = 10_000): Promise<SseEvent[]> {
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
    const timer = setTimeout(() => controller.abort(), timeoutMs);
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

  /** A raw HTTP/1.1 stream request whose socket the test can stop reading. */
  function rawStream(query: string): Promise<{ socket: net.Socket; head: string; rest: () => Promise<string> }> {
    const { port } = new URL(system.gatewayUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /events?api-version=2023-10-31${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      });
      let received = '';
      const chunks: Buffer[] = [];
      const ended = new Promise<void>((done) => socket.on('close', () => done()));
      socket.on('error', reject);
      const onData = (chunk: Buffer) => {
        received += chunk.toString();
        if (!received.includes(': connected')) return;
        socket.off('data', onData);
        socket.pause();
        socket.on('data', (c: Buffer) => chunks.push(c));
        resolve({ socket, head: received, rest: async () => { socket.resume(); await ended; return Buffer.concat(chunks).toString(); } });
      };
      socket.on('data', onData);
    });
  }

  const dropsOf = async (reason: string) => {
    const text = await (await fetch(`${system.gatewayUrl}/metrics`)).text();
    return Number(new RegExp(`^live_stream_clients_dropped_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };

  it('drops a client that stops reading, after telling it, while a reading client gets every event', async () => {
    expect(await api('PUT', '/digitaltwins/bp', room())).toBe(200);
    const before = await dropsOf('stalled');
    const stalled = await rawStream(`&filter=${encodeURIComponent("type = 'microsoft.iot.telemetry'")}`);
    expect(stalled.head).toMatch(/^HTTP\/1.1 200/);
    // About 150 of these fill the loopback socket buffers (kernel autotuning, a few MB).
    const TOTAL = 300;
    const reader = listen("type = 'microsoft.iot.telemetry'", TOTAL, async () => undefined, undefined, 80_000);
    await new Promise((r) => setTimeout(r, 200));
    // 30 KB events until the stalled client's socket buffers are full and the gateway gives up on it.
    const payload = { blob: 'x'.repeat(30_000) };
    let sent = 0;
    while (sent < TOTAL && (await dropsOf('stalled')) === before) {
      const res = await callGateway(system.gatewayUrl, 'POST', '/digitaltwins/bp/telemetry', { ...payload, n: sent }, { 'message-id': `bp-${sent}` });
      expect(res.status).toBe(204);
      sent++;
    }
    expect(await dropsOf('stalled')).toBe(before + 1);
    expect(sent).toBeLessThan(TOTAL);
    // Once it reads again: what was already on its way, then the final event, then the end.
    const text = await stalled.rest();
    const blocks = text.split('\n\n').filter((b) => /^(id|event|data):/m.test(b));
    const last = blocks[blocks.length - 1];
    expect(last).toMatch(/^event: dropped$/m);
    const notice = JSON.parse(/^data: (.*)$/m.exec(last)![1]) as { reason: string; lastEventId: string };
    expect(notice.reason).toBe('stalled');
    const ids = blocks.slice(0, -1).map((b) => /^id: (\d+)$/m.exec(b)?.[1]).filter(Boolean);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(sent);
    expect(notice.lastEventId).toBe(ids[ids.length - 1]);
    // The client that kept reading got them all.
    for (let i = sent; i < TOTAL; i++) {
      await callGateway(system.gatewayUrl, 'POST', '/digitaltwins/bp/telemetry', { n: i }, { 'message-id': `bp-${i}` });
    }
    expect((await reader).length).toBe(TOTAL);
  }, 90_000);

  it('drops a client that is too far behind the stream with a final lagging event', async () => {
    const first = (await listen('true', 1, async () => {
      expect(await callGateway(system.gatewayUrl, 'POST', '/digitaltwins/s1/telemetry', { n: 0 }, { 'message-id': 'lag-0' })).toMatchObject({ status: 204 });
    }))[0];
    for (let i = 1; i <= 150; i++) await callGateway(system.gatewayUrl, 'POST', '/digitaltwins/s1/telemetry', { n: i }, { 'message-id': `lag-${i}` });
    const res = await fetch(`${system.gatewayUrl}/events?api-version=2023-10-31&lastEventId=${first.id}`);
    const text = await res.text();
    expect(text).toMatch(/event: dropped\ndata: \{"reason":"lagging"/);
    expect(text).not.toMatch(/^id: /m);
  });
});

