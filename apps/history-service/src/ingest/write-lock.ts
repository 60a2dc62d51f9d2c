/** The advisory lock a history batch and a purge share (so a purge never interleaves with a batch). */
export function writeLock(stream: string): string {
  return `history-write:${stream}`;
}
