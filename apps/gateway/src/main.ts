import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import fastifyCors from '@fastify/cors';
import { bootstrapService, ConfigError, ROOT_LOGGER, runIfMain } from '@odt/service-kit';
import type { Logger } from 'pino';
import { GatewayAppModule } from './app.module';
import { installHttpSecurity } from './auth/http-security';
import { TokenVerifier, authModeOf } from './auth/token-verifier';
import { parseCustomRoles } from './auth/data-actions';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { configureFastify } from './http/fastify-setup';
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
  const verifier = mode === 'none' ? undefined : new TokenVerifier(config, mode);
  const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE
    ? { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) }
    : undefined;
  const server = {
    maxHeaderSize: config.MAX_HEADER_BYTES,
    // Slow clients: headers must arrive within the request timeout, checked every second.
    headersTimeout: config.REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: Math.min(1000, config.REQUEST_TIMEOUT_MS),
  };
  return bootstrapService(GatewayAppModule.forRoot(config), config, {
    handleSignals,
    bodyParser: false,
    fastify: {
      trustProxy: config.TRUST_PROXY,
      bodyLimit: config.BODY_LIMIT_BYTES,
      routerOptions: { maxParamLength: 2048 },
      return503OnClosing: true,
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
      ...(tls ? { https: { ...tls, ...server } } : { http: server }),
    } as never,
    configure: async (app) => {
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
    },
  });
}

runIfMain(module, 'gateway', () => startGateway(loadGatewayConfig()));
