import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildCli, CliHome } from '../support/cli';
import { callGateway } from '../support/gateway';
import { importFile, jobsStorage } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** `dt job …` against the jobs API: upload an import (gzip), read its log, export to a file, delete. */
describe('dt job commands', () => {
  const storage = jobsStorage();
  const home = new CliHome();
  let system: TestSystem;
  const prefix = uniqueDtmiPrefix();
  const m = buildingModels(prefix);
  const dt = (args: string[]) => home.run(args, { env: { DT_ENDPOINT: system.gatewayUrl } });

  beforeAll(async () => {
    buildCli();
    system = await startSystem({ without: ['router', 'history'], overrides: { JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '100' } });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    storage.remove();
    home.cleanup();
  });

  it('imports an uploaded file, shows its log, exports the graph to a file and deletes everything', async () => {
    const file = path.join(home.dir, 'graph.ndjson.gz');
    writeFileSync(file, gzipSync(importFile({
      models: m.all,
      twins: [
        { $dtId: 'f1', $metadata: { $model: `${prefix}:Floor;1` }, level: 1 },
        { $dtId: 'f2', $metadata: { $model: `${prefix}:Floor;1` }, level: 'two' },
        { $dtId: 'f3', $metadata: { $model: `${prefix}:Floor;1` }, level: 3 },
      ],
      relationships: [{ $dtId: 'f1', $relationshipId: 'r1', $targetId: 'f3', $relationshipName: 'feeds', weight: 0.25 }],
    })));
    const created = await dt(['job', 'import', 'create', '--file', file, '-j', 'cli-import', '--watch', '-o', 'json']);
    expect([created.code, created.stderr]).toEqual([0, expect.any(String)]);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'cli-import', status: 'succeeded' });
    const log = await dt(['job', 'import', 'output', '-j', 'cli-import', '-o', 'json']);
    expect(log.code).toBe(0);
    const errors = (JSON.parse(log.stdout) as { logType: string; details: { line?: number; exceptionType?: string } }[]).filter((l) => l.logType === 'Error');
    expect(errors.map((e) => [e.details.line, e.details.exceptionType])).toEqual([[10, 'ValidationFailed']]);
    expect((await callGateway(system.gatewayUrl, 'GET', '/digitaltwins/f1/relationships/r1')).body.weight).toBe(0.25);

    const out = path.join(home.dir, 'export.ndjson');
    const exported = await dt(['job', 'export', 'create', '-j', 'cli-export', '--of', out, '-o', 'json']);
    expect(exported.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.$dtId && !l.$relationshipId).map((l) => l.$dtId)).toEqual(['f1', 'f3']);
    expect(lines.find((l) => l.$relationshipId === 'r1')).toMatchObject({ $dtId: 'f1', $targetId: 'f3', weight: 0.25 });

    const deleted = await dt(['job', 'deletion', 'create', '--yes', '--watch', '-j', 'cli-wipe', '-o', 'json']);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ id: 'cli-wipe', status: 'succeeded' });
    expect((await callGateway(system.gatewayUrl, 'GET', '/digitaltwins/f1')).status).toBe(404);
  }, 120_000);
});
