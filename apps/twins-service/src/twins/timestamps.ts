/** ADT prints twin metadata times with 7 fractional digits and `Z`; JS dates carry milliseconds. */
export function adtTimestamp(at: number = performance.timeOrigin + performance.now()): string {
  const ms = Math.floor(at);
  const ticks = Math.floor((at - ms) * 10_000);
  const iso = new Date(ms).toISOString(); // 2022-02-28T00:30:00.123Z
  return `${iso.slice(0, 23)}${String(ticks).padStart(4, '0')}Z`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** `sourceTime` values are client-written ISO 8601 / RFC 3339 instants. */
export function isRfc3339(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value.replace(/(\.\d{3})\d+/, '$1')));
}
