import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, EventTypes, type HistoryEventsReply, type HistoryEventsRequest } from '@odt/contracts';
import { parseInstant } from '@odt/history-domain';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';
import { HistoryWatermark } from '../watermark/history-watermark';

const TIME = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface Row {
  time: string;
  event_id: string;
  entity: 'twin' | 'relationship';
  kind: 'c' | 'u' | 'd';
  subject: string;
  etag: string;
  model: string | null;
  changes: Record<string, unknown> | null;
  removed: string[] | null;
  name: string | null;
  target: string | null;
  authtype: string | null;
  authid: string | null;
}

const TYPES = {
  twin: { c: EventTypes.TwinCreate, u: EventTypes.TwinUpdate, d: EventTypes.TwinDelete },
  relationship: { c: EventTypes.RelationshipCreate, u: EventTypes.RelationshipUpdate, d: EventTypes.RelationshipDelete },
} as const;

/**
 * Change events rebuilt from history, oldest first, up to the watermark (what follows is the live
 * stream's): same id, type, subject, time and caller as published; an update's `patch` replaces
 * (or removes) each top-level key it changed with its new value; a delete's body holds the ids,
 * ETag and model, not the whole twin as it was.
 */
@Injectable()
export class HistoryEvents {
  private readonly pool: Pool;

  constructor(
    @InjectDataSource() db: DataSource,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
    private readonly watermark: HistoryWatermark,
  ) {
    this.pool = (db.driver as PostgresDriver).master as Pool;
  }

  async replay(req: HistoryEventsRequest): Promise<HistoryEventsReply> {
    const from = parseInstant('from', req.from);
    const watermark = this.watermark.current();
    if (!watermark) throw new DomainError('HistoryIncomplete', 'History is not complete up to any moment yet; retry shortly.');
    const [afterTime, afterId] = req.after ? req.after.split('|') : [null, null];
    const limit = Math.min(Math.max(1, req.limit), this.config.HISTORY_MAX_PAGE_SIZE);
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM (
         SELECT ${TIME('e.ts')} AS time, e.ts, e.event_id, 'twin' AS entity, e.kind, e.twin_id AS subject, e.etag, m.dtmi AS model, e.changes, e.removed,
           NULL AS name, NULL AS target, c.authtype, c.authid
         FROM history.twin_events e JOIN history.models m ON m.id = e.model LEFT JOIN history.callers c ON c.id = e.caller
         WHERE e.ts >= $1 AND e.ts < $2
         UNION ALL
         SELECT ${TIME('e.ts')}, e.ts, e.event_id, 'relationship', e.kind, e.source_id || '/relationships/' || e.relationship_id, e.etag, NULL, e.changes, e.removed,
           e.name, e.target_id, c.authtype, c.authid
         FROM history.relationship_events e LEFT JOIN history.callers c ON c.id = e.caller
         WHERE e.ts >= $1 AND e.ts < $2
       ) x
       WHERE $3::timestamptz IS NULL OR (x.ts, x.event_id) > ($3::timestamptz, $4::uuid)
       ORDER BY x.ts, x.event_id LIMIT $5`,
      [from, watermark, afterTime, afterId, limit],
    );
    const last = rows[rows.length - 1];
    return { events: rows.map((r) => JSON.stringify(this.event(r))), ...(last ? { last: `${last.time}|${last.event_id}` } : {}), watermark };
  }

  private event(r: Row): Record<string, unknown> {
    const etag = `W/"${r.etag}"`;
    const data = r.entity === 'twin' ? twinBody(r, etag) : relationshipBody(r, etag);
    return {
      specversion: '1.0', id: r.event_id, source: this.config.EVENTS_SOURCE, type: TYPES[r.entity][r.kind], subject: r.subject, time: r.time,
      datacontenttype: 'application/json', ...(r.kind === 'u' ? { etag } : {}), ...(r.authtype && r.authid ? { authtype: r.authtype, authid: r.authid } : {}), data,
    };
  }
}

function patchOf(r: Row): unknown[] {
  return [
    ...Object.entries(r.changes ?? {}).map(([key, value]) => ({ op: 'add', path: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value })),
    ...(r.removed ?? []).map((key) => ({ op: 'remove', path: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` })),
  ];
}

function twinBody(r: Row, etag: string): unknown {
  if (r.kind === 'u') return { modelId: r.model, patch: patchOf(r) };
  if (r.kind === 'c') return { $dtId: r.subject, $etag: etag, ...r.changes };
  return { $dtId: r.subject, $etag: etag, $metadata: { $model: r.model } };
}

function relationshipBody(r: Row, etag: string): unknown {
  const [sourceId, relationshipId] = r.subject.split('/relationships/');
  if (r.kind === 'u') return { patch: patchOf(r) };
  return { $relationshipId: relationshipId, $etag: etag, $sourceId: sourceId, $relationshipName: r.name, $targetId: r.target, ...(r.kind === 'c' ? r.changes : {}) };
}
