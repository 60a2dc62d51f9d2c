import type { Pool } from 'pg';

/** Interned model ids and their DTMIs (an id keeps its DTMI for good), each read once. */
export class ModelNames {
  private readonly known = new Map<number, string>();

  constructor(private readonly pool: Pool) {}

  async of(ids: Iterable<number>): Promise<ReadonlyMap<number, string>> {
    const missing = [...ids].filter((id) => !this.known.has(id));
    if (missing.length > 0) {
      const { rows } = await this.pool.query<{ id: number; dtmi: string }>('SELECT id, dtmi FROM history.models WHERE id = ANY($1)', [missing]);
      for (const r of rows) this.known.set(r.id, r.dtmi);
    }
    return this.known;
  }
}
