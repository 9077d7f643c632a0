#!/usr/bin/env bash
# Budget (DESIGN section 9, issue 14): `prodguard promote` on a REAL project's migration history
# within 1.25x of plain Flyway `migrate` of the same files, JVM start included on both sides,
# measured side by side in one hyperfine run, each run on a fresh PostgreSQL database.
#
# The history is alf.io's (github.com/alfio-event/alf.io, GPL-3.0, a Spring Boot + Flyway
# PostgreSQL service): 178 versioned SQL migrations, its repeatable views and afterMigrateApplied
# callbacks, at a pinned commit. It is fetched into a temporary folder at run time, never
# committed here. Its one Java migration (V22_1_14_8__MigrateMailchimp.java) is left out on both
# sides alike.
#
# promote = verify + backup + deploy of a protected environment, in one process. The backup is
# included (pg_dump -Fc of the database before the deploy, which holds only prodguard's own
# objects at that point, plus pg_restore --list): the figure is the real command's.
# init-fingerprint (once per database, not per deploy) runs in hyperfine's --prepare, untimed.
#
# prodguard runs as users run it, through its launcher (./prodguard, the same settings as the one
# scripts/install writes): the pipeline commands of one environment with C1 except the JDK's
# SHA-256 (jit-directives.json), the serial collector and the class-data-sharing archive the build
# writes. Flyway runs with the JVM's defaults, as its own command-line launcher does. The third
# entry, `java -jar prodguard.jar promote` with the JVM's defaults, is shown for comparison only.
#
# With BENCH_PENDING=N (the second mode, "existing database"), each run starts from a copy of a
# database that plain Flyway migrated up to the version that leaves alf.io's last N versioned
# migrations pending (built once, untimed, as a template, from the versioned files only); both
# sides then migrate those N (and run the callbacks Flyway runs with them). prodguard adopts the copy with
# init-fingerprint in --prepare, untimed, as a team that has run plain Flyway for years would.
#
#   bench/pipeline/promote-vs-flyway-real.sh [runs]
# Environment: ALFIO_SOURCE  a git URL or a local git directory (default: the GitHub URL)
#              ALFIO_COMMIT  the pinned commit (default below)
#              BENCH_PENDING leave this many versioned migrations pending (default: all, a fresh
#                            database)
#              TRACE_IN_VERIFY=off  verify without trace (trace: { verify: off })
# Needs: hyperfine (apt-get install -y hyperfine), git, psql/pg_dump, PostgreSQL on 127.0.0.1:5432
# as postgres (scripts/ensure-databases), and the jar (./mvnw -B -DskipTests package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs=${1:-10}
jar=$PWD/prodguard-cli/target/prodguard.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw -B -DskipTests package" >&2; exit 2; }
launcher=$PWD/prodguard
[ -f prodguard-cli/target/prodguard.jsa ] && [ prodguard-cli/target/prodguard.jsa -nt "$jar" ] \
  || echo "note: no class-data-sharing archive newer than the jar (the build writes it); promote starts slower" >&2
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install -y hyperfine" >&2; exit 2; }
source=${ALFIO_SOURCE:-https://github.com/alfio-event/alf.io.git}
commit=${ALFIO_COMMIT:-61ee4309768bf0b72b4ac8b8fe0786ce6e5c546c}
folder=src/main/resources/alfio/db/PGSQL

work=$(mktemp -d /tmp/pg-bench-real.XXXXXX)
cleanup() {
  psql -h 127.0.0.1 -U postgres -d postgres -qAtc "DROP DATABASE IF EXISTS pgbench_real_plain WITH (FORCE)" >/dev/null 2>&1 || true
  psql -h 127.0.0.1 -U postgres -d postgres -qAtc "DROP DATABASE IF EXISTS pgbench_real_guarded WITH (FORCE)" >/dev/null 2>&1 || true
  psql -h 127.0.0.1 -U postgres -d postgres -qAtc "DROP DATABASE IF EXISTS pgbench_real_template WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The project's migrations, at the pinned commit, into the temporary folder only.
mkdir -p "$work/src"
if [ -d "$source" ]; then
  git --git-dir="$source" archive "$commit" "$folder" | tar -x -C "$work/src"
else
  git -C "$work/src" init -q
  git -C "$work/src" fetch -q --depth 1 "$source" "$commit"
  git -C "$work/src" checkout -q FETCH_HEAD -- "$folder"
fi
mkdir -p "$work/plain-migration" "$work/repo/db/migration" "$work/classes"
cp "$work/src/$folder"/*.sql "$work/plain-migration/"
cp "$work/src/$folder"/*.sql "$work/repo/db/migration/"
echo "alf.io $commit: $(ls "$work/plain-migration" | grep -c '^V') versioned, $(ls "$work/plain-migration" | grep -c '^R__') repeatable, $(ls "$work/plain-migration" | grep -vc '^[VR]') callbacks"

javac -d "$work/classes" -cp "$jar" bench/pipeline/PlainFlywayMigrate.java

# alf.io runs Flyway with outOfOrder(true); both sides run Flyway's defaults otherwise. The
# contract forbids nothing: the benchmark measures the guards' cost, not a review of alf.io. Every
# analysis still runs.
cat > "$work/repo/prodguard.yml" <<YAML
environments:
  prod:
    url: \${PROD_DATABASE_URL}
    protected: true
backup: { directory: $work/backups }
YAML
# verify traces a protected PostgreSQL environment by default (an embedded PostgreSQL of the
# target's version, docs/trace.md); TRACE_IN_VERIFY=off measures the pipeline without it
if [ "${TRACE_IN_VERIFY:-}" = off ]; then
  echo "trace: { verify: off }" >> "$work/repo/prodguard.yml"
fi
cp "$work/repo/prodguard.yml" "$work/prodguard.yml.template"
cat > "$work/repo/prodguard-contract.yml" <<'YAML'
version: 1
forbidden: []
YAML

admin="psql -h 127.0.0.1 -U postgres -d postgres -qAtc"
export CI=true GITHUB_SHA=bench GITHUB_ACTOR=bench
export PROD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pgbench_real_guarded

create=""
if [ -n "${BENCH_PENDING:-}" ]; then
  # the existing database: alf.io's history up to the last BENCH_PENDING versions, by plain Flyway
  $admin "DROP DATABASE IF EXISTS pgbench_real_template WITH (FORCE)" >/dev/null
  $admin "CREATE DATABASE pgbench_real_template" >/dev/null
  # versioned files only: alf.io's afterMigrateApplied callbacks (views) are written for the head
  # of the history and fail on an older schema; the timed runs apply them
  mkdir -p "$work/setup-migration" && cp "$work/plain-migration"/V*.sql "$work/setup-migration/"
  java -cp "$jar:$work/classes" PlainFlywayMigrate jdbc:postgresql://127.0.0.1:5432/pgbench_real_template \
    postgres "$work/setup-migration" "$BENCH_PENDING" 2>/dev/null
  tq="psql -h 127.0.0.1 -U postgres -d pgbench_real_template -qAtc"
  echo "existing database: $($tq "SELECT count(*) FROM flyway_schema_history") history rows, $($tq "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") tables; $BENCH_PENDING versioned migrations pending"
  create=" TEMPLATE pgbench_real_template"
fi
fresh_plain="$admin 'DROP DATABASE IF EXISTS pgbench_real_plain WITH (FORCE)' >/dev/null && $admin 'CREATE DATABASE pgbench_real_plain$create' >/dev/null"
fresh_guarded="$admin 'DROP DATABASE IF EXISTS pgbench_real_guarded WITH (FORCE)' >/dev/null && $admin 'CREATE DATABASE pgbench_real_guarded$create' >/dev/null && rm -rf $work/backups && cp $work/prodguard.yml.template $work/repo/prodguard.yml && (cd $work/repo && java -jar $jar init-fingerprint prod --write-config >/dev/null 2>&1)"

hyperfine --runs "$runs" --warmup 1 --export-json "$work/result.json" \
  --prepare "$fresh_plain" -n "flyway migrate" \
  "java -cp $jar:$work/classes PlainFlywayMigrate jdbc:postgresql://127.0.0.1:5432/pgbench_real_plain postgres $work/plain-migration" \
  --prepare "$fresh_guarded" -n "prodguard promote" \
  "cd $work/repo && $launcher promote prod >/dev/null 2>&1" \
  --prepare "$fresh_guarded" -n "java -jar prodguard.jar promote" \
  "cd $work/repo && java -jar $jar promote prod >/dev/null 2>&1"

python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
f, p, j = r["flyway migrate"], r["prodguard promote"], r["java -jar prodguard.jar promote"]
import os
print("mode: " + ("existing database, last %s versioned migrations pending" % os.environ["BENCH_PENDING"] if os.environ.get("BENCH_PENDING") else "fresh database, the whole history pending")
      + ("; trace in verify off" if os.environ.get("TRACE_IN_VERIFY") == "off" else "; trace in verify (default)"))
print("alf.io history, median of %d: plain Flyway migrate %.2f s, prodguard promote %.2f s, ratio %.3f (budget 1.25); mean ratio %.3f"
      % (len(f["times"]), f["median"], p["median"], p["median"] / f["median"], p["mean"] / f["mean"]))
print("for comparison, java -jar prodguard.jar promote (JVM defaults): %.2f s, ratio %.3f"
      % (j["median"], j["median"] / f["median"]))
PY
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
