import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDtmi } from '../dtmi';
import { DtdlParser } from '../parser/dtdl-parser';
import { loadModelCases } from './conformance-cases';
import { conformanceFiles, readConformanceJson } from './conformance-files';
import { runModelCases, type VersionTally } from './conformance-run';

/** Committed: the verdicts as of the last deliberate update. The test compares, and never writes it unless asked. */
const REPORT_FILE = path.resolve(__dirname, '../../conformance-report.json');
const UPDATE_REPORT = process.env.UPDATE_CONFORMANCE_REPORT === '1';
const REQUIRED_AGREEMENT = 0.995;

/**
 * The DTDL v2/v3 conformance cases (test/fixtures/dtdl-conformance) through the same `validateModels` the
 * models service calls; stored models exist only where a case describes a model repository
 * (`resolution`). Skip reasons are explained in conformance-skips.ts and conformance-run.ts.
 */
describe('DTDL conformance of validateModels', () => {
  const parser = new DtdlParser();
  let tallies: Record<number, VersionTally>;
  let seconds: number;
  const dtmiCases = conformanceFiles('dtmis').map((file) => ({ file, ...(readConformanceJson(file) as { valid: boolean; idText: string }) }));
  const dtmiDisagreements = dtmiCases.filter((dtmiCase) => isDtmi(dtmiCase.idText) !== dtmiCase.valid).map((dtmiCase) => dtmiCase.file);

  beforeAll(async () => {
    const started = Date.now();
    tallies = await runModelCases(loadModelCases(), parser);
    seconds = (Date.now() - started) / 1000;
  }, 300_000);

  afterAll(async () => {
    await parser.close();
  });

  it.each([2, 3])(`agrees with the expected verdict on at least ${REQUIRED_AGREEMENT * 100}% of the DTDL v%d cases it runs`, (version) => {
    const tally = tallies[version];
    expect(tally.run).toBeGreaterThan(2500);
    expect(tally.agreed / tally.run).toBeGreaterThanOrEqual(REQUIRED_AGREEMENT);
  });

  it.each([2, 3])('names exactly the expected unresolved identifiers when DTDL v%d references are missing', (version) => {
    const { checked, named } = tallies[version].missingReferences;
    expect(checked).toBeGreaterThan(0);
    expect(named).toBe(checked);
  });

  it('agrees with every DTMI syntax case (dtmis/) through isDtmi', () => {
    expect(dtmiCases).toHaveLength(34);
    expect(dtmiDisagreements).toEqual([]);
  });

  /**
   * The committed report is the record of every verdict: a change in any of them (an agreement
   * gained or lost, a skip moved, another first error) fails here until someone looks at it and
   * updates the file with UPDATE_CONFORMANCE_REPORT=1. The fresh report goes to a temporary file.
   */
  it('gives exactly the verdicts recorded in conformance-report.json', () => {
    const report = `${JSON.stringify(reportOf(), null, 2)}\n`;
    const fresh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'odt-conformance-')), 'conformance-report.json');
    fs.writeFileSync(fresh, report);
    if (UPDATE_REPORT) fs.writeFileSync(REPORT_FILE, report);
    const summary = Object.entries(tallies).map(
      ([version, tally]) => `v${version}: run ${tally.run}, agreed ${tally.agreed}, disagreed ${tally.disagreed.length}, skipped ${JSON.stringify(tally.skipped)}`,
    );
    console.log(`DTDL conformance in ${seconds.toFixed(1)} s (report: ${fresh}${UPDATE_REPORT ? `, copied to ${REPORT_FILE}` : ''}):\n${summary.join('\n')}`);
    expect(JSON.parse(report)).toEqual(JSON.parse(fs.readFileSync(REPORT_FILE, 'utf8')));
  });

  function reportOf(): unknown {
    const versions = Object.fromEntries(
      Object.entries(tallies).map(([version, tally]) => [
        `v${version}`,
        { run: tally.run, agreed: tally.agreed, disagreed: tally.disagreed.length, skipped: tally.skipped, missingReferences: tally.missingReferences, disagreements: tally.disagreed },
      ]),
    );
    const dtmis = { run: dtmiCases.length, agreed: dtmiCases.length - dtmiDisagreements.length, disagreements: dtmiDisagreements };
    // No timings: the file is committed, and should change only when the verdicts do.
    return { versions, dtmis };
  }
});
