-- PostgreSQL runs DDL in the migration's transaction
CREATE TABLE a (id int);
ALTER TABLE a ADD COLUMN b int;
