import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { AccessResolver, Unauthenticated } from './access';
import type { McpConfig } from './config';
import { createMcpServer } from './tools';

export const MCP_PATH = '/mcp';
const PRM_PATHS = ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A JSON-RPC error answer outside of MCP's own handling (auth, method, origin). */
const rpcError = (message: string, code = -32000) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Streamable HTTP, stateless and in JSON mode: each POST gets a fresh server whose tools call the
 * gateway with the caller's own token (any replica serves any request). GET and DELETE: 405.
 */
export class McpHttpServer {
  private server?: Server;
  private readonly access: AccessResolver;
  private readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'odt_mcp_requests_total', help: 'MCP requests by outcome (HTTP status).', labelNames: ['status'], registers: [this.registry] });

  constructor(private readonly config: McpConfig, private readonly logger: Logger, private readonly version: string) {
    this.access = new AccessResolver(config);
    collectDefaultMetrics({ register: this.registry });
  }

  private publicUrl(req: IncomingMessage): string {
    return (this.config.MCP_PUBLIC_URL ?? `http://${req.headers.host ?? `${this.config.HOST}:${this.config.PORT}`}`).replace(/\/$/, '');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    // No store of its own: ready once listening (an unreachable gateway is a 503 of each request).
    if (req.method === 'GET' && path === '/readyz') return json(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': this.registry.contentType }).end(await this.registry.metrics());
      return;
    }
    if (req.method === 'GET' && PRM_PATHS.includes(path ?? '')) {
      if (!this.config.MCP_AUTHORIZATION_SERVERS?.length) return json(res, 404, { error: 'No authorization server is configured (MCP_AUTHORIZATION_SERVERS).' });
      return json(res, 200, {
        resource: `${this.publicUrl(req)}${MCP_PATH}`,
        authorization_servers: this.config.MCP_AUTHORIZATION_SERVERS,
        bearer_methods_supported: ['header'],
        ...(this.config.MCP_SCOPES ? { scopes_supported: this.config.MCP_SCOPES } : {}),
      });
    }
    if (path !== MCP_PATH) return json(res, 404, { error: 'Not found' });
    const origin = req.headers.origin;
    if (origin && !(this.config.MCP_ALLOWED_ORIGINS ?? []).includes(origin)) return json(res, 403, rpcError(`Origin ${origin} is not allowed.`));
    if (req.method !== 'POST') return json(res, 405, rpcError('Method not allowed: this server is stateless, POST only.'), { allow: 'POST' });

    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    let access;
    try {
      access = await this.access.resolve(token);
    } catch (err) {
      if (err instanceof Unauthenticated) {
        const challenge = [`Bearer error="invalid_token"`, `error_description="${err.message.replace(/"/g, "'")}"`];
        if (this.config.MCP_AUTHORIZATION_SERVERS?.length) challenge.push(`resource_metadata="${this.publicUrl(req)}${PRM_PATHS[0]}"`);
        return json(res, 401, rpcError(`Unauthorized: ${err.message}`), { 'www-authenticate': challenge.join(', ') });
      }
      this.logger.warn({ err: (err as Error).message }, 'gateway not available');
      return json(res, 503, rpcError(`The API is not available: ${(err as Error).message}`));
    }
    let body: unknown;
    try {
      body = await readBody(req, this.config.MCP_MAX_BODY_BYTES);
    } catch (err) {
      return json(res, 400, rpcError(`Bad request: ${(err as Error).message}`, -32700));
    }
    const server = createMcpServer(this.access.api(token), { ...access, version: this.version });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      if ((req.url ?? '').startsWith(MCP_PATH)) res.on('finish', () => this.requests.inc({ status: String(res.statusCode) }));
      this.handle(req, res).catch((err: unknown) => {
        this.logger.error({ err: (err as Error).message }, 'MCP request failed');
        if (!res.headersSent) json(res, 500, rpcError('Internal error', -32603));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.PORT, this.config.HOST, resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://${this.config.HOST}:${port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
