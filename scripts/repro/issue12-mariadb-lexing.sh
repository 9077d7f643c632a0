#!/bin/bash
# Run from anywhere after building the jar (./mvnw -B -DskipTests package); needs the local test servers (scripts/ensure-databases).
# Issue 12 part 1 on MariaDB: lint judges by the server's own comment rules, and never by unresolved ${...} text.
JAR=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/prodguard-cli/target/prodguard.jar}
W=$(mktemp -d /tmp/repro12m.XXXX); cd "$W"; mkdir -p db/migration
printf 'version: 1\nprotected-tables: { t: {} }\n' > prodguard-contract.yml
for db in "" "    database: mariadb"; do
cat > prodguard.yml <<Y
environments:
  prod:
    url: \${PROD_DATABASE_URL}
$db
    protected: true
Y
  for f in '/* /* */ DROP TABLE t; */\n' '/*!99999 DROP TABLE t */;\n' '/*!100000 DROP TABLE t */;\n' 'SELECT 1 -- x\rDROP TABLE t;\n'; do
    printf -- "$f" > db/migration/V2__x.sql
    env -u PROD_DATABASE_URL java -jar "$JAR" lint --env prod > out 2>&1; rc=$?
    echo "[${db:-no database: key, URL unset}] $(printf -- "$f" | tr '\r\n' '~ ' ): lint exit $rc $(grep -oE '\[[a-z-]+\]' out | sort -u | tr '\n' ' ')"
  done
done
rm -rf "$W"
