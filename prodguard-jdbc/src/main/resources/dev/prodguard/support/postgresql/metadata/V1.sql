-- prodguard metadata objects, version 1, PostgreSQL: environment fingerprint (G2): database_metadata.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE database_metadata ( id integer PRIMARY KEY CHECK (id = 1), environment text NOT NULL, fingerprint text NOT NULL, server_identity text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), created_by text NOT NULL)
;
