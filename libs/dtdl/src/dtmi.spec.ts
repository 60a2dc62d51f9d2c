import { isDtmi, parseDtmi } from './dtmi';
import { readConformanceJson, conformanceFiles } from './conformance/conformance-files';

interface DtmiCase {
  valid: boolean;
  idText: string;
  expect?: { MajorVersion: number; MinorVersion: number; Versionless: string; Labels: string[]; IsReserved: boolean; Fragment: string };
}

describe('isDtmi', () => {
  it.each([
    'dtmi:com:example:Room;1',
    'dtmi:com:example:Room',
    'dtmi:com:example:Room;1.2',
    'dtmi:com:example:_system;1',
  ])('accepts %s', (text) => {
    expect(isDtmi(text)).toBe(true);
  });

  it.each([
    ['a non-string', 42],
    ['an empty version', 'dtmi:com:example:Room;'],
    ['a leading-zero version', 'dtmi:com:example:Room;01'],
    ['a ten-digit version', 'dtmi:com:example:Room;1234567890'],
    ['a zero minor version', 'dtmi:com:example:Room;1.0'],
    ['a segment ending in an underscore', 'dtmi:com:example_:Room;1'],
    ['an empty segment', 'dtmi:com::Room;1'],
    ['another scheme', 'urn:com:example:Room:1'],
    ['more than 4096 characters', `dtmi:${'a'.repeat(4096)};1`],
  ])('rejects %s', (_what, text) => {
    expect(isDtmi(text)).toBe(false);
  });
});

describe('parseDtmi', () => {
  it('splits a DTMI into labels, version and fragment', () => {
    expect(parseDtmi('dtmi:com:example:Room;3.14#part')).toEqual({
      versionless: 'dtmi:com:example:Room#part',
      labels: ['com', 'example', 'Room'],
      majorVersion: 3,
      minorVersion: 14,
      fragment: '#part',
      isSystem: false,
    });
  });

  it('returns undefined for text that is not a DTMI', () => {
    expect(parseDtmi('dtmi:com:example:Room;0')).toBeUndefined();
  });
});

describe('the DTMI conformance cases (test/fixtures/dtdl-conformance/dtmis)', () => {
  const cases = conformanceFiles('dtmis').map((file) => [file, readConformanceJson(file) as DtmiCase] as const);

  it('finds the 34 cases', () => {
    expect(cases).toHaveLength(34);
  });

  it.each(cases)('%s', (_file, dtmiCase) => {
    expect(isDtmi(dtmiCase.idText)).toBe(dtmiCase.valid);
    if (!dtmiCase.expect) return;
    const expected = dtmiCase.expect;
    expect(parseDtmi(dtmiCase.idText)).toEqual({
      versionless: expected.Versionless,
      labels: expected.Labels,
      majorVersion: expected.MajorVersion,
      minorVersion: expected.MinorVersion,
      fragment: expected.Fragment,
      isSystem: expected.IsReserved,
    });
  });
});
