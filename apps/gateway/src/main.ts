import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { GatewayAppModule } from './app.module';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { configureFastify } from './http/fastify-setup';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export function startGateway(config: GatewayConfig, handleSignals = true) {
  return bootstrapService(GatewayAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals,
    fastify: { trustProxy: config.TRUST_PROXY, bodyLimit: config.BODY_LIMIT_BYTES, routerOptions: { maxParamLength: 2048 }, return503OnClosing: true },
    configure: (app) => configureFastify(app, config),
  });
}

if (require.main === module) {
  startGateway(loadGatewayConfig()).catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'gateway', msg: (err as Error).message })}\n`);
  process.exit(1);
  });
}
