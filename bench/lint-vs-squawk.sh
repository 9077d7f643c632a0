#!/usr/bin/env bash
# Whole-process wall time of `./prodguard lint --format json` against Squawk on the same corpus of
# REAL public PostgreSQL migrations (bench/corpus/manifest.tsv: repositories pinned by commit,
# assembled by bench/corpus/fetch-corpus.sh from local git mirrors), side by side in one hyperfine
# run, JVM start included. Also runs the linearity check (bench/lint-linearity.sh) unless
# LINEARITY=0.
#   RUNS=10 CORPUS=/tmp/corpus bench/lint-vs-squawk.sh
# CORPUS: an assembled corpus to reuse (default: assembled into a temporary folder).
# Needs: hyperfine (apt-get install hyperfine), npm (squawk-cli is installed into a temporary
# folder), the git mirrors named in the manifest (MIRRORS, default /work/.mirror).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mvn() { # the shared Maven lock when there is one (several people build on one machine)
  if command -v flock >/dev/null; then flock /tmp/prodguard-mvn.lock "$root/mvnw" "$@"; else "$root/mvnw" "$@"; fi
}

jar="$root/prodguard-cli/target/prodguard.jar"
if [ ! -f "$jar" ]; then
  echo "building prodguard (jar and class-data-sharing archive) ..." >&2
  (cd "$root" && mvn -q -B -DskipTests package >&2)
fi
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 2; }

echo "installing squawk-cli from npm into $work/squawk ..." >&2
mkdir -p "$work/squawk"
(cd "$work/squawk" && npm install --silent --no-audit --no-fund squawk-cli >/dev/null 2>&1)
squawk="$work/squawk/node_modules/.bin/squawk"

corpus="${CORPUS:-$work/corpus}"
if [ ! -d "$corpus/db/migration" ]; then
  "$root/bench/corpus/fetch-corpus.sh" "$corpus"
fi
printf 'version: 1\n' > "$corpus/prodguard-contract.yml"
cd "$corpus"
files=$(find db/migration -name '*.sql' | wc -l)
bytes=$(cat db/migration/*.sql | wc -c)

"$root/prodguard" lint --contract prodguard-contract.yml --format json -o "$work/report.json" db/migration \
  2>/dev/null || true
statements=$(grep -o '"statements" : [0-9]*' "$work/report.json" | grep -o '[0-9]*$' || echo "?")
findings=$(grep -c '"rule" :' "$work/report.json" || true)
echo
echo "corpus: $files files, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MB, $statements statements ($findings prodguard findings); repositories: $corpus/corpus-manifest.tsv"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "squawk:    $("$squawk" --version 2>/dev/null | head -1)"
echo "prodguard: $(java -jar "$jar" --version)"
# both exit 1 on this corpus (findings): -i; -N: no shell around prodguard, squawk's glob needs one
hyperfine -N -i -w 2 -r "$runs" \
  -n "prodguard lint --format json" \
  "$root/prodguard lint --contract prodguard-contract.yml --format json -o $work/out.json db/migration" \
  -n "squawk" \
  "sh -c '$squawk db/migration/*.sql > /dev/null'"

if [ "${LINEARITY:-1}" = 1 ]; then
  "$root/bench/lint-linearity.sh"
fi
