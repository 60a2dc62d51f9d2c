import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { Subjects, type QueryReply } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import { JOBS_CONFIG, type JobsConfig } from '../config';
import type { JobCounts } from '../jobs/job-row';
import { exportFile } from '../storage/job-storage';
import { JobsRepository } from '../jobs/jobs.repository';
import { JobStorage } from '../storage/job-storage';
import { collectGarbage } from './heap';
import type { JobLease } from './job-lease';

const PAGE = 5000;
/** Pages between full garbage collections (see heap.ts): every 20,000 rows, so the pages read and written between two stay well under the worker's memory budget. */
const GC_EVERY_PAGES = 4;

/**
 * An export: the graph (or the twins a query selects, with the relationships among them, and every
 * model) as an import file, read in one snapshot (a repeatable-read transaction over the three
 * owners' tables, read-only, as the query service reads them). Rows are written as Postgres
 * renders them (`jsonb::text`), never parsed here.
 */
@Injectable()
export class ExportRunner {
  constructor(
    private readonly repo: JobsRepository,
    private readonly storage: JobStorage,
    private readonly services: InternalClient,
    @Inject(JOBS_CONFIG) private readonly config: JobsConfig,
  ) {}

  async run(lease: JobLease): Promise<JobCounts> {
    const job = lease.job;
    const selected = job.query ? await this.select(job.query) : undefined;
    const out = await this.storage.writer(exportFile(job.id));
    const counts: JobCounts = { models: 0, twins: 0, relationships: 0, errors: 0 };
    const runner = this.repo.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      await write(out.stream, '{"Section":"Header"}\n' + JSON.stringify({ fileVersion: '1.0.0', author: 'open-digital-twins', organization: 'export', exportedAt: new Date().toISOString() }) + '\n');
      await write(out.stream, '{"Section":"Models"}\n');
      const models: { document: string }[] = await runner.query(`SELECT document::text AS document FROM models.models ORDER BY seq`);
      await write(out.stream, models.map((m) => m.document + '\n').join(''));
      counts.models = models.length;
      await write(out.stream, '{"Section":"Twins"}\n');
      for (let after = ''; ;) {
        lease.check();
        const rows: { id: string; document: string }[] = await runner.query(
          `SELECT id, document::text AS document FROM twins.twins WHERE id > $1 AND ($3::text[] IS NULL OR id = ANY($3)) ORDER BY id LIMIT $2`,
          [after, PAGE, selected ? [...selected] : null],
        );
        if (rows.length === 0) break;
        await write(out.stream, rows.map((r) => `{"$dtId":${JSON.stringify(r.id)},${r.document.slice(1)}\n`).join(''));
        counts.twins += rows.length;
        after = rows[rows.length - 1].id;
        if ((counts.twins / PAGE) % GC_EVERY_PAGES === 0) collectGarbage();
      }
      await write(out.stream, '{"Section":"Relationships"}\n');
      for (let after: [string, string] = ['', '']; ;) {
        lease.check();
        const rows: { source_id: string; relationship_id: string; name: string; target_id: string; properties: string }[] = await runner.query(
          `SELECT source_id, relationship_id, name, target_id, properties::text AS properties FROM relationships.relationships
           WHERE (source_id, relationship_id) > ($1, $2) AND ($4::text[] IS NULL OR (source_id = ANY($4) AND target_id = ANY($4)))
           ORDER BY source_id, relationship_id LIMIT $3`,
          [after[0], after[1], PAGE, selected ? [...selected] : null],
        );
        if (rows.length === 0) break;
        await write(out.stream, rows.map((r) => {
          const head = `{"$dtId":${JSON.stringify(r.source_id)},"$relationshipId":${JSON.stringify(r.relationship_id)},"$targetId":${JSON.stringify(r.target_id)},"$relationshipName":${JSON.stringify(r.name)}`;
          return r.properties === '{}' ? `${head}}\n` : `${head},${r.properties.slice(1)}\n`;
        }).join(''));
        counts.relationships += rows.length;
        if ((counts.relationships / PAGE) % GC_EVERY_PAGES === 0) collectGarbage();
        const last = rows[rows.length - 1];
        after = [last.source_id, last.relationship_id];
      }
      await runner.commitTransaction();
      await out.commit();
      return counts;
    } catch (err) {
      await runner.rollbackTransaction().catch(() => undefined);
      out.stream.destroy();
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** The ids of the twins a query selects (rows that are twins, or projections holding twins). */
  private async select(query: string): Promise<Set<string>> {
    const ids = new Set<string>();
    let token: string | null = null;
    do {
      const page: QueryReply = await this.services.request(Subjects.QueryRun, token ? { continuationToken: token, maxItemsPerPage: 1000 } : { query, maxItemsPerPage: 1000 }, { timeoutMs: 65_000 });
      for (const row of JSON.parse(page.valueJson) as Record<string, unknown>[]) {
        if (typeof row.$dtId === 'string') ids.add(row.$dtId);
        else for (const v of Object.values(row)) if (v && typeof v === 'object' && typeof (v as { $dtId?: unknown }).$dtId === 'string') ids.add((v as { $dtId: string }).$dtId);
      }
      token = page.continuationToken;
    } while (token);
    return ids;
  }
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (chunk.length === 0) return;
  if (!stream.write(chunk)) await once(stream, 'drain');
}
