import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

/** The processes of the system and their default ports (the gateway after the services it needs, the MCP server after the gateway). */
export const SERVICES = [
  { name: 'models-service', port: 8101 },
  { name: 'twins-service', port: 8102 },
  { name: 'relationships-service', port: 8103 },
  { name: 'event-router', port: 8104 },
  { name: 'query-service', port: 8105 },
  { name: 'history-service', port: 8106 },
  { name: 'connector', port: 8108 },
  { name: 'jobs-service', port: 8107 },
  { name: 'gateway', port: 8080 },
  // A client of the gateway's API (docs/mcp.md): after it.
  { name: 'mcp-server', port: 8090 },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

export function spawnService(name: ServiceName, env: NodeJS.ProcessEnv, stdio: 'inherit' | 'pipe' = 'inherit'): ChildProcess {
  // ODT_NODE_ARGS: extra Node flags for the services (e.g. `--cpu-prof` when profiling a benchmark).
  const extra = (env.ODT_NODE_ARGS ?? process.env.ODT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...extra, '-r', '@swc-node/register', path.join(ROOT, 'apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdio, stdio],
  });
}

/** Polls `/readyz` until the service answers 200. */
export async function waitForReady(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`service on port ${port} was not ready within ${timeoutMs} ms`);
}

/** A TCP port nobody listens on right now (for a process or server started next). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
