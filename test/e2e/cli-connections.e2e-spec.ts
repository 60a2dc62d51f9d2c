import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DigitalTwinsApi } from '@odt/client';
import { until } from '../support/gateway';
import { buildCli, CliHome } from '../support/cli';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** `dt connection …`, `dt batch` and `dt twin delete --cascade` (issue 15's APIs) through the bundled CLI. */
describe('dt connections, batches and cascading deletes', () => {
  let system: TestSystem;
  let home: CliHome;
  let api: DigitalTwinsApi;
  const m = buildingModels(uniqueDtmiPrefix());
  const ROOM = m.room['@id'];
  const room = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: ROOM }, thermostat: { $metadata: {} }, ...extra });
  const MAPPING = '{ "twinId": payload.id, "properties": { "Temperature": payload.t } }';
  let dt: (args: string[], options?: { input?: string }) => ReturnType<CliHome['run']>;
  const json = <T = Record<string, unknown>>(text: string) => JSON.parse(text) as T;
  const file = (name: string, content: unknown) => {
    const p = path.join(home.dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  const exists = async (id: string) => api.twins.get(id).then(() => true, () => false);

  beforeAll(async () => {
    buildCli();
    system = await startSystem({ without: ['router', 'history', 'query'], overrides: { CONNECTION_REFRESH_MS: '100' } });
    home = new CliHome();
    api = new DigitalTwinsApi({ endpoint: system.gatewayUrl });
    dt = (args, options = {}) => home.run(args, { ...options, env: { DT_ENDPOINT: system.gatewayUrl } });
    await api.models.create(m.all);
  }, 60_000);
  afterAll(async () => {
    home?.cleanup();
    await system?.stop();
  });

  it('creates a connection from a file and from flags, shows, lists and deletes it', async () => {
    const fromFile = await dt(['connection', 'create', '--name', 'feed-file', '--properties', file('conn.json', { source: { type: 'http' }, mapping: MAPPING })]);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    expect(json(fromFile.stdout)).toMatchObject({ name: 'feed-file', source: { type: 'http' }, mapping: MAPPING, enabled: true });

    file('mapping.jsonata', MAPPING);
    const fromFlags = await dt(['connection', 'create', '--name', 'feed-mqtt', '--source', '{"type":"mqtt","url":"mqtt://127.0.0.1:1883","topic":"odt-cli/+/temp","password":"s3cret"}', '--mapping', `@${path.join(home.dir, 'mapping.jsonata')}`]);
    expect(fromFlags.code).toBe(0);
    expect(json(fromFlags.stdout)).toMatchObject({ name: 'feed-mqtt', source: { type: 'mqtt', topic: 'odt-cli/+/temp' }, hasSecret: true });
    expect(fromFlags.stdout).not.toContain('s3cret');

    const shown = await dt(['connection', 'show', '--name', 'feed-file']);
    expect(json(shown.stdout)).toMatchObject({ name: 'feed-file', mapping: MAPPING });
    const table = await dt(['connection', 'list', '-o', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^Name\s+Source$/);
    expect(table.stdout).toMatch(/feed-file\s+http/);
    expect(table.stdout).toMatch(/feed-mqtt\s+mqtt/);
    const names = await dt(['connection', 'list', '-o', 'jsonl', '--query', 'name']);
    expect(names.stdout.trim().split('\n').sort()).toEqual(['"feed-file"', '"feed-mqtt"']);

    const deleted = await dt(['connection', 'delete', '--name', 'feed-mqtt']);
    expect(deleted).toMatchObject({ code: 0, stdout: '' });
    const gone = await dt(['connection', 'show', '--name', 'feed-mqtt']);
    expect(gone.code).toBe(5);
    expect(gone.stderr).toMatch(/ConnectionNotFound/);

    const invalid = await dt(['connection', 'create', '--name', 'broken', '--source', '{"type":"http"}', '--mapping', '{ "twinId": payload.id ']);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/MappingInvalid/);
    const neither = await dt(['connection', 'create', '--name', 'broken', '--source', '{"type":"http"}']);
    expect(neither.code).toBe(2);
  });

  it('tests a mapping on a sample message (saved, or another one), applying nothing', async () => {
    const sample = { topic: 'odt-cli/lab/temp', payload: { id: 'cli-lab', t: 21.5 } };
    const res = await dt(['connection', 'test', '--name', 'feed-file', '--message', file('sample.json', sample)]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(json(res.stdout)).toMatchObject({
      envelope: { topic: 'odt-cli/lab/temp', payload: sample.payload },
      operations: [{ kind: 'patch', twinId: 'cli-lab', patch: [{ op: 'add', path: '/Temperature', value: 21.5 }] }],
    });
    expect(await exists('cli-lab')).toBe(false);

    const other = await dt(['connection', 'test', '--name', 'feed-file', '--message', JSON.stringify(sample), '--mapping', '{ "twinId": "room-" & $split(topic, "/")[1], "properties": { "Temperature": payload.t } }']);
    expect(json<{ operations: unknown[] }>(other.stdout).operations).toMatchObject([{ twinId: 'room-lab' }]);

    const failing = await dt(['connection', 'test', '--name', 'feed-file', '--message', '{"payload":{"t":1}}']);
    expect(failing.code).toBe(3);
    expect(failing.stderr).toMatch(/MappingFailed/);
    const notASample = await dt(['connection', 'test', '--name', 'feed-file', '--message', '[1]']);
    expect(notASample.code).toBe(2);
    expect(notASample.stderr).toMatch(/--message must be a sample message/);
  });

  it('sends messages to an http connection, lists what failed with why, and replays it', async () => {
    await api.twins.upsert('cli-a', room());
    const sent = await dt(['connection', 'send', '--name', 'feed-file', '--message', file('msgs.json', [{ id: 'cli-a', t: 20 }, { id: 'cli-b', t: 21 }])]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(json(sent.stdout)).toEqual({ accepted: 2 });
    let letters: { stage: string; code: string; reason: string; message: { payload: unknown } }[] = [];
    await until(async () => {
      letters = json((await dt(['connection', 'deadletter', 'list', '--name', 'feed-file'])).stdout);
      return letters.length >= 1;
    });
    expect(letters).toMatchObject([{ stage: 'apply', code: 'DigitalTwinNotFound', message: { payload: { id: 'cli-b', t: 21 } } }]);
    expect(letters[0]!.reason).toMatch(/cli-b/);
    expect((await api.twins.get('cli-a')).Temperature).toBe(20);

    const stillMissing = await dt(['connection', 'deadletter', 'replay', '--name', 'feed-file']);
    expect(json(stillMissing.stdout)).toEqual({ replayed: 0, remaining: 1 });
    await api.twins.upsert('cli-b', room());
    const replay = await dt(['connection', 'deadletter', 'replay', '--name', 'feed-file']);
    expect(replay.code).toBe(0);
    expect(json(replay.stdout)).toEqual({ replayed: 1, remaining: 0 });
    expect((await api.twins.get('cli-b')).Temperature).toBe(21);
    expect(json((await dt(['connection', 'deadletter', 'list', '--name', 'feed-file'])).stdout)).toEqual([]);

    const unknown = await dt(['connection', 'send', '--name', 'nope', '--message', '{"id":"x"}']);
    expect(unknown.code).toBe(5);
  });

  it('applies a batch all or nothing: a failing operation leaves nothing applied, exits non-zero and says which', async () => {
    const ops = [
      { op: 'putTwin', twinId: 'cli-batch-1', twin: room({ Temperature: 1 }) },
      { op: 'putTwin', twinId: 'cli-batch-2', twin: room() },
      { op: 'putRelationship', twinId: 'cli-batch-1', relationshipId: 'r1', relationship: { $targetId: 'cli-batch-2', $relationshipName: 'contains' } },
    ];
    const ok = await dt(['batch', '--operations', file('ops.json', { operations: ops })]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const results = json<{ results: { op: string; twinId: string; etag?: string }[] }>(ok.stdout).results;
    expect(results.map((r) => [r.op, r.twinId])).toEqual([['putTwin', 'cli-batch-1'], ['putTwin', 'cli-batch-2'], ['putRelationship', 'cli-batch-1']]);
    expect(results[0]!.etag).toMatch(/^W\//);
    expect((await api.relationships.get('cli-batch-1', 'r1')).$targetId).toBe('cli-batch-2');

    // The third operation fails (a stale ETag): the first two are not applied either.
    const failing = [
      { op: 'patchTwin', twinId: 'cli-batch-1', patch: [{ op: 'replace', path: '/Temperature', value: 2 }] },
      { op: 'putTwin', twinId: 'cli-batch-3', twin: room() },
      { op: 'deleteTwin', twinId: 'cli-batch-2', ifMatch: 'W/"00000000-0000-0000-0000-000000000000"' },
    ];
    const refused = await dt(['batch', '--operations', JSON.stringify(failing)]);
    expect(refused.code).toBe(6);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: PreconditionFailed: Operation 2 \(deleteTwin cli-batch-2\) failed, nothing was applied/);
    expect((await api.twins.get('cli-batch-1')).Temperature).toBe(1);
    expect(await exists('cli-batch-3')).toBe(false);
    expect(await exists('cli-batch-2')).toBe(true);

    const invalid = await dt(['batch', '--operations', '[{"op":"putTwin","twinId":"cli-batch-4","twin":{"$metadata":{"$model":"dtmi:nope:X;1"}}}]']);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/Operation 0 \(putTwin cli-batch-4\) failed, nothing was applied/);
    const notOps = await dt(['batch', '--operations', '{"ops":[]}']);
    expect(notOps.code).toBe(2);
  });

  it('deletes a twin with its relationships only with --cascade', async () => {
    for (const id of ['cli-x', 'cli-y', 'cli-z']) await api.twins.upsert(id, room());
    await api.relationships.upsert('cli-x', 'out', { $targetId: 'cli-y', $relationshipName: 'contains' });
    await api.relationships.upsert('cli-z', 'in', { $targetId: 'cli-x', $relationshipName: 'contains' });
    await api.relationships.upsert('cli-y', 'other', { $targetId: 'cli-z', $relationshipName: 'contains' });

    const plain = await dt(['twin', 'delete', '-t', 'cli-x']);
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/RelationshipsNotDeleted/);
    expect(await exists('cli-x')).toBe(true);

    const cascade = await dt(['twin', 'delete', '-t', 'cli-x', '--cascade']);
    expect(cascade).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await exists('cli-x')).toBe(false);
    expect(await api.relationships.get('cli-z', 'in').catch((e: { code?: string }) => e.code)).toBe('RelationshipNotFound');
    expect((await api.relationships.get('cli-y', 'other')).$targetId).toBe('cli-z');
    const again = await dt(['twin', 'delete', '-t', 'cli-x', '--cascade']);
    expect(again.code).toBe(5);
  });
});
