-- built-in functions, and routines whose bodies the migrations define
SELECT setval('orders_id_seq', (SELECT max(id) FROM orders));
SELECT pg_catalog.set_config('search_path', 'app', false);
INSERT INTO users (id, token) VALUES (gen_random_uuid(), encode(gen_random_bytes(16), 'hex'));
INSERT INTO keys (id) VALUES (uuid_generate_v4());
SELECT n, lower(name), coalesce(x, 0), count(*) FILTER (WHERE y) OVER (PARTITION BY z)
  FROM generate_series(1, 3) AS g(n), t x;
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER stamp BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE FUNCTION total(n int) RETURNS int LANGUAGE sql AS $$ SELECT n * 2 $$;
SELECT total(21);
