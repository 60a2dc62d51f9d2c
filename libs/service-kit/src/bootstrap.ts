import type { IncomingMessage } from 'node:http';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ReadinessService } from './health';
import { Metrics } from './metrics';
import { PinoNestLogger, requestIdOf } from './logger';
import { ROOT_LOGGER } from './service-kit.module';

/** The settings of `baseConfigSchema` that bootstrapping reads. */
export interface ServerConfig {
  PORT: number;
  HOST: string;
  SHUTDOWN_TIMEOUT_MS: number;
}

export interface BootstrapOptions {
  /** Fastify options (body limit, ...) for services that serve more than health. */
  fastify?: ConstructorParameters<typeof FastifyAdapter>[0];
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /** Off when the application is embedded (tests): the embedder closes it. */
  handleSignals?: boolean;
  /** Off when `configure` installs its own JSON body parser (the gateway's limits). */
  bodyParser?: boolean;
}

const PROBES = /^\/(healthz|readyz)(\?|$)/;

/**
 * Starts a service: Fastify HTTP (health, and the API for the gateway), JSON logs, and a graceful
 * shutdown on SIGTERM/SIGINT that flips readiness, finishes in-flight work and drains NATS.
 */
export async function bootstrapService(module: Type<unknown> | DynamicModule, config: ServerConfig, options: BootstrapOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ genReqId: (req: unknown) => requestIdOf(req as IncomingMessage), ...options.fastify });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true, abortOnError: false, bodyParser: options.bodyParser ?? true });
  const logger = app.get<Logger>(ROOT_LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  logRequests(fastify, logger);
  measureRequests(fastify, app.get(Metrics));
  await options.configure?.(app);
  await app.listen(config.PORT, config.HOST);
  if (options.handleSignals !== false) installSignalHandlers(app, logger, config.SHUTDOWN_TIMEOUT_MS);
  // Under `npm start` a service must not outlive its supervisor, however the supervisor died.
  if (process.env.ODT_SUPERVISOR_PID) watchSupervisor(Number(process.env.ODT_SUPERVISOR_PID));
  return app;
}

/** One access line per request at `info` (probes excepted); nothing at all per request above it. */
function logRequests(fastify: FastifyInstance, logger: Logger): void {
  if (!logger.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!PROBES.test(request.url)) {
      logger.info({
        requestId: request.id,
        traceId: (request as { span?: { traceId: string } }).span?.traceId,
        req: { method: request.method, url: redactUrl(request.url) },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      }, 'request completed');
    }
    done();
  });
}

/** Query parameters that carry a credential (the live stream's ticket) are never logged. */
const SECRET_PARAMS = /([?&](?:ticket|access_token)=)[^&#]*/gi;
export const redactUrl = (url: string): string => url.replace(SECRET_PARAMS, '$1[redacted]');

/** `http_server_request_duration_seconds` by method, route pattern (never the raw URL) and status. */
function measureRequests(fastify: FastifyInstance, metrics: Metrics): void {
  const duration = metrics.histogram('http_server_request_duration_seconds', 'HTTP requests served, by route and status.', ['method', 'route', 'status_code']);
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
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

function installSignalHandlers(app: INestApplication, logger: Logger, timeoutMs: number): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal} received; shutting down`);
    app.get(ReadinessService).markShuttingDown();
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Runs `start` when `entry` is the program's main module; a failure to start is one fatal JSON line. */
export function runIfMain(entry: NodeModule, service: string, start: () => Promise<unknown>): void {
  if (require.main !== entry) return;
  start().catch((err: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: (err as Error).message })}\n`);
    process.exit(1);
  });
}
