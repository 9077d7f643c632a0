-- constant and stable defaults are stored once in the catalog (PostgreSQL 11+): no rewrite
ALTER TABLE accounts ADD COLUMN state text NOT NULL DEFAULT 'new';
ALTER TABLE accounts ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE accounts ADD COLUMN at timestamp DEFAULT timezone('utc', now());
ALTER TABLE accounts ADD COLUMN tags text[] DEFAULT '{}'::varchar(20)[];
ALTER TABLE accounts ADD COLUMN meta jsonb DEFAULT jsonb_build_object('v', 1);
ALTER TABLE accounts ADD COLUMN token uuid;
ALTER TABLE accounts ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) VIRTUAL;
VACUUM accounts;
VACUUM (VERBOSE, ANALYZE) accounts;
-- a table created earlier in the file is empty
CREATE TABLE IF NOT EXISTS fresh (id int);
ALTER TABLE fresh ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE fresh ADD COLUMN n bigserial;
