import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The number of twins, kept exact in the same transactions as the twins: `SELECT COUNT() FROM
 * DIGITALTWINS` (with no WHERE) reads these 16 rows instead of passing over every twin. Statement
 * triggers with transition tables add what each INSERT and DELETE changed (one UPDATE per write
 * statement, none when it changed nothing), spread over 16 rows by backend so that concurrent
 * writes seldom wait on one another; the count is their sum.
 */
export class TwinCount1764000000007 implements MigrationInterface {
  name = 'TwinCount1764000000007';

  async up(q: QueryRunner): Promise<void> {
    // Writes wait while the count is taken and the triggers are set up, so none is missed.
    await q.query(`LOCK TABLE twins.twins IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`CREATE TABLE twins.twin_count (shard smallint PRIMARY KEY, n bigint NOT NULL)`);
    await q.query(`INSERT INTO twins.twin_count SELECT s, CASE WHEN s = 0 THEN (SELECT count(*) FROM twins.twins) ELSE 0 END FROM generate_series(0, 15) s`);
    await q.query(`CREATE FUNCTION twins.twin_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE delta bigint;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT count(*) INTO delta FROM inserted;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT -count(*) INTO delta FROM deleted;
        ELSE
          UPDATE twins.twin_count SET n = 0;
          RETURN NULL;
        END IF;
        IF delta <> 0 THEN
          UPDATE twins.twin_count SET n = n + delta WHERE shard = pg_backend_pid() % 16;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER twin_count_insert AFTER INSERT ON twins.twins REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION twins.twin_count_change()`);
    await q.query(`CREATE TRIGGER twin_count_delete AFTER DELETE ON twins.twins REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION twins.twin_count_change()`);
    await q.query(`CREATE TRIGGER twin_count_truncate AFTER TRUNCATE ON twins.twins FOR EACH STATEMENT EXECUTE FUNCTION twins.twin_count_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER twin_count_truncate ON twins.twins`);
    await q.query(`DROP TRIGGER twin_count_delete ON twins.twins`);
    await q.query(`DROP TRIGGER twin_count_insert ON twins.twins`);
    await q.query(`DROP FUNCTION twins.twin_count_change()`);
    await q.query(`DROP TABLE twins.twin_count`);
  }
}
