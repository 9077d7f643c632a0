#!/usr/bin/env bash
set -euo pipefail
# SKIP_CI_CHECK=1 is not supported: a comment is not a flag
./prodguard promote prod --skip-backup
git commit --no-verify -m "release"
echo "we never allow origins we do not know"
./prodguard deploy prod --no-backup
force_deploy=1 ./prodguard promote prod
SKIP_HOOKS=1 git push
