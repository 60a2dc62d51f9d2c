import { randomBytes } from 'node:crypto';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DomainError, Subjects } from '@odt/contracts';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { currentCall, ROOT_LOGGER, ServiceKitModule } from '@odt/service-kit';
import { MessagingModule, startInternalApi } from '../messaging.module';
import { InternalApiController } from './exception-filter';
import { InternalCallContext } from './internal-call-context';
import { InternalClient } from './internal-client';
import { NatsTransport as MessagingModuleTransport } from './nats-transport';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const NEVER = 'test.never';
const BROADCAST = 'test.broadcast';
const QUEUED = 'test.queued';

/** What a replica saw, for the assertions. */
interface Replica {
  app: INestApplication;
  name: string;
  served: string[];
  events: string[];
  release?: () => void;
}

/** Stand-ins for a service's handlers, on real subjects of `libs/contracts` (the payloads are the test's). */
function handlersOf(replica: Replica) {
  @InternalApiController()
  class TestHandlers {
    constructor(private readonly client: InternalClient) {}

    @MessagePattern(Subjects.TwinsGet)
    async get(@Payload() req: { id: string }, @Ctx() ctx: InternalCallContext) {
      replica.served.push(req.id);
      if (req.id === 'missing') throw new DomainError('DigitalTwinNotFound', `There is no digital twin instance that exists with the ID ${req.id}.`);
      if (req.id === 'invalid') throw new DomainError('ValidationFailed', 'Invalid twin.', [{ code: 'ValidationFailed', message: 'bad', target: '/x' }]);
      if (req.id === 'crash') throw new Error('secret internals');
      if (req.id === 'slow') await new Promise<void>((resolve) => (replica.release = resolve));
      if (req.id === 'nested') return this.client.request(Subjects.TwinsDelete, { id: 'inner' } as never);
      return { $dtId: req.id, replica: replica.name, call: currentCall(), subject: ctx.getSubject() };
    }

    /** Echoes the call context it was served in (the nested request's end). */
    @MessagePattern(Subjects.TwinsDelete)
    echoCall() {
      return { call: currentCall() };
    }

    @MessagePattern(Subjects.ModelsDelete)
    nothing() {
      return null;
    }

    @EventPattern(BROADCAST, { broadcast: true })
    heard(@Payload() data: { n: number }) {
      replica.events.push(`broadcast ${data.n}`);
    }

    @EventPattern(QUEUED)
    queued(@Payload() data: { n: number }) {
      replica.events.push(`queued ${data.n}`);
    }
  }
  return TestHandlers;
}

async function startReplica(name: string, namespace: string, natsUrl = NATS_URL, timeoutMs = 2000): Promise<Replica> {
  const replica: Replica = { name, served: [], events: [] } as unknown as Replica;
  @Module({
    imports: [
      ServiceKitModule.forRoot({ service: 'test-service', logLevel: 'silent', readiness: { inject: [], useFactory: () => [] } }),
      MessagingModule.forRoot({ nats: { NATS_URL: natsUrl }, service: 'test-service', requestTimeoutMs: timeoutMs, namespace, loggerToken: ROOT_LOGGER }),
    ],
    controllers: [handlersOf(replica)],
  })
  class TestModule {}
  replica.app = await NestFactory.create(TestModule, new FastifyAdapter(), { logger: false });
  await startInternalApi(replica.app);
  await replica.app.init();
  return replica;
}

