import pino from 'pino';
import { loadMcpConfig, type McpConfig } from './config';
import { McpHttpServer } from './http';
import { VERSION } from './version';

/** The MCP server over streamable HTTP (`npm start` runs it; `dt-mcp` is the stdio variant). */
export async function startMcpServer(config: McpConfig = loadMcpConfig(), handleSignals = true): Promise<{ url: string; server: McpHttpServer }> {
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'mcp-server' }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } });
  const server = new McpHttpServer(config, logger, VERSION);
  const url = await server.listen();
  logger.debug({ url: `${url}/mcp`, api: config.MCP_API_URL }, 'MCP server listening');
  if (handleSignals) {
    const stop = () => {
      setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
  return { url, server };
}

if (require.main === module) {
  startMcpServer().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
