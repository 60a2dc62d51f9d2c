import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DigitalTwinsApi } from '@odt/client';
import { buildCli, CliHome } from '../support/cli';
import { until } from '../support/gateway';
import { importFile, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** `dt job …` (the Jobs API, issue 13) through the bundled CLI, against the running system. */
describe('dt job', () => {
  const storage = jobsStorage();
  let system: TestSystem;
  let home: CliHome;
  let api: DigitalTwinsApi;
  const prefix = uniqueDtmiPrefix();
  const m = buildingModels(prefix);
  const ROOM = m.room['@id'];
  const FLOOR = m.floor['@id'];
  const LONG = 2000;
  let dt: (args: string[]) => ReturnType<CliHome['run']>;
  const json = <T = Record<string, unknown>>(text: string) => JSON.parse(text) as T;
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(home.dir, name);
    writeFileSync(p, content);
    return p;
  };
  const graph = importFile({
    models: m.all,
    twins: [
      { $dtId: 'floor1', $metadata: { $model: FLOOR }, level: 1 },
      { $dtId: 'room1', $metadata: { $model: ROOM }, Temperature: 21.5, thermostat: { $metadata: {}, setPoint: 20 } },
      { $dtId: 'room2', $metadata: { $model: ROOM }, Temperature: 'hot', thermostat: { $metadata: {} } },
    ],
    relationships: [{ $dtId: 'floor1', $relationshipId: 'r1', $targetId: 'room1', $relationshipName: 'feeds', weight: 0.5 }],
  });

  beforeAll(async () => {
    buildCli();
    // Small batches, one in flight: the long import can be met while it runs, to cancel it.
    system = await startSystem({ without: ['router', 'history'], overrides: { JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '100', JOBS_BATCH_SIZE: '5', JOBS_PIPELINE: '1' } });
    home = new CliHome();
    api = new DigitalTwinsApi({ endpoint: system.gatewayUrl });
    dt = (args) => home.run(args, { env: { DT_ENDPOINT: system.gatewayUrl } });
    writeJobFile(storage.dir, 'long.ndjson', importFile({ twins: Array.from({ length: LONG }, (_, i) => ({ $dtId: `long${i}`, $metadata: { $model: FLOOR }, level: i })) }));
  }, 60_000);
  afterAll(async () => {
    home?.cleanup();
    await system?.stop();
    storage.remove();
  });

  it('imports a local file (--file --watch): the job ends succeeded, bad lines are in its log with their numbers', async () => {
    const res = await dt(['job', 'import', 'create', '--file', file('graph.ndjson', graph), '-j', 'imp1', '--watch']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(json(res.stdout)).toMatchObject({ id: 'imp1', status: 'succeeded', finishedDateTime: expect.any(String) });
    expect((await api.twins.get('room1')).Temperature).toBe(21.5);
    expect((await api.relationships.get('floor1', 'r1')).weight).toBe(0.5);

    const log = await dt(['job', 'import', 'output', '-j', 'imp1', '-o', 'jsonl']);
    const lines = log.stdout.trim().split('\n').map((l) => json<{ logType: string; details: Record<string, unknown> }>(l));
    expect(lines.filter((l) => l.logType === 'Error').map((l) => l.details)).toEqual([expect.objectContaining({ section: 'Twins', line: 11, exceptionType: 'ValidationFailed' })]);
    expect(lines.at(-1)!.details).toMatchObject({ status: 'Succeeded', models: 4, twins: 2, relationships: 1, errors: 1 });

    // Gzipped, and a file the server reads itself.
    const gz = await dt(['job', 'import', 'create', '--file', file('more.ndjson.gz', gzipSync(importFile({ twins: [{ $dtId: 'floor2', $metadata: { $model: FLOOR }, level: 2 }] }))), '-j', 'imp2', '--watch']);
    expect(json(gz.stdout)).toMatchObject({ id: 'imp2', status: 'succeeded' });
    writeJobFile(storage.dir, 'third.ndjson', importFile({ twins: [{ $dtId: 'floor3', $metadata: { $model: FLOOR }, level: 3 }] }));
    const byUri = await dt(['job', 'import', 'create', '--data-file', 'file:///third.ndjson', '-j', 'imp3', '--watch']);
    expect(json(byUri.stdout)).toMatchObject({ id: 'imp3', status: 'succeeded', inputBlobUri: 'file:///third.ndjson' });
    expect((await api.twins.get('floor3')).level).toBe(3);
  });

  it('exits 8 with the failed job when a watched import fails, and refuses a bad file argument', async () => {
    const res = await dt(['job', 'import', 'create', '--file', file('bad.ndjson', '{"Section": "Twins"}\n'), '-j', 'bad1', '--watch']);
    expect(res.code).toBe(8);
    expect(res.stderr).toMatch(/The job ended failed/);
    expect(json(res.stdout)).toMatchObject({ id: 'bad1', status: 'failed', error: { message: expect.stringMatching(/Header/) } });
    // The failed job is printed in the output format asked for.
    const table = await dt(['job', 'import', 'create', '--file', path.join(home.dir, 'bad.ndjson'), '-j', 'bad2', '--watch', '-o', 'table']);
    expect(table.code).toBe(8);
    expect(table.stdout).toMatch(/^Id\s+Status\s+Created\s+Finished\n-[- ]+\nbad2\s+failed\s/);
    expect((await dt(['job', 'import', 'delete', '-j', 'bad2', '--yes'])).code).toBe(0);
    expect((await dt(['job', 'import', 'create', '--file', path.join(home.dir, 'none.ndjson')])).code).toBe(2);
    expect((await dt(['job', 'import', 'create', '--file', 'a', '--data-file', 'b'])).code).toBe(2);
  });

  it('shows and lists import jobs, and deletes one only with --yes', async () => {
    const shown = await dt(['job', 'import', 'show', '-j', 'imp1']);
    expect(json(shown.stdout)).toMatchObject({ id: 'imp1', status: 'succeeded', inputBlobUri: expect.stringMatching(/^file:\/\/\/uploads\//) });
    const table = await dt(['job', 'import', 'list', '-o', 'table']);
    expect(table.stdout.split('\n')[0]).toMatch(/^Id\s+Status\s+Created\s+Finished$/);
    expect(table.stdout).toMatch(/imp1\s+succeeded/);
    expect(table.stdout).toMatch(/bad1\s+failed/);
    const ids = await dt(['job', 'import', 'list', '-o', 'jsonl', '--query', 'id']);
    expect(ids.stdout.trim().split('\n')).toEqual(['"imp1"', '"imp2"', '"imp3"', '"bad1"']);

    const unconfirmed = await dt(['job', 'import', 'delete', '-j', 'bad1']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    expect((await dt(['job', 'import', 'delete', '-j', 'bad1', '--yes'])).code).toBe(0);
    const gone = await dt(['job', 'import', 'show', '-j', 'bad1']);
    expect(gone.code).toBe(5);
    expect(gone.stderr).toMatch(/ImportJobNotFound/);
  });

  it('cancels a running import between batches, keeping what it wrote', async () => {
    const started = await dt(['job', 'import', 'create', '--data-file', 'file:///long.ndjson', '-j', 'long']);
    expect(json(started.stdout)).toMatchObject({ id: 'long', status: expect.stringMatching(/notstarted|running/) });
    await until(async () => api.twins.get('long0').then(() => true, () => false));
    expect((await dt(['job', 'import', 'cancel', '-j', 'long'])).code).toBe(2);
    const cancelled = await dt(['job', 'import', 'cancel', '-j', 'long', '--yes']);
    expect(cancelled.code).toBe(0);
    expect(json(cancelled.stdout)).toMatchObject({ id: 'long', status: expect.stringMatching(/cancelling|cancelled/) });
    let status = '';
    await until(async () => (status = json<{ status: string }>((await dt(['job', 'import', 'show', '-j', 'long'])).stdout).status) === 'cancelled', 30_000);
    expect(status).toBe('cancelled');
    const log = (await dt(['job', 'import', 'output', '-j', 'long', '-o', 'jsonl'])).stdout.trim().split('\n');
    const twins = json<{ details: { status: string; twins: number } }>(log.at(-1)!).details;
    expect(twins.status).toBe('Cancelled');
    expect(twins.twins).toBeGreaterThan(0);
    expect(twins.twins).toBeLessThan(LONG);
  }, 60_000);

  it('exports the graph (or what a query selects) to a file, and the export imports back after a deletion job', async () => {
    const out = path.join(home.dir, 'export.ndjson');
    const res = await dt(['job', 'export', 'create', '-j', 'exp1', '--of', out]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`Wrote ${out}.`);
    expect(json(res.stdout)).toMatchObject({ id: 'exp1', status: 'succeeded' });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => json(l));
    expect(lines[0]).toEqual({ Section: 'Header' });
    expect(lines.filter((l) => typeof l.$dtId === 'string' && !l.$relationshipId).map((l) => l.$dtId)).toEqual(expect.arrayContaining(['floor1', 'room1', 'floor2', 'floor3', 'long0']));
    expect(lines).toContainEqual(expect.objectContaining({ $dtId: 'floor1', $relationshipId: 'r1', $targetId: 'room1', weight: 0.5 }));
    const streamed = await dt(['job', 'export', 'output', '-j', 'exp1', '-o', 'jsonl']);
    expect(streamed.stdout.trim().split('\n').map((l) => json(l))).toEqual(lines);

    const some = await dt(['job', 'export', 'create', '-j', 'exp2', '-q', "SELECT T FROM DIGITALTWINS T WHERE T.$dtId IN ['floor1', 'room1']", '--watch']);
    expect(json(some.stdout)).toMatchObject({ id: 'exp2', status: 'succeeded', query: expect.stringContaining('floor1') });
    const selected = (await dt(['job', 'export', 'output', '-j', 'exp2', '-o', 'jsonl'])).stdout.trim().split('\n').map((l) => json(l));
    expect(selected.filter((l) => l.$dtId && !l.$relationshipId).map((l) => l.$dtId).sort()).toEqual(['floor1', 'room1']);
    expect(selected.filter((l) => l.$relationshipId).map((l) => l.$relationshipId)).toEqual(['r1']);
    expect(json((await dt(['job', 'export', 'show', '-j', 'exp2'])).stdout)).toMatchObject({ status: 'succeeded' });
    expect((await dt(['job', 'export', 'list', '-o', 'jsonl', '--query', 'id'])).stdout.trim().split('\n')).toEqual(['"exp1"', '"exp2"']);
    const pending = await dt(['job', 'export', 'create', '-j', 'exp3']);
    expect(json(pending.stdout)).toMatchObject({ id: 'exp3', status: expect.stringMatching(/notstarted|running|succeeded/) });

    // Delete everything, then import the export: the same graph again.
    expect((await dt(['job', 'deletion', 'create', '--watch'])).code).toBe(2);
    const deletion = await dt(['job', 'deletion', 'create', '--yes', '--watch', '-j', 'del1', '-t', '60']);
    expect(deletion.code).toBe(0);
    expect(json(deletion.stdout)).toMatchObject({ id: 'del1', status: 'succeeded' });
    expect(await api.twins.get('room1').catch((e: { code?: string }) => e.code)).toBe('DigitalTwinNotFound');
    expect(json((await dt(['job', 'deletion', 'show', '-j', 'del1'])).stdout)).toMatchObject({ id: 'del1', status: 'succeeded' });
    expect((await dt(['job', 'deletion', 'list', '-o', 'table'])).stdout).toMatch(/del1\s+succeeded/);
    expect((await dt(['job', 'deletion', 'show', '-j', 'nope'])).code).toBe(5);

    const back = await dt(['job', 'import', 'create', '--file', out, '-j', 'back', '--watch']);
    expect(json(back.stdout)).toMatchObject({ status: 'succeeded' });
    expect((await api.twins.get('room1')).thermostat).toMatchObject({ setPoint: 20 });
    expect((await api.relationships.get('floor1', 'r1')).weight).toBe(0.5);
  }, 90_000);
});
