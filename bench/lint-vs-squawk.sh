#!/usr/bin/env bash
# Whole-process wall time of `./prodguard lint` against Squawk on the same generated PostgreSQL
# corpus (default: 1000 migration files, 6 MB), side by side in one run. JVM start included.
#   FILES=1000 MB=6 RUNS=5 bench/lint-vs-squawk.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
files="${FILES:-1000}"
mb="${MB:-6}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mvn() { # the shared Maven lock when there is one (several people build on one machine)
  if command -v flock >/dev/null; then flock /tmp/prodguard-mvn.lock "$root/mvnw" "$@"; else "$root/mvnw" "$@"; fi
}

jar="$root/prodguard-cli/target/prodguard.jar"
if [ ! -f "$jar" ]; then
  echo "building prodguard ..." >&2
  (cd "$root" && mvn -q -B -DskipTests package >&2)
fi
bench="$root/bench/target/benchmarks.jar"
if [ ! -f "$bench" ]; then
  echo "building the benchmarks ..." >&2
  (cd "$root" && mvn -q -B -Pbench -DskipTests package >&2)
fi

echo "installing squawk-cli from npm into $work/squawk ..." >&2
mkdir -p "$work/squawk"
(cd "$work/squawk" && npm install --silent --no-audit --no-fund squawk-cli >/dev/null 2>&1)
squawk="$work/squawk/node_modules/.bin/squawk"

java -cp "$bench" dev.prodguard.bench.GenerateCorpus "$work/repo/db/migration" "$files" "$mb"
printf 'version: 1\n' > "$work/repo/prodguard-contract.yml"
bytes=$(cat "$work"/repo/db/migration/*.sql | wc -c)

now() { date +%s.%N; }
# best and median of $runs runs; exit codes ignored (both tools report findings on this corpus)
measure() {
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>&1 || true
    t1=$(now)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "best %.2f s  median %.2f s", a[1], a[int((NR+1)/2)]}'
}

cd "$work/repo"
"$root/prodguard" lint --contract prodguard-contract.yml --format json -o "$work/report.json" db/migration \
  2>/dev/null || true
statements=$(grep -o '"statements" : [0-9]*' "$work/report.json" | grep -o '[0-9]*$' || echo "?")
findings=$(grep -c '"rule" :' "$work/report.json" || true)
echo
echo "corpus: $files files, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MB, $statements statements ($findings prodguard findings)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "squawk:    $("$squawk" --version 2>/dev/null | head -1)"
echo "prodguard: $(java -jar "$jar" --version)"
printf '%-40s %s\n' "./prodguard lint db/migration" "$(measure "$root/prodguard" lint --contract prodguard-contract.yml db/migration)"
printf '%-40s %s\n' "squawk db/migration/*.sql" "$(measure "$squawk" db/migration/*.sql)"
