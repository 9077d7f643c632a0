#!/usr/bin/env bash
# Budget (DESIGN section 9): `prodguard deploy` wall time within 1.15x of plain Flyway `migrate`
# on the same 200 generated migrations, backup excluded, measured side by side (JVM start included
# on both sides). Needs the test servers (scripts/ensure-databases) and the jar (./mvnw package).
#
#   bench/pipeline/deploy-vs-flyway.sh [postgresql|mariadb] [rounds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
kind=${1:-postgresql}
rounds=${2:-5}
jar=$PWD/prodguard-cli/target/prodguard.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw -B -DskipTests package" >&2; exit 2; }
work=$(mktemp -d /tmp/pg-bench-deploy.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/classes" "$work/repo/db/migration"
javac -d "$work/classes" -cp "$jar" bench/pipeline/PlainFlywayMigrate.java

# 200 migrations: a table, an index and 100 rows each.
for i in $(seq 1 200); do
  if [ "$kind" = postgresql ]; then
    printf 'CREATE TABLE t%d (id serial PRIMARY KEY, name text NOT NULL, created timestamptz NOT NULL DEFAULT now());\nCREATE INDEX t%d_name ON t%d (name);\nINSERT INTO t%d (name) SELECT %s FROM generate_series(1, 100) g;\n' \
      "$i" "$i" "$i" "$i" "'row ' || g" > "$work/repo/db/migration/V${i}__table_$i.sql"
  else
    printf 'CREATE TABLE t%d (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));\nCREATE INDEX t%d_name ON t%d (name);\nINSERT INTO t%d (name) SELECT CONCAT(%s, seq) FROM seq_1_to_100;\n' \
      "$i" "$i" "$i" "$i" "'row '" > "$work/repo/db/migration/V${i}__table_$i.sql"
  fi
done

# Plain Flyway reads its own copy: init-fingerprint writes prodguard's beforeEachMigrate.sql callback
# (G6) into the repository's folder, which a database without prodguard's objects refuses.
cp -r "$work/repo/db/migration" "$work/plain-migration"

admin() {
  if [ "$kind" = postgresql ]; then psql -h 127.0.0.1 -U postgres -d postgres -qAtc "$1" >/dev/null
  else mariadb -h 127.0.0.1 -uroot --skip-ssl -e "$1"; fi
}
url() { if [ "$kind" = postgresql ]; then echo "postgresql://postgres@127.0.0.1:5432/$1"; else echo "mariadb://root@127.0.0.1:3306/$1?sslMode=disable"; fi; }
jdbc() { if [ "$kind" = postgresql ]; then echo "jdbc:postgresql://127.0.0.1:5432/$1"; else echo "jdbc:mariadb://127.0.0.1:3306/$1?sslMode=disable"; fi; }
user() { if [ "$kind" = postgresql ]; then echo postgres; else echo root; fi; }
drop() { if [ "$kind" = postgresql ]; then admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; else admin "DROP DATABASE IF EXISTS $1"; fi; }
now() { date +%s.%N; }

# MariaDB has no DDL triggers: a protected environment deploys with a credential of its own
# (deploy-url) while its url is an application account without schema privileges (G6 role split).
deploy_url_line=""
app_user=""
if [ "$kind" = mariadb ]; then
  app_user=pgbench_app_$$
  admin "CREATE USER '$app_user'@'%'"
  cleanup() { admin "DROP USER IF EXISTS '$app_user'@'%'" || true; rm -rf "$work"; }
  trap cleanup EXIT
  deploy_url_line="    deploy-url: \${PROD_DEPLOY_DATABASE_URL}"
fi
app_url() { echo "mariadb://$app_user@127.0.0.1:3306/$1?sslMode=disable"; }

cat > "$work/repo/prodguard.yml" <<YAML
environments:
  prod:
    url: \${PROD_DATABASE_URL}
$deploy_url_line
    protected: true
backup: { directory: $work/backups }
YAML
cp "$work/repo/prodguard.yml" "$work/prodguard.yml.template"

flyway_times=() deploy_times=()
for r in $(seq 1 "$rounds"); do
  plain=pgbench_plain_$r guarded=pgbench_guarded_$r
  drop $plain; drop $guarded; admin "CREATE DATABASE $plain"; admin "CREATE DATABASE $guarded"

  t0=$(now)
  java -cp "$jar:$work/classes" PlainFlywayMigrate "$(jdbc $plain)" "$(user)" "$work/plain-migration" >/dev/null
  t1=$(now)
  flyway_times+=("$(echo "$t1 - $t0" | bc)")

  cp "$work/prodguard.yml.template" "$work/repo/prodguard.yml"
  export CI=true GITHUB_SHA=bench GITHUB_ACTOR=bench PROD_DATABASE_URL=$(url $guarded)
  if [ "$kind" = mariadb ]; then
    admin "GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON $guarded.* TO '$app_user'@'%'"
    export PROD_DEPLOY_DATABASE_URL=$(url $guarded) PROD_DATABASE_URL=$(app_url $guarded)
  fi
  (cd "$work/repo" && java -jar "$jar" init-fingerprint prod --write-config >/dev/null &&
    java -jar "$jar" verify prod >/dev/null && java -jar "$jar" backup prod >/dev/null)
  t0=$(now)
  (cd "$work/repo" && java -jar "$jar" deploy prod >/dev/null)
  t1=$(now)
  deploy_times+=("$(echo "$t1 - $t0" | bc)")
  printf 'round %d: plain Flyway %.2f s, prodguard deploy %.2f s\n' "$r" "${flyway_times[-1]}" "${deploy_times[-1]}"
  drop $plain; drop $guarded
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratios=()
for i in "${!flyway_times[@]}"; do ratios+=("$(echo "${deploy_times[$i]} / ${flyway_times[$i]}" | bc -l)"); done
mf=$(median "${flyway_times[@]}"); md=$(median "${deploy_times[@]}"); mr=$(median "${ratios[@]}")
printf '%s, 200 migrations, median of %d: plain Flyway %.2f s, prodguard deploy %.2f s, ratio of medians %.3f, median per-round ratio %.3f (budget 1.15); load average %s\n' \
  "$kind" "$rounds" "$mf" "$md" "$(echo "$md / $mf" | bc -l)" "$mr" "$(cut -d' ' -f1-3 /proc/loadavg)"
