import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { bootstrapService, requestIdOf } from '@odt/service-kit';
import { GatewayAppModule } from './app.module';
import { loadGatewayConfig } from './config';
import { configureFastify } from './http/fastify-setup';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  await bootstrapService(GatewayAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    fastify: { bodyLimit: config.BODY_LIMIT_BYTES, genReqId: (req) => requestIdOf(req as IncomingMessage), maxParamLength: 2048, return503OnClosing: true },
    configure: (app) => configureFastify(app, config),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'gateway', msg: (err as Error).message })}\n`);
  process.exit(1);
});
