import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';

/** The NATS settings of `baseConfigSchema`: where, and with which credentials and TLS. */
export interface NatsSettings {
  NATS_URL: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_TOKEN?: string;
  NATS_CREDS_FILE?: string;
  NATS_NKEY_SEED_FILE?: string;
  NATS_TLS_CA_FILE?: string;
  NATS_TLS_CERT_FILE?: string;
  NATS_TLS_KEY_FILE?: string;
}

/** Connection options for any NATS client of ours (services, tools, tests) from the shared settings. */
export function natsConnectionOptions(settings: NatsSettings, name?: string): ConnectionOptions {
  const authenticator = settings.NATS_CREDS_FILE
    ? credsAuthenticator(readFileSync(settings.NATS_CREDS_FILE))
    : settings.NATS_NKEY_SEED_FILE
      ? nkeyAuthenticator(new TextEncoder().encode(readFileSync(settings.NATS_NKEY_SEED_FILE, 'utf8').trim()))
      : undefined;
  const tls = settings.NATS_TLS_CA_FILE || settings.NATS_TLS_CERT_FILE
    ? { caFile: settings.NATS_TLS_CA_FILE, certFile: settings.NATS_TLS_CERT_FILE, keyFile: settings.NATS_TLS_KEY_FILE }
    : undefined;
  return {
    servers: settings.NATS_URL.split(','),
    name,
    user: settings.NATS_USER,
    pass: settings.NATS_PASSWORD,
    token: settings.NATS_TOKEN,
    ...(authenticator ? { authenticator } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** Connects with unlimited reconnects: a restarted NATS server must not take a service down. */
export function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  return connect({
    ...natsConnectionOptions(settings, name),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    // A stack trace captured per request costs more than the request itself on the hot path.
    noAsyncTraces: true,
  });
}
