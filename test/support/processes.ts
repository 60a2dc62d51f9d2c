import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, spawnService, waitForReady, type ServiceName } from '../../tools/services';

export { freePort };

/** The nats-server binary for private servers (a test that restarts NATS must not restart the shared one). */
export const NATS_SERVER_BIN = process.env.TEST_NATS_SERVER_BIN ?? 'nats-server';


function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Private servers still running: killed should the test process exit without disposing of them. */
const runningServers = new Set<ChildProcess>();
process.once('exit', () => runningServers.forEach((c) => c.kill('SIGKILL')));

/** A NATS server with JetStream of the test's own, which it may kill and start again. */
export interface PrivateNats {
  url: string;
  /** Kills the server (default SIGKILL: no chance to flush or say goodbye). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and store directory; resolves once JetStream answers. */
  start(): Promise<void>;
  /** Kills it and removes its store. */
  dispose(): Promise<void>;
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const storeDir = mkdtempSync(path.join(os.tmpdir(), 'odt-nats-'));
  let child: ChildProcess | undefined;
  const server: PrivateNats = {
    url,
    async kill(signal = 'SIGKILL') {
      if (!child) return;
      const running = child;
      child = undefined;
      running.kill(signal);
      await exited(running);
      runningServers.delete(running);
    },
    async start() {
      child = spawn(NATS_SERVER_BIN, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
      runningServers.add(child);
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          const nc = await connect({ servers: url, reconnect: false, timeout: 1000 });
          try {
            await (await jetstreamManager(nc)).getAccountInfo();
            return;
          } finally {
            await nc.close();
          }
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`private nats-server on ${port} did not start: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async dispose() {
      await server.kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A service running as its own OS process, so that a test can SIGKILL it. */
export interface ServiceProcess {
  port: number;
  /** The end of what it wrote to stdout and stderr (for a failing test's message). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns the event router as in deployment (`node -r @swc-node/register apps/event-router/src/main.ts`); resolves once ready. */
export function spawnEventRouter(env: Record<string, string>): Promise<ServiceProcess> {
  return spawnServiceProcess('event-router', env);
}

/** Spawns a service as in deployment (`node -r @swc-node/register apps/<name>/src/main.ts`); resolves once ready. */
export async function spawnServiceProcess(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  // It stops itself should the test process die without killing it.
  const child = spawnService(name, { ...env, PORT: String(port), ODT_SUPERVISOR_PID: String(process.pid) }, 'pipe');
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const service: ServiceProcess = {
    port,
    output: () => output,
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      await exited(child);
    },
  };
  const outcome = await Promise.race([
    waitForReady(port, 60_000).then(() => 'ready', (err: Error) => err.message),
    exited(child).then(() => 'exited at start'),
  ]);
  if (outcome !== 'ready') {
    await service.kill();
    throw new Error(`${name}: ${outcome}\n${output}`);
  }
  return service;
}
