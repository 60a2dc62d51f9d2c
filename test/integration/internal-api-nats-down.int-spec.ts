import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Subjects, type DomainError } from '@odt/contracts';
import { InternalApiController, InternalClient, MessagingModule, startInternalApi } from '@odt/messaging';
import { ROOT_LOGGER, ServiceKitModule } from '@odt/service-kit';
import { startPrivateNats } from '../support/processes';

@InternalApiController()
class Handlers {
  @MessagePattern(Subjects.ModelsDelete)
  nothing() {
    return null;
  }
}

async function startService(natsUrl: string): Promise<INestApplication> {
  @Module({
    imports: [
      ServiceKitModule.forRoot({ service: 'solo', logLevel: 'silent', readiness: { inject: [], useFactory: () => [] } }),
      MessagingModule.forRoot({ nats: { NATS_URL: natsUrl }, service: 'solo', requestTimeoutMs: 5000, namespace: 'down', loggerToken: ROOT_LOGGER }),
    ],
    controllers: [Handlers],
  })
  class SoloModule {}
  const app = await NestFactory.create(SoloModule, new FastifyAdapter(), { logger: false });
  await startInternalApi(app);
  await app.init();
  return app;
}

describe('internal APIs while NATS is down', () => {
  it('fail at once with ServiceUnavailable instead of waiting for the reconnect, and work again after it', async () => {
    const nats = await startPrivateNats();
    const app = await startService(nats.url);
    try {
      const client = app.get(InternalClient);
      await expect(client.request(Subjects.ModelsDelete, { id: 'x' })).resolves.toBeNull();
      await nats.kill();
      // A request sent before the client notices the loss waits for its timeout; once it has noticed, none does.
      await waitFor(async () => (await client.request(Subjects.ModelsDelete, { id: 'x' }, { timeoutMs: 200 }).catch((e: DomainError) => e.code)) === 'ServiceUnavailable');
      const started = Date.now();
      await expect(client.request(Subjects.ModelsDelete, { id: 'x' })).rejects.toMatchObject({ code: 'ServiceUnavailable', message: expect.stringContaining('reconnecting') });
      expect(Date.now() - started).toBeLessThan(200);
      await nats.start();
      await waitFor(async () => (await client.request(Subjects.ModelsDelete, { id: 'x' }).catch(() => 'failed')) === null, 20_000);
    } finally {
      await app.close();
      await nats.dispose();
    }
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
