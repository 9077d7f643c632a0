ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ADD COLUMN id2 bigserial NOT NULL;
CREATE TABLE fresh (id int);
ALTER TABLE fresh ADD COLUMN name text NOT NULL;
