import { gzipSync } from 'node:zlib';
import { ApiError, DigitalTwinsApi, lines, type ImportJob } from '@odt/client';
import { until } from '../support/gateway';
import { importFile, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** `@odt/client`'s jobs calls (the Jobs API, issue 13) against the running system. */
describe('@odt/client: jobs', () => {
  const storage = jobsStorage();
  let system: TestSystem;
  let api: DigitalTwinsApi;
  const m = buildingModels(uniqueDtmiPrefix());
  const FLOOR = m.floor['@id'];
  const floors = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ $dtId: `cf${from + i}`, $metadata: { $model: FLOOR }, level: from + i }));
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
  async function finished<T extends { status: string }>(get: () => Promise<T>): Promise<T> {
    let job = await get();
    await until(async () => ['succeeded', 'failed', 'cancelled'].includes((job = await get()).status), 60_000);
    return job;
  }

  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'history'], overrides: { JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '100', JOBS_BATCH_SIZE: '5', JOBS_PIPELINE: '1' } });
    api = new DigitalTwinsApi({ endpoint: system.gatewayUrl });
    writeJobFile(storage.dir, 'long.ndjson', importFile({ twins: floors(1000, 2000) }));
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    storage.remove();
  });

  it('uploads an import file (text, gzipped bytes), names one by URI, and reads each job and its log', async () => {
    const created = await api.jobs.imports.upload('ci1', importFile({ models: m.all, twins: [...floors(0, 3), { $dtId: 'bad', $metadata: { $model: FLOOR }, level: 'x' }] }));
    expect(created).toMatchObject({ id: 'ci1', status: expect.stringMatching(/notstarted|running|succeeded/), inputBlobUri: expect.stringMatching(/^file:\/\/\/uploads\//) });
    expect(await finished(() => api.jobs.imports.get('ci1'))).toMatchObject({ status: 'succeeded', finishedDateTime: expect.any(String) });
    expect((await api.twins.get('cf2')).level).toBe(2);
    const log: Record<string, unknown>[] = [];
    for await (const line of api.jobs.imports.output('ci1')) log.push(line as Record<string, unknown>);
    expect(log.filter((l) => l.logType === 'Error')).toMatchObject([{ jobId: 'ci1', details: { section: 'Twins', exceptionType: 'ValidationFailed' } }]);
    expect(log.at(-1)).toMatchObject({ details: { status: 'Succeeded', models: 4, twins: 3, errors: 1 } });

    await api.jobs.imports.upload('ci2', gzipSync(importFile({ twins: floors(10, 2) })), { gzip: true });
    expect((await finished(() => api.jobs.imports.get('ci2'))).status).toBe('succeeded');
    writeJobFile(storage.dir, 'ci3.ndjson', importFile({ twins: floors(20, 1) }));
    const byUri = await api.jobs.imports.create('ci3', { inputBlobUri: 'file:///ci3.ndjson', outputBlobUri: 'file:///ci3.out.ndjson' });
    expect(byUri).toMatchObject({ id: 'ci3', inputBlobUri: 'file:///ci3.ndjson', outputBlobUri: 'file:///ci3.out.ndjson' });
    expect((await finished(() => api.jobs.imports.get('ci3'))).status).toBe('succeeded');
    expect((await api.twins.get('cf20')).level).toBe(20);

    const pages: ImportJob[][] = [];
    for await (const page of api.jobs.imports.list({ maxItemsPerPage: 2 }).byPage()) pages.push(page.value);
    expect(pages.map((p) => p.map((j) => j.id))).toEqual([['ci1', 'ci2'], ['ci3']]);
    expect(await failure(api.jobs.imports.create('ci4', { inputBlobUri: 'file:///../etc/passwd' }))).toMatchObject({ status: 400, code: 'ValidationFailed' });
  });

  it('cancels a running import, refuses a second bulk job meanwhile, and forgets a job', async () => {
    await api.jobs.imports.create('long', { inputBlobUri: 'file:///long.ndjson' });
    await until(async () => api.twins.get('cf1000').then(() => true, () => false));
    const second = await failure(api.jobs.deletions.create());
    expect(second).toBeInstanceOf(ApiError);
    expect(second).toMatchObject({ status: 400, code: 'JobLimitReached' });
    expect((await api.jobs.imports.cancel('long')).status).toMatch(/cancelling|cancelled/);
    expect((await finished(() => api.jobs.imports.get('long'))).status).toBe('cancelled');

    await api.jobs.imports.delete('long');
    expect(await failure(api.jobs.imports.get('long'))).toMatchObject({ status: 404, code: 'ImportJobNotFound' });
  }, 60_000);

  it('exports the graph or a query\'s twins, as parsed lines and as a byte stream', async () => {
    const all = await api.jobs.exports.create('ce1');
    expect(all).toMatchObject({ id: 'ce1' });
    expect((await finished(() => api.jobs.exports.get('ce1'))).status).toBe('succeeded');
    const items: Record<string, unknown>[] = [];
    for await (const line of api.jobs.exports.output('ce1')) items.push(line as Record<string, unknown>);
    expect(items[0]).toEqual({ Section: 'Header' });
    expect(items.filter((l) => l.$dtId).map((l) => l.$dtId)).toEqual(expect.arrayContaining(['cf0', 'cf10', 'cf20', 'cf1000']));
    const text: string[] = [];
    for await (const line of lines(await api.jobs.exports.download('ce1'))) if (line) text.push(line);
    expect(text.map((l) => JSON.parse(l) as unknown)).toEqual(items);

    await api.jobs.exports.create('ce2', { query: "SELECT T FROM DIGITALTWINS T WHERE T.level = 2" });
    expect(await finished(() => api.jobs.exports.get('ce2'))).toMatchObject({ status: 'succeeded', query: expect.stringContaining('level') });
    const some: Record<string, unknown>[] = [];
    for await (const line of api.jobs.exports.output('ce2')) some.push(line as Record<string, unknown>);
    expect(some.filter((l) => l.$dtId).map((l) => l.$dtId)).toEqual(['cf2']);
    const listed: string[] = [];
    for await (const job of api.jobs.exports.list()) listed.push(job.id);
    expect(listed).toEqual(['ce1', 'ce2']);
    expect(await failure(api.jobs.exports.get('nope'))).toMatchObject({ status: 404, code: 'ExportJobNotFound' });
  });

  it('runs a delete job under its operation id: everything goes, in one transaction', async () => {
    const job = await api.jobs.deletions.create({ operationId: 'cd1', timeoutInMinutes: 30 });
    expect(job.id).toBe('cd1');
    expect(await finished(() => api.jobs.deletions.get('cd1'))).toMatchObject({ id: 'cd1', status: 'succeeded' });
    expect(await failure(api.twins.get('cf0'))).toMatchObject({ status: 404 });
    expect(await failure(api.models.get(FLOOR))).toMatchObject({ status: 404 });
    const listed: string[] = [];
    for await (const d of api.jobs.deletions.list()) listed.push(d.id);
    expect(listed).toEqual(['cd1']);
    expect(await failure(api.jobs.deletions.get('nope'))).toMatchObject({ status: 404, code: 'DeleteJobNotFound' });
    expect(await failure(api.jobs.deletions.create({ timeoutInMinutes: 5 }))).toMatchObject({ status: 400 });
  });
});
