import type { ChildProcess } from 'node:child_process';
import { runMigrations } from '@odt/service-kit';
import { allDataSourceOptions } from './migrations';
import { SERVICES, spawnService, waitForReady } from './services';

/**
 * `npm start`: migrate once, then run every service against this machine's Postgres and NATS.
 * Ctrl-C (or SIGTERM) shuts them all down gracefully. If one dies, the others are stopped too.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/digitaltwins';
  const applied = await runMigrations(url, allDataSourceOptions(url));
  log('info', 'migrations done', { applied });

  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const exitWhenDone = setInterval(() => {
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code);
    }, 100);
    setTimeout(() => process.exit(code), 15_000).unref();
    exitWhenDone.unref();
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  process.on('SIGHUP', () => stopAll(0));

  const portOf = (s: (typeof SERVICES)[number]) => Number(process.env[`${s.name.toUpperCase().replace(/-/g, '_')}_PORT`] ?? s.port);
  for (const s of SERVICES) {
    const child = spawnService(s.name, { ODT_SUPERVISOR_PID: String(process.pid), DATABASE_URL: url, PORT: String(portOf(s)) });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        log('error', `${s.name} exited`, { code, signal });
        stopAll(1);
      }
    });
    children.push(child);
  }
  await Promise.all(SERVICES.map((s) => waitForReady(portOf(s)))).catch((err: unknown) => {
    log('fatal', (err as Error).message);
    stopAll(1);
  });
  if (!stopping) log('info', 'all services ready', { gateway: `http://127.0.0.1:${portOf(SERVICES.find((s) => s.name === 'gateway')!)}` });
}

function log(level: string, msg: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, service: 'start', time: new Date().toISOString(), msg, ...extra })}\n`);
}

main().catch((err: unknown) => {
  log('fatal', (err as Error).message);
  process.exit(1);
});
