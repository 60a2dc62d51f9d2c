import { PROPERTY_INDEX_LIMITS } from '@odt/query';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const { maxPathBytes, skippedKey } = PROPERTY_INDEX_LIMITS;

/**
 * A cheaper upkeep of the property index on INSERT (issue 19; measurements in docs/benchmarks.md,
 * "Property index write cost"). A bulk import spent most of its Postgres time in the INSERT
 * trigger; of that, the two largest parts were:
 * - `document_properties`' recursive query, set up and run once per twin although most documents
 *   (a campus room: scalars and empty components `{"$metadata": {}}`) have nothing below their
 *   top-level members. The trigger now writes the top-level members' rows directly (one
 *   `jsonb_each` per document, no recursion) and calls `document_properties` only on a member
 *   that is an object with a member other than `$metadata`, prefixing its paths;
 * - the primary key `(twin_id, path)`: a wide unique btree entry per row (twin id and path array)
 *   and its uniqueness check. The rows of one twin are unique by construction (an object's keys
 *   are), so a plain index on `twin_id` serves the per-twin deletes and the compiler's per-twin
 *   `EXISTS` lookups (a twin's few rows, filtered by path); it deduplicates, one entry per twin
 *   and page rather than per row.
 */
export class TwinPropertyInserts1764000019002 implements MigrationInterface {
  name = 'TwinPropertyInserts1764000019002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION twins.twin_properties_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
      BEGIN
        INSERT INTO twins.twin_properties (twin_id, path, kind, num, str, bool)
        -- Top-level members, typed as document_properties types them.
        SELECT i.id, ARRAY[e.key], CASE t WHEN 'null' THEN 'z' ELSE left(t, 1) END::"char",
          CASE WHEN t = 'number' THEN e.value::numeric END,
          CASE WHEN t = 'string' THEN e.value #>> '{}' END,
          CASE WHEN t = 'boolean' THEN e.value::boolean END
        FROM inserted i, jsonb_each(i.document) e, jsonb_typeof(e.value) t
        WHERE e.key <> '${skippedKey}' AND octet_length(e.key) <= ${maxPathBytes}
        UNION ALL
        -- What lies below them, for the objects that hold more than their $metadata.
        SELECT i.id, ARRAY[e.key] || p.path, p.kind, p.num, p.str, p.bool
        FROM inserted i, jsonb_each(i.document) e, twins.document_properties(e.value) p
        WHERE e.key <> '${skippedKey}'
          AND CASE WHEN jsonb_typeof(e.value) = 'object' THEN e.value - '${skippedKey}' <> '{}'::jsonb ELSE false END
          AND octet_length(e.key) + octet_length(array_to_string(p.path, '')) <= ${maxPathBytes};
        RETURN NULL;
      END $$`);
    await q.query(`ALTER TABLE twins.twin_properties DROP CONSTRAINT twin_properties_pkey`);
    await q.query(`CREATE INDEX twin_properties_twin ON twins.twin_properties (twin_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX twins.twin_properties_twin`);
    await q.query(`ALTER TABLE twins.twin_properties ADD PRIMARY KEY (twin_id, path)`);
    // 1764000000008's function, as it was.
    await q.query(`
      CREATE OR REPLACE FUNCTION twins.twin_properties_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
      BEGIN
        INSERT INTO twins.twin_properties SELECT i.id, p.* FROM inserted i, twins.document_properties(i.document) p;
        RETURN NULL;
      END $$`);
  }
}
