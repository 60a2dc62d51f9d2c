import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { SERVICES } from '../../tools/services';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { freePort, NATS_SERVER_BIN } from '../support/processes';
import { cleanup, newIsolation, PG_ADMIN_URL } from '../support/system';

const ROOT = path.resolve(__dirname, '../..');

/** `npm start` (tools/start.ts) as a user runs it, with this environment added. */
function npmStart(env: Record<string, string>): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/start.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** Lines `npm start` itself logged (the services log on the same stdout). */
function startLines(out: string): Array<Record<string, unknown> & { msg: string }> {
  return out.split('\n').flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown> & { msg: string };
      return parsed.service === 'start' ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

async function until<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(node:.+\))$/m;

describe('npm start without its prerequisites', () => {
  it('names each missing one, where it looked and the line that fixes it, with no stack trace', async () => {
    const [pgPort, natsPort] = [await freePort(), await freePort()];
    const run = npmStart({ DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/digitaltwins`, NATS_URL: `nats://127.0.0.1:${natsPort}` });
    expect(await run.exited).toBe(2);
    const text = run.err();
    expect(text).toContain(`npm start: Postgres is not reachable at 127.0.0.1:${pgPort}.`);
    expect(text).toContain(`Looked at: DATABASE_URL=postgres://postgres@127.0.0.1:${pgPort}/digitaltwins: connect ECONNREFUSED`);
    expect(text).toContain(`npm start: NATS is not reachable at nats://127.0.0.1:${natsPort}.`);
    expect(text).toContain(`Looked at: NATS_URL=nats://127.0.0.1:${natsPort}`);
    expect(text).toContain('docker compose up -d postgres nats');
    expect(text).toContain('sudo apt install postgresql');
    expect(text).toContain('brew install nats-server');
    expect(text).not.toMatch(STACK_FRAME);
    // Nothing was started.
    expect(startLines(run.out())).toEqual([]);
  }, 60_000);

  it('says when NATS runs without JetStream, and how to turn it on', async () => {
    const port = await freePort();
    const nats = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const nc = await connect({ servers: `nats://127.0.0.1:${port}` }).catch(() => null);
        if (nc) {
          await nc.close();
          break;
        }
        if (Date.now() > deadline) throw new Error('nats-server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      const databaseUrl = new URL(PG_ADMIN_URL);
      databaseUrl.pathname = '/odt_start_check_unused';
      const run = npmStart({ DATABASE_URL: databaseUrl.toString(), NATS_URL: `nats://127.0.0.1:${port}` });
      expect(await run.exited).toBe(2);
      expect(run.err()).toMatch(new RegExp(`npm start: NATS [\\d.]+ at nats://127\\.0\\.0\\.1:${port} runs without JetStream\\.`));
      expect(run.err()).toContain('nats-server -js');
      expect(run.err()).not.toContain('Postgres');
      expect(run.err()).not.toMatch(STACK_FRAME);
    } finally {
      nats.kill('SIGKILL');
    }
  }, 60_000);
});

describe('npm start keeps its services running', () => {
  const iso = newIsolation();
  const ports: Record<string, number> = {};
  let run: ReturnType<typeof npmStart> | undefined;

  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await Promise.race([run.exited, new Promise((r) => setTimeout(r, 20_000))]);
      run.child.kill('SIGKILL');
    }
    await cleanup(iso);
  }, 60_000);

  it('restarts a SIGKILLed service after 1 s, then 2 s; it answers /readyz and serves again; SIGTERM stops everything', async () => {
    for (const s of SERVICES) ports[s.name] = await freePort();
    // The default log level, as a user starts it.
    const { LOG_LEVEL: _level, ...isoEnv } = iso.env;
    const env: Record<string, string> = { ...isoEnv };
    for (const s of SERVICES) env[`${s.name.toUpperCase().replace(/-/g, '_')}_PORT`] = String(ports[s.name]);
    env.HTTPS_PORT = String(await freePort());
    run = npmStart(env);
    const lines = () => startLines(run!.out());
    await until('all services ready', () => lines().find((l) => l.msg === 'all services ready'), 180_000);
    // Quiet: a line per service as it gets ready (and little else), then the summary with the URLs.
    const out = run.out();
    const beforeReady = out.slice(0, out.indexOf('Open Digital Twins is ready.')).split('\n').filter((l) => l.trim() !== '');
    // At most a dozen lines before "ready" in the terminal, npm's two of its own included.
    expect(beforeReady.length).toBeLessThanOrEqual(12);
    expect(lines().filter((l) => / ready$/.test(l.msg)).map((l) => l.service_name).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    expect(out).toContain(`http://127.0.0.1:${ports.gateway}  https://127.0.0.1:${env.HTTPS_PORT}`);
    expect(out).toMatch(/Trust HTTPS +NODE_EXTRA_CA_CERTS=\.odt\/tls\/ca\.pem/);
    expect(out).toContain(`http://127.0.0.1:${ports.gateway}/docs/api`);
    const pidOf = (name: string, restarts: number) => lines().find((l) => l.service_name === name && l.restarts === restarts && / ready$| restarted$/.test(l.msg))?.pid as number | undefined;
    const gateway = `http://127.0.0.1:${ports.gateway}`;
    const models = buildingModels(uniqueDtmiPrefix());
    expect((await callGateway(gateway, 'POST', '/models', models.all)).status).toBe(201);
    const writeTwin = async (id: string) => (await callGateway(gateway, 'PUT', `/digitaltwins/${id}`, { $metadata: { $model: models.room['@id'] }, thermostat: { $metadata: {} } })).status;
    const readyz = async () => (await fetch(`http://127.0.0.1:${ports['twins-service']}/readyz`).catch(() => ({ status: 0 }))).status;

    for (const [restarts, waitMs] of [[1, 1000], [2, 2000]] as const) {
      const pid = pidOf('twins-service', restarts - 1)!;
      expect(pid).toEqual(expect.any(Number));
      process.kill(pid, 'SIGKILL');
      const exited = await until('the exit logged', () => lines().find((l) => l.service_name === 'twins-service' && l.restarts === restarts && l.msg.includes('exited')), 20_000);
      expect(exited).toMatchObject({ level: 'error', msg: `twins-service exited; restarting in ${waitMs / 1000} s`, signal: 'SIGKILL', restartInMs: waitMs });
      const newPid = await until('a new process', () => pidOf('twins-service', restarts), 20_000);
      expect(newPid).not.toBe(pid);
      await until('ready again', () => lines().find((l) => l.service_name === 'twins-service' && l.restarts === restarts && l.msg === 'twins-service ready again'), 90_000);
      expect(await readyz()).toBe(200);
      expect(await writeTwin(`restart-${restarts}`)).toBe(200);
    }

    const pids = SERVICES.map((s) => pidOf(s.name, s.name === 'twins-service' ? 2 : 0)!);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    // Stopping is no crash: nothing was restarted after the SIGTERM.
    expect(lines().filter((l) => l.msg.includes('exited'))).toHaveLength(2);
  }, 360_000);
});
