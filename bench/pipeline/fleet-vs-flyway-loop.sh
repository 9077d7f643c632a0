#!/usr/bin/env bash
# Budget (DESIGN section 9, issue 18): `prodguard promote --fleet` over N PostgreSQL databases
# (verify, backup with pg_dump -Fc and its checks, deploy: every per-database guarantee) at least
# 5x faster than a sequential loop of plain Flyway `migrate` processes over the same number of
# databases (no backup on that side), side by side in one run; memory bounded (-Xmx, peak RSS).
# Needs the test servers (scripts/ensure-databases) and the jar (./mvnw -B -DskipTests package).
#
#   bench/pipeline/fleet-vs-flyway-loop.sh [databases=200] [parallel=prodguard's default] [heap=256m]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n=${1:-200}
parallel=${2:-}
heap=${3:-256m}
# BENCH_DB_PREFIX: the databases' name prefix (a session running beside another picks its own)
prefix=${BENCH_DB_PREFIX:-fleetb}
jar=$PWD/prodguard-cli/target/prodguard.jar
launcher=$PWD/prodguard # as users run it: its JVM flags for the command, the CDS archive
[ -f "$jar" ] || { echo "build the jar first: ./mvnw -B -DskipTests package" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
# BENCH_WORK=DIR: time a set-up made before with BENCH_STOP_AFTER_SETUP=1 (the set-up, not timed,
# then need not hold the build lock)
work=${BENCH_WORK:-$(mktemp -d /tmp/pg-bench-fleet.XXXXXX)}
admin() { psql -h 127.0.0.1 -U postgres -d postgres -qAtc "$1" >/dev/null; }
cleanup() {
  for i in $(seq -w 1 "$n"); do
    admin "DROP DATABASE IF EXISTS ${prefix}_plain_$i WITH (FORCE)" || true
    admin "DROP DATABASE IF EXISTS ${prefix}_guarded_$i WITH (FORCE)" || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
export CI=true GITHUB_SHA=bench GITHUB_ACTOR=bench
if [ -z "${BENCH_WORK:-}" ]; then
mkdir -p "$work/classes" "$work/repo/db/migration"
javac -d "$work/classes" -cp "$jar" bench/pipeline/PlainFlywayMigrate.java bench/pipeline/FingerprintFleet.java

# A tenant schema as SaaS services ship it: 8 migrations (tables, indexes, a function and a
# trigger, seed rows, a column added later).
m=$work/repo/db/migration
cat > "$m/V1__accounts.sql" <<'SQL'
CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
SQL
cat > "$m/V2__projects.sql" <<'SQL'
CREATE TABLE projects (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts(id), name text NOT NULL);
CREATE INDEX projects_account ON projects (account_id);
SQL
cat > "$m/V3__touch.sql" <<'SQL'
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;
SQL
cat > "$m/V4__tasks.sql" <<'SQL'
CREATE TABLE tasks (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects(id), title text NOT NULL, done boolean NOT NULL DEFAULT false, updated_at timestamptz);
CREATE TRIGGER tasks_touch BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION touch();
CREATE INDEX tasks_project ON tasks (project_id);
SQL
cat > "$m/V5__plans.sql" <<'SQL'
CREATE TABLE plans (code text PRIMARY KEY, seats int NOT NULL);
INSERT INTO plans VALUES ('free', 1), ('team', 10), ('business', 100);
SQL
cat > "$m/V6__account_plan.sql" <<'SQL'
ALTER TABLE accounts ADD COLUMN plan text REFERENCES plans(code);
SQL
cat > "$m/V7__seed.sql" <<'SQL'
INSERT INTO accounts (email, plan) SELECT 'user' || g || '@example.com', 'free' FROM generate_series(1, 200) g;
SQL
cat > "$m/V8__task_due.sql" <<'SQL'
ALTER TABLE tasks ADD COLUMN due date;
SQL
cp -r "$m" "$work/plain-migration"

echo "creating $n + $n databases..." >&2
{
  echo "migrations: { locations: [db/migration] }"
  echo "backup: { directory: $work/backups }"
  echo "fleets:"
  echo "  bench:"
  echo "    waves: [canary, rest]"
  echo "    targets:"
} > "$work/repo/prodguard.yml"
for i in $(seq -w 1 "$n"); do
  admin "DROP DATABASE IF EXISTS ${prefix}_plain_$i WITH (FORCE)"
  admin "DROP DATABASE IF EXISTS ${prefix}_guarded_$i WITH (FORCE)"
  admin "CREATE DATABASE ${prefix}_plain_$i"
  admin "CREATE DATABASE ${prefix}_guarded_$i"
  wave=rest; [ "$i" -le 3 ] && wave=canary
  echo "      - { id: t$i, url: \"postgresql://postgres@127.0.0.1:5432/${prefix}_guarded_$i\", wave: $wave }" >> "$work/repo/prodguard.yml"
done
java -cp "$jar:$work/classes" FingerprintFleet "$work/repo/prodguard.yml" bench > "$work/fps"
# write each target's fingerprint into its entry
while read -r id fp; do
  sed -i "s|{ id: $id, \(url: [^,]*\),|{ id: $id, \1, fingerprint: $fp,|" "$work/repo/prodguard.yml"
done < "$work/fps"

fi
[ -n "${BENCH_STOP_AFTER_SETUP:-}" ] && { echo "$work"; trap - EXIT; exit 0; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "plain Flyway: $n sequential 'migrate' processes..." >&2
t0=$(date +%s.%N)
for i in $(seq -w 1 "$n"); do
  java -cp "$jar:$work/classes" PlainFlywayMigrate "jdbc:postgresql://127.0.0.1:5432/${prefix}_plain_$i" postgres "$work/plain-migration" >/dev/null
done
t1=$(date +%s.%N)
plain=$(echo "$t1 - $t0" | bc)

par_flag=(); [ -n "$parallel" ] && par_flag=(--parallel "$parallel")
echo "prodguard promote --fleet bench ${par_flag[*]:-(default parallel)} (-Xmx$heap)..." >&2
cd "$work/repo"
t0=$(date +%s.%N)
PRODGUARD_JAVA_OPTS="${BENCH_JAVA_OPTS:-} -Xmx$heap -Xlog:gc:file=$work/gc.log" \
  /usr/bin/time -f "%M %U %S" -o "$work/rss" "$launcher" promote --fleet bench "${par_flag[@]}" > "$work/out" 2> "$work/err" || { cat "$work/out" "$work/err" >&2; exit 1; }
t1=$(date +%s.%N)
fleet=$(echo "$t1 - $t0" | bc)
head -1 "$work/out" >&2; [ -n "${BENCH_VERBOSE:-}" ] && cat "$work/err" >&2
backups=$(ls "$work/backups" | wc -l)

printf '\n%-48s %10s\n' "" "seconds"
printf '%-48s %10.1f\n' "plain Flyway migrate, $n processes in a loop" "$plain"
# peak heap in use: the largest occupancy before a collection in the GC log ("123M->45M(256M)")
peak_heap=$(grep -o '[0-9]*M->[0-9]*M([0-9]*M)' "$work/gc.log" | cut -dM -f1 | sort -n | tail -1)
read -r rss cpu_user cpu_sys < "$work/rss"
printf '%-48s %10.1f\n' "prodguard promote --fleet, parallel ${parallel:-default}" "$fleet"
printf 'speed-up: %.1fx (budget: at least 5x faster); backups written: %s; peak heap in use %s MB (-Xmx%s), peak RSS %s MB; prodguard CPU (with pg_dump, pg_restore) %.1f s user + %.1f s sys; load average before: %s\n' \
  "$(echo "$plain / $fleet" | bc -l)" "$backups" "${peak_heap:-?}" "$heap" "$(( rss / 1024 ))" "$cpu_user" "$cpu_sys" "$load0"
