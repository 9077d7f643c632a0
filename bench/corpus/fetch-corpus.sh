#!/usr/bin/env bash
# Assembles the real-world PostgreSQL lint corpus from local git mirrors of the repositories in
# manifest.tsv, each at its pinned commit, into OUT/db/migration as Flyway versioned migrations
# (V<n>__<repo>__<path>.sql, in manifest then path order), and writes OUT/corpus-manifest.tsv with
# the file count and bytes per repository. The SQL itself is never committed here (licences).
#   bench/corpus/fetch-corpus.sh OUT            (MIRRORS=/work/.mirror by default)
# A mirror is a git directory MIRRORS/<owner>+<name>/repo; get one with `git clone --mirror
# https://github.com/<owner>/<name> MIRRORS/<owner>+<name>/repo` when it is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: fetch-corpus.sh OUT}"
mirrors="${MIRRORS:-/work/.mirror}"
dir="$out/db/migration"
rm -rf "$dir"
mkdir -p "$dir"
summary="$out/corpus-manifest.tsv"
printf 'repo\tcommit\tfiles\tbytes\n' > "$summary"
n=0
while IFS=$'\t' read -r repo commit pattern; do
  case "$repo" in ''|'#'*) continue ;; esac
  git="$mirrors/${repo/\//+}/repo"
  if ! git --git-dir="$git" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "missing: $repo at $commit (expected a git mirror in $git)" >&2
    exit 2
  fi
  short="$(echo "${repo#*/}" | tr -c 'A-Za-z0-9\n' '_')"
  count=0
  bytes=0
  while IFS= read -r path; do
    n=$((n + 1))
    count=$((count + 1))
    name="$(printf 'V%05d__%s__%s' "$n" "$short" "$(echo "${path%.sql}" | tr -c 'A-Za-z0-9\n' '_')").sql"
    git --git-dir="$git" show "$commit:$path" > "$dir/$name"
    bytes=$((bytes + $(stat -c %s "$dir/$name")))
  done < <(git --git-dir="$git" ls-tree -r --name-only "$commit" | grep -E "$pattern" | LC_ALL=C sort)
  printf '%s\t%s\t%d\t%d\n' "$repo" "$commit" "$count" "$bytes" >> "$summary"
done < "$here/manifest.tsv"
total=$(awk -F'\t' 'NR > 1 { f += $3; b += $4 } END { printf "%d files, %.1f MB", f, b / 1048576 }' "$summary")
printf 'total\t\t%s\n' "$total" >> "$summary"
echo "$dir: $total" >&2
