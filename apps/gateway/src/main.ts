import 'reflect-metadata';
import fastifyCors from '@fastify/cors';
import { ConfigError, ROOT_LOGGER, runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import type { Logger } from 'pino';
import { GatewayAppModule } from './app.module';
import { installHttpSecurity } from './auth/http-security';
import { TokenVerifier, authModeOf } from './auth/token-verifier';
import { parseCustomRoles } from './auth/data-actions';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { configureFastify } from './http/fastify-setup';
import { installCallContext } from './http/request-context';
import { installLeanAsyncBind } from './http/lean-async-bind';
import { GatewayListeners } from './http/listeners';
import { ServedRoutes } from './http/served-routes';
import { installTracing } from './http/tracing';

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/** Headers a browser client (a self-hosted explorer) must be able to read. */
const EXPOSED_HEADERS = ['etag', 'x-ms-error-code', 'x-ms-request-id', 'query-charge', 'retry-after'];

/**
 * Starts the gateway; `handleSignals: false` when embedded (tests close it themselves). Secure by
 * default: without authentication it listens on loopback only, and refuses any other address.
 */
export async function startGateway(config: GatewayConfig, handleSignals = true) {
  const mode = authModeOf(config);
  if (mode === 'none' && !LOOPBACK.test(config.HOST)) {
    throw new ConfigError(`Refusing to listen on ${config.HOST} without authentication: configure AUTH_OIDC_ISSUER, AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_JWT_SECRET (docs/security.md), or listen on 127.0.0.1.`);
  }
  parseCustomRoles(config.AUTH_CUSTOM_ROLES);
  installLeanAsyncBind();
  const verifier = mode === 'none' ? undefined : new TokenVerifier(config, mode);
  const listeners = new GatewayListeners(config);
  const routes = new ServedRoutes();
  const app = await startService(GatewayAppModule.forRoot(config, listeners, routes), config, {
    handleSignals,
    bodyParser: false,
    fastify: {
      trustProxy: config.TRUST_PROXY,
      bodyLimit: config.BODY_LIMIT_BYTES,
      routerOptions: { maxParamLength: 2048 },
      return503OnClosing: true,
      serverFactory: listeners.serverFactory,
    } as never,
    configure: async (app) => {
      routes.install(app);
      if (config.CORS_ORIGINS.length > 0) {
        await app.register(fastifyCors as never, {
          origin: config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS,
          exposedHeaders: EXPOSED_HEADERS,
          maxAge: 600,
        });
      }
      installTracing(app);
      installHttpSecurity(app, config, verifier, app.get<Logger>(ROOT_LOGGER));
      configureFastify(app, config);
      installCallContext(app);
      listeners.install(app);
    },
  });
  try {
    await listeners.listenSecondary();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}

runIfMain(module, 'gateway', () => startGateway(loadGatewayConfig()));
