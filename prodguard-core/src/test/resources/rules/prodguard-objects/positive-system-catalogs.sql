UPDATE pg_catalog.pg_trigger SET tgenabled = 'D';
UPDATE pg_trigger SET tgenabled = 'D' WHERE tgname LIKE 'guard%';
DELETE FROM pg_event_trigger;
INSERT INTO information_schema.sql_features VALUES ('x');
SELECT * FROM pg_catalog.pg_trigger;
ALTER TABLE pg_catalog.pg_class DISABLE TRIGGER ALL;
DELETE FROM ${flyway:table} WHERE version = '7';
