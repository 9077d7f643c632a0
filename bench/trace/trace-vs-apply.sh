#!/usr/bin/env bash
# Budget (DESIGN section 9): `prodguard trace` within 2x of applying the same migrations to an
# empty scratch database plus the schema copy, on a schema of 200 tables. Needs the PostgreSQL test
# server (scripts/ensure-databases) and the jar (./mvnw -B -DskipTests package).
#
#   bench/trace/trace-vs-apply.sh [rounds] [tables] [pending] [scratch]
#
# scratch: embedded (default) - trace runs on its default, an embedded PostgreSQL of the target's
#          major version (binaries cached beforehand by a warm-up trace, so no download is timed):
#          its initdb and start count against trace; server - trace's scratch server is
#          $SCRATCH_SERVER_URL, a PostgreSQL server other than the target's (trace refuses the
#          target's own server as scratch, docs/trace.md).
#
# The target: 200 tables (id, name, amount, created; a primary key, an index, 1,000 rows each)
# deployed by prodguard; then 20 pending migrations (add a column with a constant default, an
# index, a foreign key, a check, a type change) over 20 of the tables.
# Side A: `prodguard trace dev --format json` (JVM start, pending set, pg_dump --schema-only into a
#         scratch database, statement-by-statement replay with the catalog probes, sizes).
# Side B: the same schema copy by hand (createdb, pg_dump --schema-only | psql), then the pending
#         migrations applied there with psql, one transaction per file, as Flyway would.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds=${1:-3}
tables=${2:-200}
pending=${3:-20}
scratch_mode=${4:-embedded}
case "$scratch_mode" in server|embedded) ;; *) echo "scratch must be server or embedded" >&2; exit 2 ;; esac
jar=$PWD/prodguard-cli/target/prodguard.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw -B -DskipTests package" >&2; exit 2; }
work=$(mktemp -d /tmp/pg-bench-trace.XXXXXX)
target=pgbench_trace_target_$$
admin() { psql -h 127.0.0.1 -U postgres -d postgres -qAtc "$1" >/dev/null; }
cleanup() { admin "DROP DATABASE IF EXISTS $target WITH (FORCE)" || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/repo/db/migration" "$work/pending"

for i in $(seq 1 "$tables"); do
  printf 'CREATE TABLE t%d (id bigint PRIMARY KEY, name text NOT NULL, amount int, created timestamptz NOT NULL DEFAULT now());\nCREATE INDEX t%d_name ON t%d (name);\nINSERT INTO t%d (id, name, amount) SELECT g, %s, g %% 100 FROM generate_series(1, 1000) g;\n' \
    "$i" "$i" "$i" "$i" "'row ' || g" > "$work/repo/db/migration/V${i}__table_$i.sql"
done
cat > "$work/repo/prodguard.yml" <<YAML
environments:
  dev:
    url: \${DEV_DATABASE_URL}
YAML
export DEV_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$target
if [ "$scratch_mode" = server ]; then
  : "${SCRATCH_SERVER_URL:?scratch=server needs SCRATCH_SERVER_URL, a PostgreSQL server other than the target}"
  export PRODGUARD_TRACE_SCRATCH_URL=$SCRATCH_SERVER_URL
else
  unset PRODGUARD_TRACE_SCRATCH_URL
fi
admin "CREATE DATABASE $target"
(cd "$work/repo" && java -jar "$jar" init-fingerprint dev --write-config >/dev/null &&
  java -jar "$jar" deploy dev >/dev/null)
psql -h 127.0.0.1 -U postgres -d "$target" -qAtc "ANALYZE" >/dev/null

for j in $(seq 1 "$pending"); do
  v=$((tables + j)); t=$j; p=$((j + 1))
  case $((j % 5)) in
    0) sql="ALTER TABLE t$t ADD COLUMN flag boolean NOT NULL DEFAULT false;" ;;
    1) sql="CREATE INDEX t${t}_amount ON t$t (amount);" ;;
    2) sql="ALTER TABLE t$t ADD COLUMN parent bigint; ALTER TABLE t$t ADD CONSTRAINT t${t}_parent FOREIGN KEY (parent) REFERENCES t$p (id);" ;;
    3) sql="ALTER TABLE t$t ADD CONSTRAINT t${t}_amount_ok CHECK (amount >= 0);" ;;
    4) sql="ALTER TABLE t$t ALTER COLUMN amount TYPE bigint;" ;;
  esac
  echo "$sql" > "$work/repo/db/migration/V${v}__change_$j.sql"
  echo "$sql" > "$work/pending/$(printf '%05d' "$v").sql"
done

if [ "$scratch_mode" = embedded ]; then
  # warm-up: fills the binaries cache (a download on the first run ever), untimed
  (cd "$work/repo" && java -jar "$jar" trace dev --format json > /dev/null || [ $? -eq 1 ])
fi
now() { date +%s.%N; }
trace_times=() apply_times=() copy_times=()
for r in $(seq 1 "$rounds"); do
  t0=$(now)
  (cd "$work/repo" && java -jar "$jar" trace dev --format json > "$work/trace-$r.json" || [ $? -eq 1 ])
  t1=$(now)
  trace_times+=("$(echo "$t1 - $t0" | bc)")

  scratch=pgbench_trace_scratch_$r
  t0=$(now)
  admin "CREATE DATABASE $scratch"
  pg_dump -h 127.0.0.1 -U postgres --schema-only --no-owner --no-privileges "$target" |
    psql -h 127.0.0.1 -U postgres -d "$scratch" -q -v ON_ERROR_STOP=1 >/dev/null
  t1=$(now)
  for f in "$work"/pending/*.sql; do
    psql -h 127.0.0.1 -U postgres -d "$scratch" -q -v ON_ERROR_STOP=1 --single-transaction -f "$f" >/dev/null
  done
  t2=$(now)
  admin "DROP DATABASE $scratch WITH (FORCE)"
  copy_times+=("$(echo "$t1 - $t0" | bc)")
  apply_times+=("$(echo "$t2 - $t0" | bc)")
  printf 'round %d: trace %.2f s (inside: copy %s ms, replay %s ms); copy + apply by hand %.2f s (copy %.2f s)\n' \
    "$r" "${trace_times[-1]}" \
    "$(grep -o '"copy_millis" *: *[0-9]*' "$work/trace-$r.json" | grep -o '[0-9]*$')" \
    "$(grep -o '"replay_millis" *: *[0-9]*' "$work/trace-$r.json" | grep -o '[0-9]*$')" \
    "${apply_times[-1]}" "${copy_times[-1]}"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mt=$(median "${trace_times[@]}"); ma=$(median "${apply_times[@]}")
printf '%s scratch, %d tables, %d pending migrations, median of %d: trace %.2f s, schema copy + apply %.2f s, ratio %.2f (budget 2.0); findings %s; load average %s\n' \
  "$scratch_mode" "$tables" "$pending" "$rounds" "$mt" "$ma" "$(echo "$mt / $ma" | bc -l)" \
  "$(grep -o '"rule" *: *"[a-z-]*"' "$work/trace-1.json" | grep -o 'trace-[a-z-]*' | sort | uniq -c | tr -s ' ' | tr '\n' ',')" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