describe('internal APIs on @nestjs/microservices over NATS', () => {
  const namespace = `ia${randomBytes(4).toString('hex')}`;
  let a: Replica;
  let b: Replica;
  let client: InternalClient;
  let raw: NatsConnection;

  beforeAll(async () => {
    a = await startReplica('a', namespace);
    b = await startReplica('b', namespace);
    client = a.app.get(InternalClient);
    raw = await connect({ servers: NATS_URL });
  });
  afterAll(async () => {
    await raw?.close();
    await Promise.all([a?.app.close(), b?.app.close()]);
  });

  it('answers a typed request with the handler\'s reply, and null as null', async () => {
    const twin = (await client.request(Subjects.TwinsGet, { id: 'room1' })) as unknown as { $dtId: string; subject: string };
    expect(twin.$dtId).toBe('room1');
    expect(twin.subject).toBe(`${namespace}.${Subjects.TwinsGet}`);
    await expect(client.request(Subjects.ModelsDelete, { id: 'x' })).resolves.toBeNull();
  });

  it('brings a domain error back with its ADT code, message and details', async () => {
    await expect(client.request(Subjects.TwinsGet, { id: 'missing' })).rejects.toMatchObject({
      code: 'DigitalTwinNotFound', message: 'There is no digital twin instance that exists with the ID missing.',
    });
    const err = await client.request(Subjects.TwinsGet, { id: 'invalid' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'ValidationFailed', details: [{ code: 'ValidationFailed', message: 'bad', target: '/x' }] });
  });

  it('answers anything else as an opaque InternalServerError, without its message', async () => {
    await expect(client.request(Subjects.TwinsGet, { id: 'crash' })).rejects.toMatchObject({ code: 'InternalServerError', message: 'An internal error occurred.' });
  });

  it('times out with GatewayTimeout, per request', async () => {
    const started = Date.now();
    await expect(client.request(Subjects.TwinsGet, { id: 'slow' }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'GatewayTimeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
    a.release?.();
    b.release?.();
  });

  it('fails at once with ServiceUnavailable when nobody serves the subject', async () => {
    const started = Date.now();
    await expect(client.request(NEVER as never, {} as never)).rejects.toMatchObject({ code: 'ServiceUnavailable', message: `No service is answering ${NEVER}. Try again shortly.` });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('shares requests between replicas of one service (queue group), each answered once', async () => {
    a.served.length = 0;
    b.served.length = 0;
    const ids = Array.from({ length: 40 }, (_, i) => `q${i}`);
    const replies = await Promise.all(ids.map((id) => client.request(Subjects.TwinsGet, { id }) as unknown as Promise<{ $dtId: string }>));
    expect(replies.map((r) => r.$dtId)).toEqual(ids);
    expect(a.served.length + b.served.length).toBe(40);
    expect(a.served.length).toBeGreaterThan(0);
    expect(b.served.length).toBeGreaterThan(0);
  });

  it('keeps services of other namespaces apart', async () => {
    const other = await startReplica('other', `${namespace}x`);
    try {
      await expect(other.app.get(InternalClient).request(Subjects.ModelsGet, { id: 'x', includeModelDefinition: false })).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    } finally {
      await other.app.close();
    }
  });

  it('carries request id, caller and trace from the headers into the handler, and on to its own requests', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const h = headers();
    h.set('x-request-id', 'req-42');
    h.set('x-odt-caller', 'user;alice');
    h.set('traceparent', traceparent);
    const reply = await raw.request(`${namespace}.${Subjects.TwinsGet}`, JSON.stringify({ pattern: Subjects.TwinsGet, data: { id: 'nested' }, id: 'r1' }), { headers: h, timeout: 2000 });
    const packet = reply.json<{ id: string; response: { call: { requestId: string; caller: unknown; traceparent: string } }; isDisposed: boolean }>();
    expect(packet).toMatchObject({ id: 'r1', isDisposed: true });
    expect(packet.response.call.requestId).toBe('req-42');
    expect(packet.response.call.caller).toEqual({ type: 'user', id: 'alice' });
    // The same trace, one span further down.
    expect(packet.response.call.traceparent.split('-')[1]).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('speaks Nest\'s NATS wire format: {pattern, data, id} in, {id, response | err, isDisposed} out', async () => {
    const ok = await raw.request(`${namespace}.${Subjects.ModelsDelete}`, JSON.stringify({ pattern: Subjects.ModelsDelete, data: { id: 'x' }, id: 'w1' }), { timeout: 2000 });
    expect(ok.json()).toEqual({ id: 'w1', response: null, isDisposed: true });
    const failed = await raw.request(`${namespace}.${Subjects.TwinsGet}`, JSON.stringify({ pattern: Subjects.TwinsGet, data: { id: 'missing' }, id: 'w2' }), { timeout: 2000 });
    expect(failed.json()).toEqual({ id: 'w2', err: { code: 'DigitalTwinNotFound', message: 'There is no digital twin instance that exists with the ID missing.' }, isDisposed: true });
  });

  it('delivers a broadcast event to every replica and a plain event to one', async () => {
    a.events.length = 0;
    b.events.length = 0;
    client.emit(BROADCAST, { n: 1 });
    for (let n = 0; n < 10; n++) client.emit(QUEUED, { n });
    await waitFor(() => a.events.length + b.events.length === 12);
    expect(a.events).toContain('broadcast 1');
    expect(b.events).toContain('broadcast 1');
    expect([...a.events, ...b.events].filter((e) => e.startsWith('queued')).sort()).toEqual(Array.from({ length: 10 }, (_, n) => `queued ${n}`).sort());
  });

  it('finishes a request in flight when the service shuts down', async () => {
    const c = await startReplica('c', `${namespace}c`);
    const caller = await startReplica('caller', `${namespace}c`);
    // Only c serves from now on: the caller's own handlers stop first.
    await caller.app.get(MessagingModuleTransport).close();
    const answer = caller.app.get(InternalClient).request(Subjects.TwinsGet, { id: 'slow' });
    await waitFor(() => c.served.includes('slow'));
    const closing = c.app.close();
    c.release?.();
    await closing;
    await expect(answer).resolves.toMatchObject({ $dtId: 'slow', replica: 'c' });
    await caller.app.close();
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
