#!/bin/bash
# Run from anywhere after building the jar (./mvnw -B -DskipTests package); needs the local test servers (scripts/ensure-databases).
# Issue 14 part A instances through the jar: lint and verify exit codes (0 ok, 1 refused, 2 configuration error) and the rule or guarantee.
JAR=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/prodguard-cli/target/prodguard.jar}
pg() { java -jar "$JAR" "$@"; }
W=$(mktemp -d /tmp/i14a.XXXX); cd "$W"
DB=i14a_$$; psql -qAt -h 127.0.0.1 -U postgres -c "create database $DB" >/dev/null
export PROD_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB" CI=true
mkdir -p db/migration
printf 'environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    database: postgresql\n    protected: true\nci: { mode: env }\nbackup: { directory: .prodguard/backups }\n' > prodguard.yml
printf 'version: 1\n' > prodguard-contract.yml
pg init-fingerprint prod --write-config >/dev/null 2>&1 || echo "init-fingerprint failed"
echo 'CREATE TABLE t (id int PRIMARY KEY);' > db/migration/V1__base.sql
pg promote prod >/dev/null 2>&1 || echo "V1 promote failed"
try() { # label, sql, [conf], [name]
  name=${4:-V2__x.sql}
  printf '%s\n' "$2" > "db/migration/$name"
  [ -n "$3" ] && printf '%b' "$3" > "db/migration/$name.conf"
  pg lint --env prod >/tmp/i14a-l.out 2>&1; l=$?
  pg verify prod >/tmp/i14a-v.out 2>&1; v=$?
  echo "$1: lint $l $(grep -oE '\[(deploy-will-fail|unknown-statement)\]' /tmp/i14a-l.out | sort -u | tr '\n' ' ')| verify $v $(grep -oE 'refused \[G[0-9]+|configuration error' /tmp/i14a-v.out | head -1)"
  rm -f "db/migration/$name" "db/migration/$name.conf"
}
try "placeholder without value in a name" 'CREATE TABLE ${prefix}_items (id int);'
try "placeholder without value in a literal" "SELECT 'Hello \${customer}';"
try "mixed ADD COLUMN + CREATE INDEX CONCURRENTLY" $'ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY t_c ON t (c);'
try "REINDEX CONCURRENTLY without .conf" 'REINDEX INDEX CONCURRENTLY t_pkey;'
try "REINDEX CONCURRENTLY with executeInTransaction=false (ok)" 'REINDEX INDEX CONCURRENTLY t_pkey;' 'executeInTransaction=false\n'
try "CREATE INDEX CONCURRENTLY forced into a transaction" 'CREATE INDEX CONCURRENTLY t_i ON t (id);' 'executeInTransaction=true\n'
try "unknown .conf key" 'REINDEX INDEX CONCURRENTLY t_pkey;' 'executeInTransactoin=false\n'
try "shouldExecute (Flyway Teams only)" 'SELECT 1;' 'shouldExecute=false\n'
try "placeholderReplacement=false (ok)" "SELECT '\${x}';" 'placeholderReplacement=false\n'
try "lower-case v2__x.sql" 'CREATE TABLE lower_t (id int);' '' 'v2__lower.sql'
printf 'migrations:\n  placeholders:\n    customer: ${CUSTOMER}\n' >> prodguard.yml
try "placeholder from an unset variable" "SELECT 'Hello \${customer}';"
export CUSTOMER=acme; try "placeholder from a set variable (ok)" "SELECT 'Hello \${customer}';"
psql -qAt -h 127.0.0.1 -U postgres -c "drop database $DB with (force)" >/dev/null; rm -rf "$W"
