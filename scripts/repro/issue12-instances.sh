#!/bin/bash
# Run from anywhere after building the jar (./mvnw -B -DskipTests package); needs the local test servers (scripts/ensure-databases).
# Issue 12 instances end to end through the real CLI jar on PostgreSQL 15 (and MariaDB for the lexing ones).
# usage: repro12.sh JAR
JAR=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/prodguard-cli/target/prodguard.jar}
pg() { java -jar "$JAR" "$@"; }
set -u
W=$(mktemp -d /tmp/repro12.XXXX); cd "$W"
DB=repro12_$$; psql -qAt -h 127.0.0.1 -U postgres -c "create database $DB" >/dev/null
export PROD_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB"
mkdir -p db/migration
cat > prodguard.yml <<Y
environments:
  prod:
    url: \${PROD_DATABASE_URL}
    database: postgresql
    protected: true
migrations: { locations: [db/migration] }
ci: { mode: env }
pipeline: { lock-wait-timeout: 20s }
backup: { directory: .prodguard/backups }
Y
cat > prodguard-contract.yml <<Y
version: 1
protected-tables: { orders: {} }
Y
export CI=true
pg init-fingerprint prod --write-config >/dev/null 2>&1; echo "init-fingerprint exit $?"
printf 'CREATE TABLE orders (id int PRIMARY KEY, v text);\nINSERT INTO orders SELECT g, g::text FROM generate_series(1,20000) g;\nCREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t SELECT g, g::text FROM generate_series(1,20000) g;\n' > db/migration/V1__orders.sql
pg promote prod >/tmp/p1.out 2>&1; echo "promote V1 exit $?"; tail -5 /tmp/p1.out
try() { # name, file content (printf format)
  printf -- "$2" > db/migration/V2__x.sql
  pg lint --env prod >/tmp/l.out 2>&1; l=$?
  pg verify prod >/tmp/v.out 2>&1; v=$?
  n=$(psql -qAt -h 127.0.0.1 -U postgres -d $DB -c "select count(*) from orders")
  echo "$1: lint exit $l, verify exit $v, orders rows $n  | $(grep -oE '\[G[0-9]+|\[[a-z-]+\]' /tmp/v.out | sort -u | tr '\n' ' ')"
  rm -f db/migration/V2__x.sql
}
try "bare-CR comment hides DROP" '-- tidy up\rDROP TABLE orders;\n'
try "bare-CR comment hides TRUNCATE" '-- x\rTRUNCATE orders;\n'
try "COMMIT inside migration" 'COMMIT; CREATE TYPE kind AS ENUM (%s); BEGIN;\n' "'a'"
try "CTE DELETE in CREATE TABLE AS" 'CREATE TABLE grab AS WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d;\n'
try "MERGE ON true DELETE" 'MERGE INTO orders USING (SELECT 1 AS x) s ON true WHEN MATCHED THEN DELETE;\n'
try "CREATE RULE DO ALSO DELETE" 'CREATE RULE wipe AS ON INSERT TO orders DO ALSO DELETE FROM orders;\n'
try "COPY TO PROGRAM" "COPY (SELECT 1) TO PROGRAM 'true';\n"
try "CREATE WIDGET" 'CREATE WIDGET x;\n'
try "DELETE FROM prodguard_audit" 'SET session_replication_role = replica; DELETE FROM prodguard_audit;\n'
try "UPDATE database_metadata" "UPDATE database_metadata SET environment = 'dev';\n"
try "DELETE WHERE true" 'DELETE FROM orders WHERE true;\n'
# CREATE INDEX CONCURRENTLY deploys in seconds
printf 'CREATE INDEX CONCURRENTLY t_v ON t (v);\n' > db/migration/V2__idx.sql
s=$(date +%s.%N); timeout 120 java -jar "$JAR" promote prod >/tmp/p.out 2>&1; rc=$?; e=$(date +%s.%N)
echo "CREATE INDEX CONCURRENTLY promote: exit $rc in $(echo "$e - $s" | bc | cut -c1-5) s; index valid: $(psql -qAt -h 127.0.0.1 -U postgres -d $DB -c "select indisvalid from pg_index where indexrelid='t_v'::regclass")"
# a named contract that cannot be read
sed -i 's/^backup:/contract: missing.yml\nbackup:/' prodguard.yml
pg lint --env prod >/dev/null 2>&1; echo "missing named contract: lint exit $?"
psql -qAt -h 127.0.0.1 -U postgres -c "drop database $DB with (force)" >/dev/null
rm -rf "$W"
