import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DtdlParser } from './dtdl-parser';
import { DtdlParserFailure } from './parse-outcome';

const room = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:com:example:Room;1',
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'temperature', schema: 'double' }],
};

describe('DtdlParser', () => {
  const parser = new DtdlParser();
  afterAll(() => parser.close());

  it('reports the parser version', async () => {
    expect(await parser.parserVersion()).toMatch(/^DTDLParser, Version=1\.1\./);
  });

  it('returns the object model of a valid model', async () => {
    const outcome = await parser.parse([room]);
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok') return;
    expect(outcome.objectModel['dtmi:com:example:Room;1']).toMatchObject({
      EntityKind: 'Interface',
      properties: { temperature: 'dtmi:com:example:Room:_contents:__temperature;1' },
    });
  });

  it('returns the parsing errors of an invalid model', async () => {
    const outcome = await parser.parse([{ ...room, contents: [{ '@type': 'Property', name: '1x', schema: 'double' }] }]);
    expect(outcome).toMatchObject({
      kind: 'parsing',
      errors: [{ ValidationID: 'dtmi:dtdl:parsingError:stringInvalid', Property: 'name', Value: '1x' }],
    });
  });

  it('returns the undefined identifiers of an incomplete model', async () => {
    const outcome = await parser.parse([{ ...room, extends: ['dtmi:com:example:Space;1'] }]);
    expect(outcome).toEqual({ kind: 'resolution', undefinedIds: ['dtmi:com:example:Space;1'] });
  });

  it('answers concurrent calls each with its own outcome', async () => {
    const outcomes = await Promise.all([
      parser.parse([room]),
      parser.parse([{ ...room, extends: 'dtmi:com:example:Missing;1' }]),
      parser.parse([room]),
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['ok', 'resolution', 'ok']);
  });
});

describe('DtdlParser with a failing worker', () => {
  let directory: string;
  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'dtdl-parser-'));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  function workerScript(name: string, body: string): string {
    const file = path.join(directory, name);
    fs.writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${body}\n`);
    return file;
  }

  it('rejects the pending calls of a crashed worker and starts a new worker on the next call', async () => {
    const flag = path.join(directory, 'crashed-once');
    const script = workerScript(
      'crash-once.mjs',
      `import fs from 'node:fs';
       parentPort.on('message', ({ id }) => {
         if (!fs.existsSync(${JSON.stringify(flag)})) { fs.writeFileSync(${JSON.stringify(flag)}, ''); process.exit(3); }
         parentPort.postMessage({ id, ok: true, result: '{}' });
       });`,
    );
    const parser = new DtdlParser(script);
    try {
      await expect(parser.parse([room])).rejects.toThrow('exited with code 3');
      await expect(parser.parse([room])).resolves.toEqual({ kind: 'ok', objectModel: {} });
    } finally {
      await parser.close();
    }
  });

  it('rejects with DtdlParserFailure when the parser throws something other than a modeling exception', async () => {
    const script = workerScript(
      'internal-error.mjs',
      `parentPort.on('message', ({ id }) => parentPort.postMessage({ id, ok: false, error: 'InvalidCastException' }));`,
    );
    const parser = new DtdlParser(script);
    try {
      await expect(parser.parse([room])).rejects.toBeInstanceOf(DtdlParserFailure);
    } finally {
      await parser.close();
    }
  });
});
