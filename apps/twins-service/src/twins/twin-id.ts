import { TwinErrors } from './twins.errors';

const MAX_ID_LENGTH = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Twin ids: 1–256 characters, case-sensitive, no control characters (they cannot round-trip through a URL path safely). */
export function checkTwinId(id: string): void {
  if (id.length === 0) throw TwinErrors.invalidId('it must not be empty.');
  if (id.length > MAX_ID_LENGTH) throw TwinErrors.invalidId(`it is longer than ${MAX_ID_LENGTH} characters.`);
  if (CONTROL.test(id)) throw TwinErrors.invalidId('it contains control characters.');
}
