import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DigitalTwinsApi } from '@odt/client';
import { ontologyDir } from '../fixtures';
import { authEnv, mintToken } from '../support/auth';
import { buildCli, CliHome } from '../support/cli';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

const TH = '{"thermostat": {"$metadata": {}}}';

/** `dt` end to end: the bundled CLI in a child process, against the running system. */
describe('dt, the command line', () => {
  let system: TestSystem;
  let home: CliHome;
  let m: ReturnType<typeof buildingModels>;
  let prefix: string;
  let dt: (args: string[], options?: { env?: Record<string, string>; input?: string }) => ReturnType<CliHome['run']>;
  const json = (text: string) => JSON.parse(text) as Record<string, unknown> & unknown[];
  const file = (name: string, content: unknown) => {
    const p = path.join(home.dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };

  beforeAll(async () => {
    buildCli();
    system = await startSystem();
    home = new CliHome();
    prefix = uniqueDtmiPrefix();
    m = buildingModels(prefix);
    dt = (args, options = {}) => home.run(args, { ...options, env: { DT_ENDPOINT: system.gatewayUrl, ...options.env } });
  });
  afterAll(async () => {
    home?.cleanup();
    await system?.stop();
  });

  it('prints its version and help, and refuses a bad flag with a usage error (exit 2)', async () => {
    const version = await dt(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await dt(['twin', 'query', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--query-file');
    const bad = await dt(['twin', 'show', '--twin-idd', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--twin-idd'/);
    const missing = await dt(['twin', 'show']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('Missing required option: --twin-id') });
  });

  it('uploads RealEstateCore (768 models) from a directory in one command', async () => {
    const res = await dt(['model', 'create', '--from-directory', ontologyDir('realestatecore-v3'), '-o', 'jsonl', '--query', 'id']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const ids = res.stdout.trim().split('\n');
    expect(ids).toHaveLength(768);
    expect(ids).toContain('"dtmi:digitaltwins:rec_3_3:core:Space;1"');
  });

  it('uploads models from a file, lists and shows them in each output format', async () => {
    const create = await dt(['model', 'create', '--models', file('models.json', m.all)]);
    expect(create.code).toBe(0);
    expect((json(create.stdout) as unknown as { id: string }[]).map((d) => d.id).sort()).toEqual(m.all.map((d) => d['@id']).sort());

    const shown = await dt(['model', 'show', '--dtmi', m.room['@id'], '--definition']);
    expect(json(shown.stdout)).toMatchObject({ id: m.room['@id'], model: { '@id': m.room['@id'] } });
    const yaml = await dt(['model', 'show', '-m', m.room['@id'], '-o', 'yaml']);
    expect(parseYaml(yaml.stdout)).toMatchObject({ id: m.room['@id'], decommissioned: false });
    const table = await dt(['model', 'list', '-o', 'table', '--query', `[?starts_with(id, '${prefix}')]`]);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+/);
    const projected = await dt(['model', 'list', '-o', 'table']);
    expect(projected.stdout.split('\n')[0]).toMatch(/^ModelId\s+UploadTime\s+Decommissioned$/);
    expect(projected.stdout).toContain(m.floor['@id']);
    const jsonl = await dt(['model', 'list', '-o', 'jsonl']);
    expect(jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string }).map((d) => d.id)).toEqual(expect.arrayContaining(m.all.map((d) => d['@id'])));
    const none = await dt(['model', 'list', '-o', 'none']);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    const badFormat = await dt(['model', 'list', '-o', 'xml']);
    expect(badFormat).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown output format xml') });
  });

  it('creates, shows, updates (re-reading the twin) and deletes a twin, with ETags and clear errors', async () => {
    const created = await dt(['twin', 'create', '--dtmi', m.room['@id'], '--twin-id', 'lobby', '--properties', '{"Temperature": 20, "thermostat": {"$metadata": {}}}']);
    expect(created.code).toBe(0);
    const twin = json(created.stdout);
    expect(twin).toMatchObject({ $dtId: 'lobby', Temperature: 20, $metadata: { $model: m.room['@id'] } });

    const patch = file('patch.json', [{ op: 'replace', path: '/Temperature', value: 23 }]);
    const updated = await dt(['twin', 'update', '-t', 'lobby', '--json-patch', patch, '--etag', twin.$etag as string]);
    expect(json(updated.stdout)).toMatchObject({ $dtId: 'lobby', Temperature: 23 });
    const stale = await dt(['twin', 'update', '-t', 'lobby', '--json-patch', patch, '--etag', twin.$etag as string]);
    expect(stale).toMatchObject({ code: 6, stderr: expect.stringContaining('PreconditionFailed') });

    const invalid = await dt(['twin', 'create', '-m', m.room['@id'], '-t', 'bad', '-p', '{"Temperature": "hot"}']);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/^error: ValidationFailed: /);
    const notJson = await dt(['twin', 'create', '-m', m.room['@id'], '-t', 'bad', '-p', 'no-such-file.json']);
    expect(notJson).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file no-such-file.json') });

    const shown = await dt(['twin', 'show', '-t', 'lobby', '--query', 'Temperature']);
    expect(shown.stdout.trim()).toBe('23');
    await expect(dt(['twin', 'delete', '-t', 'lobby'])).resolves.toMatchObject({ code: 0, stdout: '' });
    const gone = await dt(['twin', 'show', '-t', 'lobby']);
    expect(gone).toMatchObject({ code: 5, stderr: expect.stringContaining('DigitalTwinNotFound') });
  });

  it('runs queries from -q, a file and stdin ($ unquoted), with the cost, and reports a query error', async () => {
    for (let i = 0; i < 5; i++) await dt(['twin', 'create', '-m', m.room['@id'], '-t', `q${i}`, '-p', JSON.stringify({ capacity: i, thermostat: { $metadata: {} } })]);
    const q = "SELECT T.$dtId, T.capacity FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'q') AND T.capacity >= 2";
    const inline = await dt(['twin', 'query', '-q', q, '--show-cost']);
    expect((json(inline.stdout) as unknown as { $dtId: string }[]).map((r) => r.$dtId).sort()).toEqual(['q2', 'q3', 'q4']);
    expect(inline.stderr).toMatch(/^Query charge: \d+(\.\d+)?\n$/);
    const fromFile = await dt(['twin', 'query', '--query-file', file('q.sql', q), '-o', 'jsonl']);
    expect(fromFile.stdout.trim().split('\n')).toHaveLength(3);
    const fromStdin = await dt(['twin', 'query', '-o', 'table'], { input: q });
    expect(fromStdin.stdout.split('\n')[0]).toMatch(/^\$dtId\s+capacity$/);
    const capped = await dt(['twin', 'query', '-q', q, '--max-items', '1', '-o', 'jsonl']);
    expect(capped.stdout.trim().split('\n')).toHaveLength(1);
    const broken = await dt(['twin', 'query', '-q', 'SELECT FROM nothing']);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/^error: SqlQueryError: /);
    expect(broken.stdout).toBe('');
  });

  it('shows and updates components, sends telemetry, and reads the past (--as-of, history)', async () => {
    await dt(['twin', 'create', '-m', m.room['@id'], '-t', 'c1', '-p', '{"Temperature": 18, "thermostat": {"$metadata": {}}}']);
    const updated = await dt(['twin', 'component', 'update', '-t', 'c1', '--component', 'thermostat', '--json-patch', '{"op":"add","path":"/setPoint","value":19}']);
    expect(json(updated.stdout)).toMatchObject({ setPoint: 19 });
    const shown = await dt(['twin', 'component', 'show', '-t', 'c1', '--component', 'thermostat']);
    expect(json(shown.stdout)).toMatchObject({ setPoint: 19 });
    const sent = await dt(['twin', 'telemetry', 'send', '-t', 'c1', '--component', 'thermostat', '--telemetry', '{"reading": 18.5}', '--tst', new Date().toISOString()]);
    expect(sent).toMatchObject({ code: 0, stdout: '' });
    await dt(['twin', 'update', '-t', 'c1', '--patch', '{"op":"replace","path":"/Temperature","value":30}']);
    let history: { value: unknown; time: string }[] = [];
    for (let i = 0; i < 50 && history.length < 2; i++) {
      const res = await dt(['twin', 'history', '-t', 'c1', '--property', 'Temperature']);
      history = res.code === 0 ? (json(res.stdout) as unknown as typeof history) : [];
      if (history.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(history.map((h) => h.value).sort()).toEqual([18, 30]);
    const then = history.find((h) => h.value === 18)!.time;
    const past = await dt(['twin', 'show', '-t', 'c1', '--as-of', then]);
    expect(json(past.stdout)).toMatchObject({ $dtId: 'c1', Temperature: 18 });
  });

  it('creates, lists (both ways), updates and deletes relationships', async () => {
    await dt(['twin', 'create', '-m', m.room['@id'], '-t', 'r-a', '-p', TH]);
    await dt(['twin', 'create', '-m', m.room['@id'], '-t', 'r-b', '-p', TH]);
    const created = await dt(['twin', 'relationship', 'create', '-t', 'r-a', '--target', 'r-b', '-r', 'ab', '--relationship', 'feeds', '-p', '{"weight": 1}']);
    expect(json(created.stdout)).toMatchObject({ $relationshipId: 'ab', $sourceId: 'r-a', $targetId: 'r-b', weight: 1 });
    const out = await dt(['twin', 'relationship', 'list', '-t', 'r-a', '-o', 'table']);
    expect(out.stdout).toMatch(/^RelationshipId\s+Source\s+Name\s+Target\n-+.*\nab\s+r-a\s+feeds\s+r-b\n$/);
    const incoming = await dt(['twin', 'relationship', 'list', '-t', 'r-b', '--incoming', '--kind', 'feeds']);
    expect(json(incoming.stdout)).toEqual([expect.objectContaining({ $relationshipId: 'ab', $sourceId: 'r-a' })]);
    const updated = await dt(['twin', 'relationship', 'update', '-t', 'r-a', '-r', 'ab', '--json-patch', '[{"op":"replace","path":"/weight","value":2}]']);
    expect(json(updated.stdout)).toMatchObject({ weight: 2 });
    expect(json((await dt(['twin', 'relationship', 'show', '-t', 'r-a', '-r', 'ab'])).stdout)).toMatchObject({ weight: 2 });
    const blocked = await dt(['twin', 'delete', '-t', 'r-a']);
    expect(blocked).toMatchObject({ code: 3, stderr: expect.stringContaining('RelationshipsNotDeleted') });
    await expect(dt(['twin', 'relationship', 'delete', '-t', 'r-a', '-r', 'ab'])).resolves.toMatchObject({ code: 0 });
    await expect(dt(['twin', 'relationship', 'show', '-t', 'r-a', '-r', 'ab'])).resolves.toMatchObject({ code: 5 });
  });

  it('manages endpoints and event routes', async () => {
    const ep = await dt(['endpoint', 'create', '--en', 'hook', '--type', 'webhook', '--url', 'http://127.0.0.1:9/hook', '--dead-letter']);
    expect(ep.code).toBe(0);
    expect(json(ep.stdout)).toMatchObject({ name: 'hook', endpointType: 'webhook', url: 'http://127.0.0.1:9/hook' });
    const route = await dt(['route', 'create', '--rn', 'r1', '--en', 'hook', '--filter', "type = 'Microsoft.DigitalTwins.Twin.Create'"]);
    expect(json(route.stdout)).toMatchObject({ id: 'r1', endpointName: 'hook' });
    const routes = await dt(['route', 'list', '-o', 'table']);
    expect(routes.stdout).toMatch(/^RouteName\s+EndpointName\s+Filter\n-+.*\nr1\s+hook\s+type = 'Microsoft.DigitalTwins.Twin.Create'\n$/);
    expect(json((await dt(['endpoint', 'list'])).stdout)).toEqual([expect.objectContaining({ name: 'hook' })]);
    expect(json((await dt(['endpoint', 'deadletter', 'list', '--en', 'hook'])).stdout)).toEqual([]);
    const inUse = await dt(['endpoint', 'delete', '--en', 'hook']);
    expect(inUse.code).toBe(6);
    await expect(dt(['route', 'delete', '--rn', 'r1'])).resolves.toMatchObject({ code: 0 });
    await expect(dt(['endpoint', 'delete', '--en', 'hook'])).resolves.toMatchObject({ code: 0 });
    await expect(dt(['route', 'show', '--rn', 'r1'])).resolves.toMatchObject({ code: 5 });
  });

  it('asks for --yes before deleting everything when not on a terminal, then deletes twins, relationships and models', async () => {
    const refused = await dt(['twin', 'delete-all']);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('pass --yes') });
    await dt(['twin', 'relationship', 'create', '-t', 'q0', '--target', 'q1', '-r', 'x', '--kind', 'contains']);
    await expect(dt(['twin', 'delete-all', '--yes'])).resolves.toMatchObject({ code: 0 });
    const left = await dt(['twin', 'query', '-q', 'SELECT COUNT() FROM DIGITALTWINS']);
    expect(json(left.stdout)).toEqual([{ COUNT: 0 }]);
    await expect(dt(['model', 'update', '-m', m.space['@id'], '--decommission'])).resolves.toMatchObject({ code: 0 });
    await expect(dt(['model', 'delete', '-m', m.space['@id']])).resolves.toMatchObject({ code: 6 });
    const all = await dt(['model', 'delete-all', '--yes']);
    expect(all).toMatchObject({ code: 0 });
    expect(json((await dt(['model', 'list'])).stdout)).toEqual([]);
  });

  it('keeps profiles in the config file, owner-readable, with the environment overriding them', async () => {
    const login = await home.run(['login', '--endpoint', system.gatewayUrl, '--default-output', 'jsonl']);
    expect(login.code).toBe(0);
    const config = path.join(home.dir, '.config', 'dt', 'config.yaml');
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(parseYaml(readFileSync(config, 'utf8'))).toEqual({ current: 'default', profiles: { default: { endpoint: system.gatewayUrl, auth: { type: 'none' }, output: 'jsonl' } } });
    await expect(home.run(['model', 'create', '--models', file('models.json', m.all)])).resolves.toMatchObject({ code: 0 });
    await home.run(['twin', 'create', '-m', m.room['@id'], '-t', 'p1', '-p', TH]).then((r) => expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\{"\$dtId":"p1",.*\}\n$/) }));
    const viaProfile = await home.run(['model', 'list', '-o', 'json']);
    expect(viaProfile.code).toBe(0);
    await home.run(['login', '--profile', 'other', '--endpoint', 'http://127.0.0.1:1']);
    const unreachable = await home.run(['model', 'list']);
    expect(unreachable).toMatchObject({ code: 7, stderr: expect.stringContaining('Could not reach http://127.0.0.1:1') });
    const overridden = await home.run(['model', 'list', '--profile', 'default']);
    expect(overridden.code).toBe(0);
    const profiles = await home.run(['profile', 'list', '-o', 'table']);
    expect(profiles.stdout).toMatch(/other\s+\*\s+http:\/\/127.0.0.1:1/);
    await home.run(['profile', 'use', 'default']);
    await expect(home.run(['model', 'list'])).resolves.toMatchObject({ code: 0 });
    const unknown = await home.run(['model', 'list', '--profile', 'nope']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('No profile nope') });
  });

  it('prints completion scripts for bash, zsh and fish', async () => {
    const bash = await dt(['completion', 'bash']);
    expect(bash.stdout).toContain('complete -o default -F _dt_completion dt');
    expect(bash.stdout).toContain('"twin relationship") echo "create show list update delete delete-all');
    execFileSync('bash', ['-n'], { input: bash.stdout });
    const words = execFileSync('bash', ['-c', `${bash.stdout}\nCOMP_WORDS=(dt twin rel); COMP_CWORD=2; _dt_completion; echo "\${COMPREPLY[@]}"`]).toString().trim();
    expect(words).toBe('relationship');
    expect((await dt(['completion', 'zsh'])).stdout).toMatch(/^#compdef dt\n/);
    expect((await dt(['completion', 'fish'])).stdout).toContain("complete -c dt -f -n 'test \"(__dt_path)\" = \"twin\"' -a '");
    await expect(dt(['completion', 'tcsh'])).resolves.toMatchObject({ code: 2 });
  });
});

