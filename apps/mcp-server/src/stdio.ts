import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { DigitalTwinsApi, staticToken, type TokenCredential } from '@odt/client';
import { tokenCommand } from '@odt/client/node';
import { createMcpServer } from './tools';
import { VERSION } from './version';

/**
 * The MCP server on stdin/stdout, for a desktop AI client that starts it: the API at DT_ENDPOINT
 * (or MCP_API_URL), the user's token from DT_TOKEN or DT_TOKEN_COMMAND. Write tools unless
 * MCP_READ_ONLY=true; the gateway authorises each call with the user's own roles.
 */
export async function runStdio(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const endpoint = env.DT_ENDPOINT ?? env.MCP_API_URL ?? 'http://127.0.0.1:8080';
  let credential: TokenCredential | undefined;
  if (env.DT_TOKEN) credential = staticToken(env.DT_TOKEN);
  else if (env.DT_TOKEN_COMMAND) credential = tokenCommand(env.DT_TOKEN_COMMAND);
  const api = new DigitalTwinsApi({ endpoint, ...(credential ? { credential } : {}) });
  const modelIds = await api.models.list().toArray({ maxItems: 500 }).then((ms) => ms.map((m) => m.id), (err: Error) => {
    process.stderr.write(`dt-mcp: could not list the models of ${endpoint}: ${err.message}\n`);
    return [];
  });
  const server = createMcpServer(api, { canWrite: env.MCP_READ_ONLY !== 'true', modelIds, version: VERSION });
  await server.connect(new StdioServerTransport());
}


