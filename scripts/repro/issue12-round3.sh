#!/bin/bash
# Run from anywhere after building the jar (./mvnw -B -DskipTests package); needs the local test servers (scripts/ensure-databases).
# Round-3 attacker's PostgreSQL bypasses: lint and verify exit codes on the current jar.
JAR=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/prodguard-cli/target/prodguard.jar}
pg() { java -jar "$JAR" "$@"; }
W=$(mktemp -d /tmp/r3.XXXX); cd "$W"
DB=r3_$$; psql -qAt -h 127.0.0.1 -U postgres -c "create database $DB" >/dev/null
export PROD_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB" CI=true
mkdir -p db/migration
printf 'environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    database: postgresql\n    protected: true\nci: { mode: env }\nbackup: { directory: .prodguard/backups }\n' > prodguard.yml
printf 'version: 1\n' > prodguard-contract.yml
pg init-fingerprint prod --write-config >/dev/null 2>&1
cat > db/migration/V1__base.sql <<'SQL'
CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE, status order_status, v text);
CREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_touch();
INSERT INTO customers SELECT g FROM generate_series(1, 100) g;
INSERT INTO orders (customer_id, status) SELECT g, 'paid' FROM generate_series(1, 100) g;
SQL
pg promote prod >/dev/null 2>&1 || echo "V1 promote failed"
printf 'version: 1\nprotected-tables: { orders: {} }\n' > prodguard-contract.yml
try() {
  printf '%s\n' "$2" > db/migration/V2__x.sql
  pg lint --env prod >/tmp/r3l.out 2>&1; l=$?
  pg verify prod >/tmp/r3v.out 2>&1; v=$?
  echo "$1: lint $l, verify $v $(grep -oE '\[[a-z-]+\]' /tmp/r3v.out | sort -u | tr '\n' ' ')"
  rm -f db/migration/V2__x.sql
}
try "FK cascade DELETE parent" "DELETE FROM customers WHERE id > 0;"
try "FK cascade UPDATE parent" "UPDATE customers SET id = id + 1000 WHERE id > 0;"
try "replace trigger function" 'CREATE OR REPLACE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := NULL; RETURN NEW; END $$;'
try "ALTER TYPE RENAME VALUE" "ALTER TYPE order_status RENAME VALUE 'paid' TO 'refunded';"
try "sequence RESTART" "ALTER SEQUENCE orders_id_seq RESTART WITH 1;"
try "set_config computed name" "SELECT set_config(concat('session_','replication_role'),'replica',false); DELETE FROM customers WHERE id > 0;"
try "ALTER DATABASE read only" "ALTER DATABASE $DB SET default_transaction_read_only = on;"
try "pg_terminate_backend" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid();"
try "lo_unlink" "SELECT lo_unlink(oid) FROM pg_largeobject_metadata;"
try "ALTER SCHEMA RENAME" "ALTER SCHEMA public RENAME TO old_public;"
try "search_path shadow" "CREATE SCHEMA postgres; CREATE TABLE postgres.orders (LIKE public.orders);"
try "pg_advisory_unlock_all" "SELECT pg_advisory_unlock_all();"
try "CLUSTER protected" "CLUSTER orders USING orders_pkey;"
try "setval on protected sequence" "SELECT setval('orders_id_seq', 1);"
try "VACUUM FULL protected" "VACUUM FULL orders;"
try "control: unrelated insert" "INSERT INTO customers VALUES (1001);"
psql -qAt -h 127.0.0.1 -U postgres -c "drop database $DB with (force)" >/dev/null; rm -rf "$W"