describe('dt against a gateway with authentication', () => {
  let system: TestSystem;
  let home: CliHome;

  beforeAll(async () => {
    buildCli();
    system = await startSystem({ without: ['router', 'history', 'relationships'], overrides: authEnv() });
    home = new CliHome();
  });
  afterAll(async () => {
    home?.cleanup();
    await system?.stop();
  });

  it('gets its token from a token command, and tells a refused write (exit 4) from other errors', async () => {
    const owner = await mintToken({ roles: ['DataOwner'] });
    const reader = await mintToken({ roles: ['DataReader'] });
    const m = buildingModels(uniqueDtmiPrefix());
    await new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: { getToken: async () => owner } }).models.create(m.all);

    const anonymous = await home.run(['model', 'list'], { env: { DT_ENDPOINT: system.gatewayUrl } });
    expect(anonymous).toMatchObject({ code: 4, stderr: expect.stringContaining('Unauthorized') });
    await home.run(['login', '--endpoint', system.gatewayUrl, '--token-command', `echo ${reader}`]);
    const listed = await home.run(['model', 'list', '--query', 'length(@)']);
    expect(listed).toMatchObject({ code: 0, stdout: '4\n' });
    const refused = await home.run(['twin', 'create', '-m', m.room['@id'], '-t', 'x', '-p', TH]);
    expect(refused).toMatchObject({ code: 4, stderr: expect.stringContaining('Forbidden') });
    const asOwner = await home.run(['twin', 'create', '-m', m.room['@id'], '-t', 'x', '-p', TH], { env: { DT_TOKEN: owner } });
    expect(asOwner.code).toBe(0);
  });
});
