import { existsSync } from 'node:fs';
import path from 'node:path';
import { runMigrations } from '@odt/service-kit';
import { ensureDevTls } from './dev-tls';
import { ensureExplorerBuilt } from './explorer-build';
import { allDataSourceOptions } from './migrations';
import { DEFAULT_DATABASE_URL, explain, missingPrerequisites } from './prerequisites';
import { ROOT, SERVICES, spawnService, waitForReady, type ServiceName } from './services';
import { devHttpsEnv, startupSummary } from './start-summary';
import { DEFAULT_BACKOFF, Supervisor, type BackoffPolicy } from './supervisor';

/**
 * `npm start`: check that Postgres and NATS (with JetStream) are there, migrate once, then run
 * every service against them. A service that exits is started again after a backoff (1 s,
 * doubling to 30 s, back to 1 s once it stayed up a minute), as Kubernetes would. Ctrl-C (or
 * SIGTERM) shuts them all down gracefully.
 *
 * Exit status: 0 after Ctrl-C/SIGTERM, 2 when a prerequisite is missing, 1 on any other failure.
 */
async function main(): Promise<void> {
  const policy = backoffPolicy();
  const missing = await missingPrerequisites(process.env);
  if (missing.length > 0) {
    process.stderr.write(`${explain(missing)}\n`);
    process.exit(2);
  }

  // The Explorer is served by the gateway from apps/explorer/dist: build it on a fresh clone.
  try {
    await ensureExplorerBuilt();
  } catch (err) {
    log('warn', 'the Explorer could not be built; the API runs without it', { error: (err as Error).message });
  }

  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const applied = await runMigrations(url, allDataSourceOptions(url));
  log('debug', 'migrations done', { applied: applied.length });

  // HTTPS beside HTTP with a development certificate, unless the gateway is given one of its own.
  const tls = process.env.TLS_CERT_FILE ? undefined : await ensureDevTls(path.join(ROOT, '.odt', 'tls'));
  const httpsPort = Number(process.env.HTTPS_PORT ?? 8443);
  const portOf = (name: ServiceName) => Number(process.env[`${name.toUpperCase().replace(/-/g, '_')}_PORT`] ?? SERVICES.find((s) => s.name === name)!.port);
  const envOf = (name: ServiceName) => ({
    ODT_SUPERVISOR_PID: String(process.pid), DATABASE_URL: url, PORT: String(portOf(name)),
    ...(name === 'gateway' && tls ? devHttpsEnv(tls, httpsPort) : {}),
    ...(name === 'mcp-server' ? { MCP_API_URL: process.env.MCP_API_URL ?? `http://127.0.0.1:${portOf('gateway')}` } : {}),
  });
  let stopping = false;
  // Each service's first readiness, as its own line reports it: the summary comes after all of them.
  const firstReady = new Map(SERVICES.map((s) => {
    let resolve!: () => void;
    return [s.name, { ready: new Promise<void>((r) => { resolve = r; }), resolve }] as const;
  }));
  const supervisor = new Supervisor(
    SERVICES.map((s) => ({ name: s.name, spawn: () => spawnService(s.name, envOf(s.name)) })),
    policy,
    (event) => {
      if (event.kind === 'started') {
        // One line per service once it answers /readyz (or, after a restart, "ready again").
        const again = event.restarts > 0;
        if (again) log('info', `${event.name} restarted`, { service_name: event.name, pid: event.pid, restarts: event.restarts });
        waitForReady(portOf(event.name as ServiceName)).then(
          () => {
            if (!stopping) log('info', again ? `${event.name} ready again` : `${event.name} ready`, { service_name: event.name, pid: event.pid, restarts: event.restarts, url: `http://127.0.0.1:${portOf(event.name as ServiceName)}` });
            firstReady.get(event.name as ServiceName)?.resolve();
          },
          () => log('warn', `${event.name} not ready 60 s after it started`, { service_name: event.name, pid: event.pid, restarts: event.restarts }),
        );
      } else {
        log('error', `${event.name} exited; restarting in ${event.restartInMs / 1000} s`, {
          service_name: event.name, code: event.code, signal: event.signal, upMs: event.upMs, restartInMs: event.restartInMs, restarts: event.restarts,
        });
      }
    },
  );

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: stopping every service`);
    void supervisor.stop().then(() => {
      log('info', 'stopped');
      process.exit(0);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));

  supervisor.start();
  await Promise.all([...firstReady.values()].map((s) => s.ready)).then(
    () => {
      if (stopping) return;
      const httpUrl = `http://127.0.0.1:${portOf('gateway')}`;
      const httpsUrl = tls ? `https://127.0.0.1:${httpsPort}` : undefined;
      process.stdout.write(`\n${startupSummary({ httpUrl, httpsUrl, caFile: tls?.caFile, explorer: existsSync(path.join(ROOT, 'apps', 'explorer', 'dist', 'index.html')), auth: authKind(process.env) }).join('\n')}\n\n`);
      log('info', 'all services ready', { gateway: httpUrl, ...(httpsUrl ? { gatewayHttps: httpsUrl } : {}) });
    },
  );
}

/** How callers get a token, by the gateway's AUTH_* settings (docs/security.md). */
function authKind(env: NodeJS.ProcessEnv): 'none' | 'dev-secret' | 'provider' {
  if (env.AUTH_JWT_SECRET_FILE || env.AUTH_JWT_SECRET) return 'dev-secret';
  return env.AUTH_OIDC_ISSUER || env.AUTH_JWKS_URL || env.AUTH_PUBLIC_KEY ? 'provider' : 'none';
}

/** ODT_RESTART_BACKOFF_MS, ODT_RESTART_BACKOFF_MAX_MS, ODT_RESTART_RESET_MS (docs/configuration.md). */
function backoffPolicy(): BackoffPolicy {
  const num = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number of milliseconds, got "${raw}"`);
    return value;
  };
  return {
    initialMs: num('ODT_RESTART_BACKOFF_MS', DEFAULT_BACKOFF.initialMs),
    maxMs: num('ODT_RESTART_BACKOFF_MAX_MS', DEFAULT_BACKOFF.maxMs),
    resetAfterMs: num('ODT_RESTART_RESET_MS', DEFAULT_BACKOFF.resetAfterMs),
  };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** A JSON line, as the services write them; below LOG_LEVEL (default info) nothing. */
function log(level: string, msg: string, extra: Record<string, unknown> = {}): void {
  if (LEVELS.indexOf(level) < LEVELS.indexOf(process.env.LOG_LEVEL ?? 'info')) return;
  process.stdout.write(`${JSON.stringify({ level, service: 'start', time: new Date().toISOString(), msg, ...extra })}\n`);
}

main().catch((err: unknown) => {
  log('fatal', (err as Error).message);
  process.exit(1);
});
