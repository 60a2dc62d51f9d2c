import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from '../../tools/services';
import { authEnv, mintToken } from '../support/auth';
import { startSystem, type TestSystem } from '../support/system';

/**
 * The official SDK, unmodified and with no custom transport, runs the README's walkthrough
 * (examples/sdk-quickstart) against a freshly started system over HTTPS, trusting the development
 * CA the way docs/sdk.md says: NODE_EXTRA_CA_CERTS. With and without authentication.
 */

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function quickstart(env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_EXTRA_CA_CERTS;
  if (env.NODE_EXTRA_CA_CERTS) childEnv.NODE_EXTRA_CA_CERTS = env.NODE_EXTRA_CA_CERTS;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'examples/sdk-quickstart/main.ts'], { cwd: ROOT, env: childEnv, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const WALKTHROUGH = [
  'uploaded dtmi:example:Room;1, dtmi:example:Thermostat;1',
  expect.stringMatching(/^created room1 W\/"[0-9a-f-]{36}"$/),
  'read room1: temperature 22.5, thermostat.setPoint 23',
  'relationship room1-room2: room1 adjacentTo room2 (doors 1)',
  'sent telemetry reading-1',
  'query: room1, room2',
];
const lines = (run: Run) => run.stdout.trim().split('\n');

describe('examples/sdk-quickstart without authentication', () => {
  let system: TestSystem;
  beforeAll(async () => { system = await startSystem({ https: true }); }, 60_000);
  afterAll(() => system?.stop());

  it('runs the walkthrough over HTTPS with the development CA trusted', async () => {
    expect(system.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const run = await quickstart({ ODT_URL: system.httpsUrl, NODE_EXTRA_CA_CERTS: system.caFile });
    expect(run.stderr).toBe('');
    expect(lines(run)).toEqual(WALKTHROUGH);
    // Again: the models are there already, everything else is replaced.
    const again = await quickstart({ ODT_URL: system.httpsUrl, NODE_EXTRA_CA_CERTS: system.caFile });
    expect(lines(again)).toEqual(['models already uploaded', ...WALKTHROUGH.slice(1)]);
  });

  it('fails without the CA trusted, and over plain http, as docs/sdk.md says', async () => {
    const untrusted = await quickstart({ ODT_URL: system.httpsUrl });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/);
    const plain = await quickstart({ ODT_URL: system.gatewayUrl, NODE_EXTRA_CA_CERTS: system.caFile });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/Bearer token authentication is not permitted for non-TLS protected/);
  });
});

describe('examples/sdk-quickstart with authentication', () => {
  let system: TestSystem;
  beforeAll(async () => { system = await startSystem({ https: true, overrides: authEnv() }); }, 60_000);
  afterAll(() => system?.stop());

  it("runs the walkthrough with a Data Owner's token, and a Data Reader's is refused", async () => {
    const owner = await quickstart({ ODT_URL: system.httpsUrl, NODE_EXTRA_CA_CERTS: system.caFile, ODT_TOKEN: await mintToken({ roles: ['DataOwner'] }) });
    expect(owner.stderr).toBe('');
    expect(lines(owner)).toEqual(WALKTHROUGH);
    const reader = await quickstart({ ODT_URL: system.httpsUrl, NODE_EXTRA_CA_CERTS: system.caFile, ODT_TOKEN: await mintToken({ roles: ['DataReader'] }) });
    expect(reader.code).toBe(1);
    expect(reader.stderr).toMatch(/^failed: 403 Forbidden/);
    const none = await quickstart({ ODT_URL: system.httpsUrl, NODE_EXTRA_CA_CERTS: system.caFile });
    expect(none.stderr).toMatch(/^failed: 401 Unauthorized/);
  });
});
