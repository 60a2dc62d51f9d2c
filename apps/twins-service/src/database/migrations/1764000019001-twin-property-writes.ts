import { PROPERTY_INDEX_LIMITS } from '@odt/query';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const { maxPathBytes, skippedKey } = PROPERTY_INDEX_LIMITS;

/**
 * A cheaper upkeep of the property index on UPDATE (issue 19; measurements in
 * docs/benchmarks.md, "Property index write cost"). The row trigger of 1764000000008 spent most of
 * its time re-planning `document_properties` on every call: given a sub-SELECT as its argument,
 * the SQL function is not inlined, so its recursive query was planned anew per row. Now:
 * - a changed top-level member that is a scalar (or array) before and after is one row, deleted
 *   and inserted directly (no recursive query); an object member, before or after, rewrites its
 *   subtree through `document_properties`, called with plain values so it is inlined and its plan
 *   kept; the diff is a loop over the new document's members (no FULL JOIN, no aggregate); a
 *   member that is an array before and after has no row to change;
 * - the `kind` index holds only the rows that no typed index holds (booleans, nulls, objects,
 *   arrays), so a number or string change writes two btrees (key, its type's index), not three.
 *   The query compiler reads numbers and strings by `num`/`str IS NOT NULL` accordingly.
 */
export class TwinPropertyWrites1764000019001 implements MigrationInterface {
  name = 'TwinPropertyWrites1764000019001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION twins.twin_properties_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        key text;
        value jsonb;
        old jsonb;
        type text;
        kept text[] := '{}';
      BEGIN
        IF TG_OP = 'DELETE' OR OLD.id <> NEW.id THEN
          DELETE FROM twins.twin_properties WHERE twin_id = OLD.id;
          IF TG_OP = 'UPDATE' THEN
            INSERT INTO twins.twin_properties SELECT NEW.id, p.* FROM twins.document_properties(NEW.document) p;
          END IF;
          RETURN NULL;
        END IF;
        FOR key, value IN SELECT e.key, e.value FROM jsonb_each(NEW.document) e LOOP
          kept := kept || key;
          old := OLD.document -> key;
          CONTINUE WHEN value = old OR key = '${skippedKey}';
          type := jsonb_typeof(value);
          IF type <> 'object' AND jsonb_typeof(old) <> 'object' THEN
            -- One row, typed as document_properties types it; arrays' items are not indexed.
            CONTINUE WHEN type = 'array' AND jsonb_typeof(old) = 'array';
            DELETE FROM twins.twin_properties WHERE twin_id = OLD.id AND path = ARRAY[key];
            INSERT INTO twins.twin_properties (twin_id, path, kind, num, str, bool)
            SELECT NEW.id, ARRAY[key], CASE type WHEN 'null' THEN 'z' ELSE left(type, 1) END::"char",
              CASE WHEN type = 'number' THEN value::numeric END,
              CASE WHEN type = 'string' THEN value #>> '{}' END,
              CASE WHEN type = 'boolean' THEN value::boolean END
            WHERE octet_length(key) <= ${maxPathBytes};
          ELSE
            IF old IS NOT NULL THEN
              DELETE FROM twins.twin_properties WHERE twin_id = OLD.id AND path[1] = key;
            END IF;
            INSERT INTO twins.twin_properties SELECT NEW.id, p.* FROM twins.document_properties(jsonb_build_object(key, value)) p;
          END IF;
        END LOOP;
        -- Members the update removed.
        IF OLD.document - kept <> '{}' THEN
          DELETE FROM twins.twin_properties WHERE twin_id = OLD.id AND path[1] = ANY(ARRAY(SELECT jsonb_object_keys(OLD.document - kept)));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`DROP INDEX twins.twin_properties_kind`);
    await q.query(`CREATE INDEX twin_properties_kind ON twins.twin_properties (path, kind, bool) INCLUDE (twin_id) WHERE kind NOT IN ('n', 's')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX twins.twin_properties_kind`);
    await q.query(`CREATE INDEX twin_properties_kind ON twins.twin_properties (path, kind, bool) INCLUDE (twin_id)`);
    // 1764000000008's function, as it was.
    await q.query(`
      CREATE OR REPLACE FUNCTION twins.twin_properties_change() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
      DECLARE changed text[];
      BEGIN
        IF TG_OP = 'DELETE' OR OLD.id <> NEW.id THEN
          DELETE FROM twins.twin_properties WHERE twin_id = OLD.id;
          IF TG_OP = 'UPDATE' THEN
            INSERT INTO twins.twin_properties SELECT NEW.id, p.* FROM twins.document_properties(NEW.document) p;
          END IF;
          RETURN NULL;
        END IF;
        -- A PATCH changes a few members: rewrite the paths under the top-level members that changed.
        changed := ARRAY(SELECT key FROM jsonb_each(NEW.document) n FULL JOIN jsonb_each(OLD.document) o USING (key)
          WHERE n.value IS DISTINCT FROM o.value AND key <> '${skippedKey}');
        IF cardinality(changed) > 0 THEN
          DELETE FROM twins.twin_properties WHERE twin_id = OLD.id AND path[1] = ANY(changed);
          INSERT INTO twins.twin_properties SELECT NEW.id, p.*
          FROM twins.document_properties((SELECT jsonb_object_agg(key, value) FROM jsonb_each(NEW.document) WHERE key = ANY(changed))) p;
        END IF;
        RETURN NULL;
      END $$`);
  }
}
