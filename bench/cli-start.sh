#!/usr/bin/env bash
# DESIGN section 9 budget: `prodguard --version` under 0.6 s, the CLI jar under 20 MB.
# Usage: bench/cli-start.sh [RUNS]   (builds the jar first when it is missing)
# Prints the jar size and the best and median wall time of RUNS starts (default 11), with the
# launcher's flags for short commands (C1, serial GC), JVM start included.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/prodguard-cli/target/prodguard.jar"
runs="${1:-11}"
if [ ! -f "$jar" ]; then
  (cd "$here" && ./mvnw -q -B -pl prodguard-cli -am -DskipTests package)
fi
size=$(stat -c %s "$jar")
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$jar" --version >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
best=${sorted[0]}
median=${sorted[$(( runs / 2 ))]}
printf 'jar: %.1f MB (budget 20 MB)\n' "$(echo "$size / 1000000" | bc -l)"
echo "prodguard --version: best ${best} ms, median ${median} ms over ${runs} runs (budget 600 ms)"
[ "$size" -lt 20000000 ] && [ "$median" -lt 600 ]
