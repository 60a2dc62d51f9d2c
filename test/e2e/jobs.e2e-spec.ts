import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callGateway } from '../support/gateway';
import { finishedJob, importFile, jobLog, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

const storage = jobsStorage();
let system: TestSystem;
const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => callGateway(system.gatewayUrl, method, route, body, headers);

beforeAll(async () => {
  system = await startSystem({ without: ['router', 'history'], overrides: { JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '100' } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  storage.remove();
});

describe('import jobs', () => {
  const prefix = uniqueDtmiPrefix();
  const m = buildingModels(prefix);
  const ROOM = `${prefix}:Room;1`;
  const FLOOR = `${prefix}:Floor;1`;

  it('imports models, twins and relationships from a file:/// URI, logging each bad line with its number', async () => {
    expect((await api('PUT', '/digitaltwins/already', { $metadata: { $model: 'dtmi:none:X;1' } })).status).toBe(400);
    const text = importFile({
      models: m.all,
      twins: [
        { $dtId: 'floor1', $metadata: { $model: FLOOR }, level: 1 },
        { $dtId: 'room1', $metadata: { $model: ROOM, Temperature: { sourceTime: '2024-01-01T00:00:00Z' } }, Temperature: 21.5, thermostat: { $metadata: {}, setPoint: 20 } },
        { $dtId: 'room2', $metadata: { $model: ROOM }, Temperature: 'hot', thermostat: { $metadata: {} } },
        { $dtId: 'room1', $metadata: { $model: ROOM }, thermostat: { $metadata: {} } },
        { $metadata: { $model: ROOM } },
      ],
      relationships: [
        { $dtId: 'floor1', $relationshipId: 'r1', $targetId: 'room1', $relationshipName: 'contains' },
        { $dtId: 'floor1', $relationshipId: 'f1', $targetId: 'room1', $relationshipName: 'feeds', weight: 0.5 },
        { $dtId: 'floor1', $relationshipId: 'r2', $targetId: 'nobody', $relationshipName: 'contains' },
        { $dtId: 'floor1', $relationshipId: 'r3', $targetId: 'room1', $relationshipName: 'unknownName' },
      ],
    });
    const input = writeJobFile(storage.dir, 'building.ndjson', text);
    const created = await api('PUT', '/jobs/imports/job1', { inputBlobUri: input, outputBlobUri: 'file:///building.log.ndjson' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'job1', inputBlobUri: input, status: expect.stringMatching(/notstarted|running/) });
    expect(created.body.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
    const job = await finishedJob(system.gatewayUrl, '/jobs/imports/job1');
    expect(job.status).toBe('succeeded');
    expect(job.finishedDateTime).toBeDefined();

    expect((await api('GET', '/digitaltwins/room1')).body).toMatchObject({ Temperature: 21.5, thermostat: { setPoint: 20 }, $metadata: { Temperature: { sourceTime: '2024-01-01T00:00:00Z' } } });
    expect((await api('GET', '/digitaltwins/floor1/relationships/f1')).body).toMatchObject({ $targetId: 'room1', weight: 0.5 });
    expect((await api('GET', '/digitaltwins/room2')).status).toBe(404);

    const log = await jobLog(system.gatewayUrl, 'job1');
    expect(log.every((l) => l.jobId === 'job1' && l.jobType === 'Import' && typeof l.timestamp === 'string')).toBe(true);
    const errors = log.filter((l) => l.logType === 'Error').map((l) => l.details as Record<string, unknown>);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(errors.map((e) => [e.section, e.line, e.exceptionType])).toEqual([
      ['Twins', lineOf('"room2"'), 'ValidationFailed'],
      ['Twins', lineOf('"room1","$metadata":{"$model":"' + ROOM + '"},"thermostat"'), 'PreconditionFailed'],
      ['Twins', lineOf('{"$metadata":{"$model":"' + ROOM + '"}}'), 'InvalidArgument'],
      ['Relationships', lineOf('"r2"'), 'TargetDigitalTwinNotFound'],
      ['Relationships', lineOf('"r3"'), 'InvalidRelationship'],
    ]);
    expect(errors[0].message).toMatch(/Temperature/);
    const statuses = log.filter((l) => l.logType === 'Info').map((l) => l.details as Record<string, unknown>).map((d) => `${d.section ?? ''}:${d.status}`);
    expect(statuses).toEqual([':Started', 'Models:Started', 'Models:Succeeded', 'Twins:Started', 'Twins:Succeeded', 'Relationships:Started', 'Relationships:Succeeded', ':Succeeded']);
    // The file:/// output got the same log.
    const written = readFileSync(path.join(storage.dir, 'building.log.ndjson'), 'utf8').trim().split('\n');
    expect(written.length).toBe(log.length);

    const list = await api('GET', '/jobs/imports');
    expect(list.body.value.map((j: { id: string }) => j.id)).toContain('job1');
    expect((await api('PUT', '/jobs/imports/job1', { inputBlobUri: input, outputBlobUri: 'file:///x.ndjson' })).code).toBe('ValidationFailed');
  }, 60_000);

  it('takes the file itself as the body (gzip too), and reports an existing twin as an error, not an overwrite', async () => {
    const text = importFile({ twins: [
      { $dtId: 'room1', $metadata: { $model: ROOM }, Temperature: 99, thermostat: { $metadata: {} } },
      { $dtId: 'room3', $metadata: { $model: ROOM }, thermostat: { $metadata: {} } },
    ] });
    const res = await fetch(`${system.gatewayUrl}/jobs/imports/upload1?api-version=2023-10-31`, {
      method: 'PUT', headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, body: gzipSync(text),
    });
    expect(res.status).toBe(201);
    expect((await finishedJob(system.gatewayUrl, '/jobs/imports/upload1')).status).toBe('succeeded');
    expect((await api('GET', '/digitaltwins/room1')).body.Temperature).toBe(21.5);
    expect((await api('GET', '/digitaltwins/room3')).status).toBe(200);
    const errors = (await jobLog(system.gatewayUrl, 'upload1')).filter((l) => l.logType === 'Error');
    expect(errors.map((e) => (e.details as { line: number }).line)).toEqual([4]);
  }, 60_000);

  it('fails a malformed file with an error naming the line', async () => {
    const cases: [string, string, RegExp][] = [
      ['noheader', JSON.stringify({ Section: 'Twins' }) + '\n', /Line 1: the file must start with \{"Section": "Header"\}/],
      ['order', importFile({ twins: [] }) + JSON.stringify({ Section: 'Models' }) + '\n', /Line 4: section Models is out of order/],
      ['notjson', importFile({ twins: [] }) + '{"$dtId": oops\n', /Line 4 is not JSON/],
    ];
    for (const [id, text, message] of cases) {
      const input = writeJobFile(storage.dir, `${id}.ndjson`, text);
      expect((await api('PUT', `/jobs/imports/${id}`, { inputBlobUri: input, outputBlobUri: `file:///${id}.out` })).status).toBe(201);
      const job = await finishedJob(system.gatewayUrl, `/jobs/imports/${id}`);
      expect([id, job.status, (job.error as { message: string }).message]).toEqual([id, 'failed', expect.stringMatching(message)]);
      const last = (await jobLog(system.gatewayUrl, id)).at(-1)!;
      expect(last).toMatchObject({ logType: 'Error', details: { status: 'Failed', message: expect.stringMatching(message) } });
    }
  }, 60_000);

  it('refuses URIs outside the storage directory and private addresses', async () => {
    const outside = path.join(os.tmpdir(), `odt-outside-${process.pid}.ndjson`);
    writeFileSync(outside, importFile({}));
    mkdirSync(path.join(storage.dir, 'links'), { recursive: true });
    symlinkSync(outside, path.join(storage.dir, 'links', 'escape.ndjson'));
    const refused: [string, RegExp][] = [
      ['file:///../etc/passwd', /must not leave/],
      ['file:///%2e%2e/%2e%2e/etc/passwd', /must not leave/],
      ['file:///links/escape.ndjson', /must not leave/],
      ['file:///missing.ndjson', /does not exist/],
      ['http://127.0.0.1:9/x.ndjson', /private/],
      ['http://10.1.2.3/x.ndjson', /private/],
      ['http://169.254.169.254/latest/meta-data', /private/],
      ['http://[::1]:8080/x', /private/],
      ['http://localhost:8080/x', /private/],
      ['ftp://example.com/x', /file:\/\/\/, http:\/\/ or https:\/\//],
    ];
    for (const [uri, message] of refused) {
      const answer = await api('PUT', '/jobs/imports/refused', { inputBlobUri: uri, outputBlobUri: 'file:///out.ndjson' });
      expect([uri, answer.status, answer.code, answer.body.error.message]).toEqual([uri, 400, 'ValidationFailed', expect.stringMatching(message)]);
    }
    // The log's destination follows the same rules.
    for (const uri of ['http://127.0.0.1:9/log.ndjson', 'http://169.254.169.254/x', 'file:///../out.ndjson']) {
      const answer = await api('PUT', '/jobs/imports/refused', { inputBlobUri: 'file:///building.ndjson', outputBlobUri: uri });
      expect([uri, answer.status, answer.body.error.message]).toEqual([uri, 400, expect.stringMatching(/^outputBlobUri.*(private|must not leave)/)]);
    }
    expect((await api('PUT', '/jobs/imports/refused', { outputBlobUri: 'file:///x.ndjson' })).body.error.message).toMatch(/inputBlobUri is required/);
    expect((await api('GET', '/jobs/imports/refused')).code).toBe('ImportJobNotFound');
    // Extension: without outputBlobUri (which ADT requires) the log goes to logs/<id>.output.ndjson too.
    const noOutput = await api('PUT', '/jobs/imports/nooutput', { inputBlobUri: 'file:///building.ndjson' });
    expect([noOutput.status, noOutput.body.outputBlobUri]).toEqual([201, 'file:///logs/nooutput.output.ndjson']);
    expect((await finishedJob(system.gatewayUrl, '/jobs/imports/nooutput')).status).toBe('succeeded');
    expect(readFileSync(path.join(storage.dir, 'logs', 'nooutput.output.ndjson'), 'utf8')).toMatch(/"status":"Succeeded"/);
  });

  it('forgets a job (DELETE) and answers ImportJobNotFound for it', async () => {
    expect((await api('DELETE', '/jobs/imports/noheader')).status).toBe(204);
    expect((await api('GET', '/jobs/imports/noheader')).code).toBe('ImportJobNotFound');
    expect((await api('DELETE', '/jobs/imports/noheader')).code).toBe('ImportJobNotFound');
    expect((await api('POST', '/jobs/imports/noheader/cancel')).code).toBe('ImportJobNotFound');
  });
});
