-- prodguard sync objects, version 1, PostgreSQL: sync before-images: prodguard_sync_change.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_sync_change ( run_id text NOT NULL, seq bigint NOT NULL, table_name text NOT NULL, op text NOT NULL, row_key text NOT NULL, before_image text, after_image text, PRIMARY KEY (run_id, seq))
;
