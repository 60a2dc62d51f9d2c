/**
 * Digital Twin Model Identifiers, general syntax (DTMI spec, also DTDL v3):
 * `dtmi:<segment>(:<segment>)*[;<major>[.<minor>]][#<fragment>]`, at most 4096 characters.
 * A segment starting with `_` is a system segment. The stricter per-version rules for model `@id`s
 * (v2: version required, no minor, no system segments) are the parser's to enforce.
 */
const SEGMENT = '[A-Za-z_](?:[A-Za-z0-9_]*[A-Za-z0-9])?';
const DTMI_PATTERN = new RegExp(
  `^dtmi:(${SEGMENT}(?::${SEGMENT})*)(?:;([1-9][0-9]{0,8})(?:\\.([1-9][0-9]{0,5}))?)?(#(?:${SEGMENT})?)?$`,
);
const MAX_DTMI_LENGTH = 4096;

export interface Dtmi {
  /** The DTMI without its version (fragment kept), e.g. `dtmi:com:example:Room`. */
  versionless: string;
  labels: string[];
  /** 0 when the DTMI has no version. */
  majorVersion: number;
  /** 0 when the version has no minor part. */
  minorVersion: number;
  /** `#fragment`, `#` alone, or '' when absent. */
  fragment: string;
  /** A system DTMI: a label or the fragment starts with an underscore. */
  isSystem: boolean;
}

export function isDtmi(text: unknown): text is string {
  return typeof text === 'string' && text.length <= MAX_DTMI_LENGTH && DTMI_PATTERN.test(text);
}

export function parseDtmi(text: string): Dtmi | undefined {
  if (text.length > MAX_DTMI_LENGTH) return undefined;
  const match = DTMI_PATTERN.exec(text);
  if (!match) return undefined;
  const [, path, major, minor, fragment = ''] = match;
  const labels = path.split(':');
  return {
    versionless: `dtmi:${path}${fragment}`,
    labels,
    majorVersion: major ? Number(major) : 0,
    minorVersion: minor ? Number(minor) : 0,
    fragment,
    isSystem: labels.some((label) => label.startsWith('_')) || fragment.startsWith('#_'),
  };
}
