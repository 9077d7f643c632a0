CREATE INDEX orders_created ON orders (created_at);
CREATE UNIQUE INDEX IF NOT EXISTS u ON ONLY app.users USING btree (email);
