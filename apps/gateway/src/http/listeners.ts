import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * The gateway's sockets. Fastify serves one server per instance, so the gateway hands it a
 * `serverFactory` that builds the main server (on PORT: HTTP, or HTTPS when only the TLS files
 * are set) and, with HTTPS_PORT, a second, HTTPS server around the very same request handler:
 * one application, one set of hooks and routes, one NATS connection, whichever socket a request
 * came in on. Fastify closes the main server; the second one is closed from its `preClose` and
 * `onClose` hooks, so that shutdown drains both.
 */
export class GatewayListeners {
  private secondary?: https.Server;
  /** Settles once the HTTPS listener has closed and its last connection ended (at once if it never listened). */
  private secondaryClosed: Promise<void> = Promise.resolve();
  private readonly tls?: { cert: Buffer; key: Buffer };
  private readonly serverOptions: http.ServerOptions;

  constructor(private readonly config: GatewayConfig) {
    this.tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) }
      : undefined;
    this.serverOptions = {
      maxHeaderSize: config.MAX_HEADER_BYTES,
      // Slow clients: headers must arrive within the request timeout, checked every second.
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1000, config.REQUEST_TIMEOUT_MS),
    };
  }

  /** Is PORT itself HTTPS (production with TLS files and no HTTPS_PORT)? */
  get mainIsHttps(): boolean {
    return this.tls !== undefined && this.config.HTTPS_PORT === undefined;
  }

  /** Fastify's `serverFactory` option. */
  readonly serverFactory = (handler: Handler): http.Server => {
    const main = this.mainIsHttps ? https.createServer({ ...this.serverOptions, ...this.tls }, handler) : http.createServer(this.serverOptions, handler);
    if (this.tls && this.config.HTTPS_PORT !== undefined) {
      this.secondary = https.createServer({ ...this.serverOptions, ...this.tls }, handler);
    }
    for (const server of [main, this.secondary]) {
      if (server) server.keepAliveTimeout = this.config.KEEP_ALIVE_TIMEOUT_MS;
    }
    return main;
  };

  /** Ties the HTTPS listener's shutdown to Fastify's (hooks must be added before the app listens). */
  install(app: NestFastifyApplication): void {
    const server = this.secondary;
    if (!server) return;
    const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
    fastify.addHook('preClose', (done) => {
      if (server.listening) {
        server.close();
        server.closeIdleConnections();
      }
      done();
    });
    fastify.addHook('onClose', async () => {
      if (server.listening) server.close();
      await this.secondaryClosed;
    });
  }

  /** Starts the HTTPS listener, after the main one. */
  async listenSecondary(): Promise<void> {
    const server = this.secondary;
    if (!server) return;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.HTTPS_PORT, this.config.HOST, () => {
        server.off('error', reject);
        this.secondaryClosed = new Promise((closed) => server.once('close', () => closed()));
        resolve();
      });
    });
  }

  /** `https://127.0.0.1:<port>` of the HTTPS listener, when there is one. */
  httpsUrl(): string | undefined {
    const address = this.secondary?.address() as AddressInfo | null | undefined;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `https://${host === '[::1]' ? '127.0.0.1' : host}:${address.port}`;
  }
}
