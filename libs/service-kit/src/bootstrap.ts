import type { IncomingMessage } from 'node:http';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ReadinessService } from './health';
import { requestIdOf } from './logger';

export interface BootstrapOptions {
  port: number;
  host: string;
  shutdownTimeoutMs: number;
  /** Fastify options (body limit, ...) for services that serve more than health. */
  fastify?: ConstructorParameters<typeof FastifyAdapter>[0];
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /** Off when the application is embedded (tests): the embedder closes it. */
  handleSignals?: boolean;
}

/**
 * Starts a service: Fastify HTTP (health, and the API for the gateway), JSON logs, and a graceful
 * shutdown on SIGTERM/SIGINT that flips readiness, finishes in-flight work and drains NATS.
 */
export async function bootstrapService(module: Type<unknown> | DynamicModule, options: BootstrapOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ genReqId: (req: unknown) => requestIdOf(req as IncomingMessage), ...options.fastify }), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  await options.configure?.(app);
  await app.listen(options.port, options.host);
  if (options.handleSignals !== false) installSignalHandlers(app, options.shutdownTimeoutMs);
  // Under `npm start` a service must not outlive its supervisor, however the supervisor died.
  if (process.env.ODT_SUPERVISOR_PID) watchSupervisor(Number(process.env.ODT_SUPERVISOR_PID));
  return app;
}

function watchSupervisor(pid: number): void {
  setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      process.kill(process.pid, 'SIGTERM');
    }
  }, 1000).unref();
}

function installSignalHandlers(app: INestApplication, timeoutMs: number): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    const logger = app.get(Logger);
    logger.log(`${signal} received; shutting down`);
    app.get(ReadinessService).markShuttingDown();
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
