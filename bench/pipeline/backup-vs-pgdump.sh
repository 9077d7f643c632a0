#!/usr/bin/env bash
# Budget (DESIGN section 9): `prodguard backup` within 1.10x of plain `pg_dump -Fc` of the same
# database (at least 1 GB of rows) to the same disk, measured side by side, alternating, after a
# warm-up dump. prodguard's time includes JVM start, fingerprint check, client version check,
# streaming SHA-256, fsync, pg_restore --list and the state update. Needs the test servers and the
# jar (./mvnw package).
#
#   bench/pipeline/backup-vs-pgdump.sh [rounds] [rows]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds=${1:-3}
rows=${2:-9000000}
db=pgbench_backup
jar=$PWD/prodguard-cli/target/prodguard.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw -B -DskipTests package" >&2; exit 2; }
work=${BENCH_DIR:-$(mktemp -d /tmp/pg-bench-backup.XXXXXX)}
mkdir -p "$work/repo/db/migration" "$work/plain"
psql_() { psql -h 127.0.0.1 -U postgres -qAt "$@"; }
now() { date +%s.%N; }

if [ "$(psql_ -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 0 ]; then
  echo "creating $db with $rows rows (once)..." >&2
  psql_ -d postgres -c "CREATE DATABASE $db"
  psql_ -d $db -c "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b,
      repeat(chr(97 + g % 26), 40) AS c, now() - (g || ' seconds')::interval AS t
      FROM generate_series(1, $rows) g" -c "ALTER TABLE big ADD PRIMARY KEY (id)" -c "VACUUM ANALYZE big"
fi
size=$(psql_ -d $db -c "SELECT pg_size_pretty(pg_database_size('$db'))")
bytes=$(psql_ -d $db -c "SELECT pg_database_size('$db')")
echo "database $db: $size" >&2
[ "$bytes" -ge 1000000000 ] || { echo "database is smaller than 1 GB; pass more rows" >&2; exit 2; }

cd "$work/repo"
cat > prodguard.yml <<YAML
environments:
  prod:
    url: \${PROD_DATABASE_URL}
    protected: true
backup: { directory: $work/backups }
YAML
printf 'SELECT 1;\n' > db/migration/V1__noop.sql
export CI=true GITHUB_SHA=bench GITHUB_ACTOR=bench PROD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$db
java -jar "$jar" init-fingerprint prod --write-config >/dev/null 2>&1 || java -jar "$jar" init-fingerprint prod >/dev/null
fp=$(psql_ -d $db -c "SELECT fingerprint FROM database_metadata")
grep -q fingerprint prodguard.yml || sed -i "s|    protected: true|    fingerprint: $fp\n    protected: true|" prodguard.yml

echo "warm-up dump..." >&2
pg_dump -h 127.0.0.1 -U postgres -Fc -f "$work/plain/warmup.dump" $db
rm -f "$work/plain/warmup.dump"

plain=() guarded=()
for r in $(seq 1 "$rounds"); do
  t0=$(now); pg_dump -h 127.0.0.1 -U postgres -Fc -f "$work/plain/r$r.dump" $db; t1=$(now)
  plain+=("$(echo "$t1 - $t0" | bc)")
  psize=$(stat -c %s "$work/plain/r$r.dump"); rm -f "$work/plain/r$r.dump"

  java -jar "$jar" verify prod >/dev/null
  t0=$(now); java -jar "$jar" backup prod >/dev/null; t1=$(now)
  guarded+=("$(echo "$t1 - $t0" | bc)")
  gsize=$(du -b "$work"/backups/*.dump | tail -1 | cut -f1); rm -f "$work"/backups/*.dump
  printf 'round %d: pg_dump -Fc %.2f s (%d bytes), prodguard backup %.2f s (%d bytes)\n' \
    "$r" "${plain[-1]}" "$psize" "${guarded[-1]}" "$gsize"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mp=$(median "${plain[@]}"); mg=$(median "${guarded[@]}")
ratios=()
for i in "${!plain[@]}"; do ratios+=("$(echo "${guarded[$i]} / ${plain[$i]}" | bc -l)"); done
printf 'database %s, median of %d: pg_dump -Fc %.2f s, prodguard backup %.2f s, ratio of medians %.3f, median per-round ratio %.3f (budget 1.10); load average %s\n' \
  "$size" "$rounds" "$mp" "$mg" "$(echo "$mg / $mp" | bc -l)" "$(median "${ratios[@]}")" "$(cut -d' ' -f1-3 /proc/loadavg)"
