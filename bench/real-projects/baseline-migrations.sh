#!/usr/bin/env bash
# Issue 14, new-user finding F1: real projects whose Flyway history starts with a baseline
# migration (B<version>__x.sql), taken from local git mirrors at pinned commits (the SQL is never
# committed here). For each: `prodguard lint` must report no deploy-will-fail (it called the B file
# a name Flyway refuses), and on PostgreSQL `prodguard deploy` of a fresh unprotected database must
# apply what plain Flyway (the one in prodguard's jar) applies, leaving the same tables and columns.
#   bench/real-projects/baseline-migrations.sh          (MIRRORS=/work/.mirror, PGHOST 127.0.0.1)
# A mirror is MIRRORS/<owner>+<name>/repo (`git clone --mirror https://github.com/<owner>/<name>`).
# Creates and drops its own databases pg_bm_<pid>_*. Exit 0 only when every check holds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="${PRODGUARD_JAR:-$root/prodguard-cli/target/prodguard.jar}"
mirrors="${MIRRORS:-/work/.mirror}"
pg="${PGURL_BASE:-postgresql://postgres@127.0.0.1:5432}"
work="$(mktemp -d)"
dbs=()
cleanup() {
  for d in "${dbs[@]}"; do psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/PlainFlyway.java" <<'JAVA'
import org.flywaydb.core.Flyway;
public class PlainFlyway { public static void main(String[] a) {
  var r = Flyway.configure().dataSource(a[0], "postgres", "").locations("filesystem:" + a[1])
      .validateMigrationNaming(true).load().migrate();
  System.out.println(r.migrationsExecuted);
}}
JAVA

# repo  commit  folder  dialect
projects=(
  "BBMRI-ERIC/negotiator 03af06b3637bf369e9746da6a2843a6d6777ad77 backend/src/main/resources/db/migration postgresql"
  "eclipse-hawkbit/hawkbit 67ca1c43321e6b5ed091b667bf36d27dab0cf3eb hawkbit-repository/hawkbit-repository-jpa-flyway/src/main/resources/db/migration/POSTGRESQL postgresql"
  "eclipse-hawkbit/hawkbit 67ca1c43321e6b5ed091b667bf36d27dab0cf3eb hawkbit-repository/hawkbit-repository-jpa-flyway/src/main/resources/db/migration/MYSQL mariadb"
)
schema() { # the application's tables and columns, prodguard's and the history table aside
  psql "$1" -Atc "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name NOT LIKE 'prodguard%' AND table_name NOT IN
    ('database_metadata', 'flyway_schema_history') ORDER BY 1"
}
fail=0
i=0
for p in "${projects[@]}"; do
  read -r repo commit folder dialect <<< "$p"
  unset DEV_DATABASE_URL
  i=$((i + 1))
  git="$mirrors/${repo/\//+}/repo"
  dir="$work/p$i"
  mkdir -p "$dir/db/migration"
  git --git-dir="$git" ls-tree --name-only "$commit" "$folder/" | while IFS= read -r f; do
    case "$f" in *.sql) git --git-dir="$git" show "$commit:$f" > "$dir/db/migration/$(basename "$f")" ;; esac
  done
  cp -r "$dir/db/migration" "$dir/plain" # plain Flyway's copy, without prodguard's callback
  b="$(ls "$dir/db/migration" | grep -c '^B' || true)"
  n="$(ls "$dir/db/migration" | wc -l)"
  printf 'environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n    database: %s\nmigrations:\n  locations: [db/migration]\n' "$dialect" > "$dir/prodguard.yml"
  lint="$(cd "$dir" && java -jar "$jar" lint 2>&1 || true)"
  wf="$(grep -c 'deploy-will-fail' <<< "$lint" || true)"
  echo "$repo ($dialect, $n files, $b baseline): lint $(tail -2 <<< "$lint" | head -1)"
  echo "  deploy-will-fail findings: $wf"
  [ "$wf" = 0 ] || fail=1
  [ "$dialect" = postgresql ] || continue
  # adoption as docs/contract.md describes it: the project's history, reviewed once, is a baseline
  # (its own findings are real and are not what this checks)
  newest="$(ls "$dir/db/migration" | sed -n 's/^[VB]\([0-9._]*\)__.*/\1/p' | tr _ . | sort -V | tail -1)"
  printf 'version: 1\nbaseline: { version: "%s", reason: "history of %s at %s" }\n' "$newest" "$repo" "$commit" > "$dir/prodguard-contract.yml"
  # pinned to the history as checked out (baseline.sha256): lint names the digest to write
  pin="$(cd "$dir" && java -jar "$jar" lint 2>&1 | sed -n 's/.*sha256: "\([0-9a-f]\{64\}\)".*/\1/p' | head -1 || true)"
  printf 'version: 1\nbaseline: { version: "%s", reason: "history of %s at %s", sha256: "%s" }\n' "$newest" "$repo" "$commit" "$pin" > "$dir/prodguard-contract.yml"
  ours="pg_bm_$$_${i}_ours"; theirs="pg_bm_$$_${i}_plain"; dbs+=("$ours" "$theirs")
  psql "$pg/postgres" -qc "CREATE DATABASE $ours" -qc "CREATE DATABASE $theirs"
  export DEV_DATABASE_URL="$pg/$ours"
  (cd "$dir" && java -jar "$jar" init-fingerprint dev --write-config > /dev/null 2>&1)
  out="$(cd "$dir" && java -jar "$jar" deploy dev 2>&1 || true)"
  deployed="$(grep -o '[0-9]* migration(s)' <<< "$out" | head -1 || true)"
  [ -n "$deployed" ] || echo "$out" | tail -15
  plain="$(java -cp "$jar" "$work/PlainFlyway.java" "jdbc:postgresql://127.0.0.1:5432/$theirs" "$dir/plain" 2>/dev/null | tail -1 || true)"
  a="$(schema "$pg/$ours")"; t="$(schema "$pg/$theirs")"
  same=$([ "$a" = "$t" ] && echo yes || echo NO)
  echo "  deploy dev: $deployed; plain Flyway: $plain migration(s); same tables and columns ($(grep -c . <<< "$a" || true) lines): $same"
  [ "$deployed" = "$plain migration(s)" ] && [ "$same" = yes ] && [ -n "$a" ] || fail=1
done
[ "$fail" = 0 ] && echo "OK" || { echo "FAILED"; exit 1; }
