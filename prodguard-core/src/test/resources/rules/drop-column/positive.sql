ALTER TABLE orders DROP COLUMN legacy_ref;
ALTER TABLE users DROP nickname, ADD COLUMN x int;
