import { PROPERTY_INDEX_LIMITS } from '@odt/query';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const { maxPathBytes, stringPrefixChars, skippedKey } = PROPERTY_INDEX_LIMITS;

/**
 * The property index: one row per property path of each twin's document (every object member,
 * at any depth, not inside arrays, not under `$metadata`), typed — `kind` is the JSON type, and
 * `num`, `str` or `bool` holds a number, string or boolean — with a btree per type, so the query
 * compiler answers `=`, `<`, `IN`, `STARTSWITH`, `IS_DEFINED`… on any property from an index
 * (docs/query.md). Statement triggers on `twins.twins` keep it exact in the writing statement,
 * whichever service or statement writes twins: an UPDATE rewrites only the paths whose value
 * changed. It replaces the GIN index on documents, which served equalities only.
 */
export class TwinProperties1764000000008 implements MigrationInterface {
  name = 'TwinProperties1764000000008';

  async up(q: QueryRunner): Promise<void> {
    // Writes wait while the index is filled and the triggers are set up, so none is missed.
    await q.query(`LOCK TABLE twins.twins IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`
      CREATE TABLE twins.twin_properties (
        twin_id text NOT NULL,
        path text[] NOT NULL,
        -- jsonb_typeof's first letter: n(umber) s(tring) b(oolean) z (null) o(bject) a(rray)
        kind "char" NOT NULL,
        num numeric,
        str text COLLATE "C",
        bool boolean,
        PRIMARY KEY (twin_id, path)
      )`);
    await q.query(`
      CREATE FUNCTION twins.document_properties(document jsonb)
      RETURNS TABLE (path text[], kind "char", num numeric, str text, bool boolean)
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH RECURSIVE member(path, value) AS (
          SELECT ARRAY[e.key], e.value FROM jsonb_each(document) e WHERE e.key <> '${skippedKey}'
          UNION ALL
          SELECT m.path || e.key, e.value
          FROM member m, jsonb_each(CASE WHEN jsonb_typeof(m.value) = 'object' THEN m.value ELSE '{}'::jsonb END) e
          WHERE e.key <> '${skippedKey}'
        )
        SELECT m.path,
          CASE t WHEN 'null' THEN 'z' ELSE left(t, 1) END::"char",
          CASE WHEN t = 'number' THEN m.value::numeric END,
          CASE WHEN t = 'string' THEN m.value #>> '{}' END,
          CASE WHEN t = 'boolean' THEN m.value::boolean END
        FROM member m, jsonb_typeof(m.value) t
        WHERE octet_length(array_to_string(m.path, '')) <= ${maxPathBytes}
      $$`);
    // Inserts by statement (a bulk insert is one INSERT … SELECT); updates and deletes by row, each
    // an index lookup by twin. An update rewrites the paths under the top-level members whose value
    // changed, found from the two documents alone (the rows hold the old document's properties).
    await q.query(`
      CREATE FUNCTION twins.twin_properties_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
      BEGIN
        INSERT INTO twins.twin_properties SELECT i.id, p.* FROM inserted i, twins.document_properties(i.document) p;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION twins.twin_properties_change() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
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
    await q.query(`
      CREATE FUNCTION twins.twin_properties_truncate() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
      BEGIN
        TRUNCATE twins.twin_properties;
        RETURN NULL;
      END $$`);
    await q.query(`INSERT INTO twins.twin_properties SELECT t.id, p.* FROM twins.twins t, twins.document_properties(t.document) p`);
    // Each type's values by path; the string index keeps a prefix (entries stay under btree's limit).
    // INCLUDE (twin_id): the twins a number range or a type selects come from the index alone.
    await q.query(`CREATE INDEX twin_properties_num ON twins.twin_properties (path, num) INCLUDE (twin_id) WHERE num IS NOT NULL`);
    await q.query(`CREATE INDEX twin_properties_str ON twins.twin_properties (path, substr(str, 1, ${stringPrefixChars})) WHERE str IS NOT NULL`);
    // Every path (IS_DEFINED, type checks, null) and booleans.
    await q.query(`CREATE INDEX twin_properties_kind ON twins.twin_properties (path, kind, bool) INCLUDE (twin_id)`);
    // Equalities now read the property index too; the GIN index would only cost writes.
    await q.query(`DROP INDEX IF EXISTS twins.twins_document`);
    await q.query(`CREATE TRIGGER twin_properties_insert AFTER INSERT ON twins.twins REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION twins.twin_properties_insert()`);
    await q.query(`CREATE TRIGGER twin_properties_update AFTER UPDATE OF id, document ON twins.twins FOR EACH ROW WHEN (OLD.document IS DISTINCT FROM NEW.document OR OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION twins.twin_properties_change()`);
    await q.query(`CREATE TRIGGER twin_properties_delete AFTER DELETE ON twins.twins FOR EACH ROW EXECUTE FUNCTION twins.twin_properties_change()`);
    await q.query(`CREATE TRIGGER twin_properties_truncate AFTER TRUNCATE ON twins.twins FOR EACH STATEMENT EXECUTE FUNCTION twins.twin_properties_truncate()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX twins_document ON twins.twins USING gin (document jsonb_path_ops)`);
    for (const op of ['insert', 'update', 'delete', 'truncate']) await q.query(`DROP TRIGGER twin_properties_${op} ON twins.twins`);
    for (const fn of ['insert', 'change', 'truncate']) await q.query(`DROP FUNCTION twins.twin_properties_${fn}()`);
    await q.query(`DROP TABLE twins.twin_properties`);
    await q.query(`DROP FUNCTION twins.document_properties(jsonb)`);
  }
}
