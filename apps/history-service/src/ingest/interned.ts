import { Injectable } from '@nestjs/common';
import { Subjects } from '@odt/contracts';
import type { CallerRef } from '@odt/history-domain';
import { InternalClient } from '@odt/messaging';
import type { PoolClient } from 'pg';

/**
 * Model ids and callers stored as small integers (4 bytes an event instead of the text). A model
 * comes with its ancestry (the model and every model it extends, from the models service), which
 * IS_OF_MODEL reads as of a moment; a model the models service no longer has is its own only ancestor.
 */
@Injectable()
export class InternedIds {
  private readonly models = new Map<string, number>();
  private readonly callers = new Map<string, number>();

  constructor(private readonly services: InternalClient) {}

  async modelIds(db: PoolClient, dtmis: Iterable<string>): Promise<Map<string, number>> {
    const missing = [...new Set(dtmis)].filter((d) => !this.models.has(d));
    if (missing.length > 0) {
      const known = await db.query<{ id: number; dtmi: string }>('SELECT id, dtmi FROM history.models WHERE dtmi = ANY($1)', [missing]);
      for (const r of known.rows) this.models.set(r.dtmi, r.id);
      const unknown = missing.filter((d) => !this.models.has(d));
      if (unknown.length > 0) {
        const { models } = await this.services.request(Subjects.ModelsGetFlattened, { ids: unknown });
        const ancestry = new Map(models.map((m) => [m.id, [m.id, ...m.flattened.bases]]));
        const added = await db.query<{ id: number; dtmi: string }>(
          `INSERT INTO history.models (dtmi, ancestry) SELECT d, ARRAY(SELECT jsonb_array_elements_text(a)) FROM jsonb_to_recordset($1::jsonb) AS x(d text, a jsonb)
           ON CONFLICT (dtmi) DO UPDATE SET dtmi = EXCLUDED.dtmi RETURNING id, dtmi`,
          [JSON.stringify(unknown.map((d) => ({ d, a: ancestry.get(d) ?? [d] })))],
        );
        for (const r of added.rows) this.models.set(r.dtmi, r.id);
      }
    }
    return this.models;
  }

  async callerIds(db: PoolClient, callers: Iterable<CallerRef | undefined>): Promise<Map<string, number>> {
    const missing = new Map<string, CallerRef>();
    for (const c of callers) if (c && !this.callers.has(callerKey(c))) missing.set(callerKey(c), c);
    if (missing.size > 0) {
      const { rows } = await db.query<{ id: number; authtype: string; authid: string }>(
        `INSERT INTO history.callers (authtype, authid) SELECT t, i FROM jsonb_to_recordset($1::jsonb) AS x(t text, i text)
         ON CONFLICT (authtype, authid) DO UPDATE SET authid = EXCLUDED.authid RETURNING id, authtype, authid`,
        [JSON.stringify([...missing.values()].map((c) => ({ t: c.authtype, i: c.authid })))],
      );
      for (const r of rows) this.callers.set(callerKey(r), r.id);
    }
    return this.callers;
  }

  /** After a rollback: ids handed out in it may not exist. */
  forget(): void {
    this.models.clear();
    this.callers.clear();
  }
}

export function callerKey(c: CallerRef): string {
  return `${c.authtype};${c.authid}`;
}
