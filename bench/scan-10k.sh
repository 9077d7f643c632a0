#!/usr/bin/env bash
# Benchmark of `prodguard scan` (DESIGN section 9 / issue 7 budget: a 10,000-file repository in
# under 5 s, JVM start included). Generates a git repository of 10,000 files of mixed kinds
# (Java, Kotlin, properties, YAML, SQL, shell, JSON, XML, Markdown), a few of which contain
# findings, then times `./prodguard scan` on it. Not a test: run it by hand and note the figure.
#
#   bench/scan-10k.sh [RUNS]     (default 3 runs; keeps nothing unless KEEP=1)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
files=10000
repo="$(mktemp -d "${TMPDIR:-/tmp}/prodguard-scan-10k.XXXXXX")"
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$repo"' EXIT

java_file() { # $1 index
  local i=$1 pkg="com.acme.shop.m$((i % 50))"
  cat <<JAVA
package $pkg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Order service number $i: plain business code, nothing the scan should report. */
public final class Service$i {
  private final Map<String, Integer> stock;
  private final List<String> audit = new ArrayList<>();

  public Service$i(Map<String, Integer> stock) {
    this.stock = Objects.requireNonNull(stock);
  }

  public int reserve(String sku, int quantity) {
    int available = stock.getOrDefault(sku, 0);
    if (quantity <= 0 || quantity > available) {
      audit.add("refused " + sku + " x" + quantity);
      return 0;
    }
    stock.put(sku, available - quantity);
    audit.add("reserved " + sku + " x" + quantity);
    return quantity;
  }

  public List<String> audit() {
    return List.copyOf(audit);
  }

  @Override
  public String toString() {
    return "Service$i" + stock;
  }
}
JAVA
}

echo "generating $files files in $repo ..." >&2
cd "$repo"
git init -q
mkdir -p src/main/java src/main/resources/db/migration src/test/java scripts docs config web
for ((i = 0; i < files; i++)); do
  case $((i % 20)) in
    0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9)
      d="src/main/java/com/acme/shop/m$((i % 50))"; mkdir -p "$d"
      java_file "$i" >"$d/Service$i.java" ;;
    10 | 11)
      d="src/test/java/com/acme/shop/m$((i % 50))"; mkdir -p "$d"
      java_file "$i" | sed "s/class Service$i/class Service${i}Test/; s/public Service$i(/public Service${i}Test(/" >"$d/Service${i}Test.java" ;;
    12)
      printf 'create table t_%d (\n  id bigint primary key,\n  name varchar(200) not null,\n  created_at timestamp not null default now()\n);\ncreate index t_%d_name on t_%d (name);\n' "$i" "$i" "$i" \
        >"src/main/resources/db/migration/V${i}__table_${i}.sql" ;;
    13)
      d="config/svc$((i % 100))"; mkdir -p "$d"
      printf 'server.port=%d\nspring.datasource.url=${DATABASE_URL}\nspring.jpa.hibernate.ddl-auto=validate\nspring.flyway.locations=classpath:db/migration\nmanagement.endpoints.web.exposure.include=health,info\n' "$((8000 + i % 1000))" \
        >"$d/application-$i.properties" ;;
    14)
      d="config/svc$((i % 100))"; mkdir -p "$d"
      printf 'spring:\n  application:\n    name: svc-%d\n  jpa:\n    hibernate:\n      ddl-auto: validate\nlogging:\n  level:\n    root: INFO\n    com.acme: DEBUG\n' "$i" \
        >"$d/app-$i.yml" ;;
    15)
      printf '#!/bin/sh\nset -eu\n# housekeeping job %d\nfind /var/tmp/shop -mtime +7 -delete\necho "done %d"\n' "$i" "$i" >"scripts/job-$i.sh" ;;
    16)
      printf '{\n  "name": "widget-%d",\n  "version": "1.0.%d",\n  "scripts": { "build": "tsc -p .", "test": "jest" }\n}\n' "$i" "$i" \
        >"web/widget-$i.json" ;;
    17)
      printf '# Note %d\n\nHow the shop computes prices for region %d. Prices are stored in cents;\nrounding happens once, at checkout.\n' "$i" "$((i % 30))" \
        >"docs/note-$i.md" ;;
    18)
      d="src/main/kotlin/com/acme/k$((i % 20))"; mkdir -p "$d"
      printf 'package com.acme.k%d\n\ndata class Price%d(val cents: Long, val currency: String) {\n    fun plus(o: Price%d) = Price%d(cents + o.cents, currency)\n}\n' "$((i % 20))" "$i" "$i" "$i" \
        >"$d/Price$i.kt" ;;
    19)
      d="modules/mod$((i % 40))"; mkdir -p "$d"
      printf '<project>\n  <modelVersion>4.0.0</modelVersion>\n  <artifactId>mod-%d</artifactId>\n  <dependencies>\n    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>\n  </dependencies>\n</project>\n' "$i" \
        >"$d/pom-$i.xml" ;;
  esac
done
# a handful of real findings, so the rules have work to report
printf 'export SKIP_CI_CHECK=1\n' >scripts/job-15.sh
printf 'deploy:\n\tCI=true ./mvnw flyway:migrate\n' >Makefile
printf 'spring.flyway.clean-disabled=false\n' >config/svc13/application-13.properties
count=$(git ls-files --others --exclude-standard | wc -l)
git add -A
git -c user.name=bench -c user.email=bench@example.com commit -q -m "generated"
echo "repository: $(git ls-files | wc -l) tracked files ($count generated), $(du -sh . | cut -f1)" >&2

cd "$here"
[ -f prodguard-cli/target/prodguard.jar ] || ./prodguard --version >/dev/null
best=""
for ((r = 1; r <= runs; r++)); do
  start=$(date +%s%N)
  set +e
  ./prodguard scan "$repo" >/tmp/prodguard-scan-10k.out 2>&1
  exit_code=$?
  set -e
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  echo "run $r: ${ms} ms (exit $exit_code: $(tail -3 /tmp/prodguard-scan-10k.out | head -1))"
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "best of $runs: ${best} ms for $files files (budget 5000 ms, JVM start included)"
[ "$best" -lt 5000 ]
