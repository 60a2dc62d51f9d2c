import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface NatsConnectionOptions {
  url: string;
  name: string;
  user?: string;
  pass?: string;
}

/** Connects with unlimited reconnects: a restarted NATS server must not take a service down. */
export function connectNats(options: NatsConnectionOptions): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(','),
    name: options.name,
    user: options.user,
    pass: options.pass,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    // A stack trace captured per request costs more than the request itself on the hot path.
    noAsyncTraces: true,
  });
}
