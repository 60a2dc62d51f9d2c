import 'reflect-metadata';
import { bootstrapService, runIfMain } from '@odt/service-kit';
import { GatewayAppModule } from './app.module';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { configureFastify } from './http/fastify-setup';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startGateway = (config: GatewayConfig, handleSignals = true) =>
  bootstrapService(GatewayAppModule.forRoot(config), config, {
    handleSignals,
    fastify: { trustProxy: config.TRUST_PROXY, bodyLimit: config.BODY_LIMIT_BYTES, routerOptions: { maxParamLength: 2048 }, return503OnClosing: true },
    configure: (app) => configureFastify(app, config),
  });

runIfMain(module, 'gateway', () => startGateway(loadGatewayConfig()));
