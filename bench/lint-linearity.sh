#!/usr/bin/env bash
# `./prodguard lint --format json` of one data-seeding migration of 5, 10 and 50 MB (single- and
# 200-row INSERTs, strings with ';' and dollar quotes), JVM start included: linear means the 50 MB
# run takes about ten times the 5 MB one (less, with the JVM start counted), never a hundred.
#   RUNS=3 SIZES="5 10 50" bench/lint-linearity.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 2; }

seeding() { # $1 MB into $2
  awk -v bytes="$(( $1 * 1048576 ))" 'BEGIN {
    size = 0
    for (i = 0; size < bytes; i++) {
      if (i % 50 == 0) {
        s = "INSERT INTO seed (id, name, payload) VALUES\n"
        for (k = 0; k < 200; k++) {
          s = s (k == 0 ? "  (" : ", (") (i * 1000 + k) ", '\''row " k ";'\'', '\''{\"a\": [1, 2, 3]}'\'')\n"
        }
        s = s ";\n"
      } else {
        s = "INSERT INTO seed (id, name, payload) VALUES (" i ", '\''it'\'''\''s " i "'\'', $$x;y$$);\n"
      }
      printf "%s", s
      size += length(s)
    }
  }' > "$2"
}

args=()
for mb in ${SIZES:-5 10 50}; do
  mkdir -p "$work/$mb"
  seeding "$mb" "$work/$mb/V2__seed.sql"
  args+=(-n "lint ${mb} MB" "$root/prodguard lint --dialect postgresql --format json -o $work/$mb.json $work/$mb")
done
echo
echo "linearity: one seeding migration per size; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
hyperfine -N -w 1 -r "$runs" "${args[@]}"
for mb in ${SIZES:-5 10 50}; do
  echo "$mb MB: $(grep -o '"statements" : [0-9]*' "$work/$mb.json" | grep -o '[0-9]*$') statements"
done
