import type { TwinRow } from './twins.repository';

/**
 * The twins this replica read or wrote last, by id (least recently used dropped first). A write
 * may start from this copy instead of reading the row: it is conditional on the copy's ETag, so a
 * stale copy (another replica wrote since) only costs a retry on a fresh read. Reads never use it.
 */
export class RecentTwins {
  private readonly rows = new Map<string, TwinRow>();

  constructor(private readonly capacity: number) {}

  get(id: string): TwinRow | undefined {
    return this.rows.get(id);
  }

  remember(row: TwinRow): void {
    if (this.capacity === 0) return;
    this.rows.delete(row.id);
    this.rows.set(row.id, row);
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value as string);
  }

  forget(id: string): void {
    this.rows.delete(id);
  }
}
