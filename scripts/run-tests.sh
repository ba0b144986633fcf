#!/usr/bin/env bash
# THE test command (README; .ci/run calls exactly this). On a fresh Debian 12 machine it does all set-up
# (scripts/setup.sh: packages, just, dockerd, build, hermetic images) and then runs every label in order:
#   unit → integration → stack → chaos → mutants
# In this run nothing may skip: SEA_REQUIRE_ALL=1 turns a missing server binary, docker daemon or image into
# a failure, and a ctest "Skipped"/"Not Run" line fails the run too, so a green run proves the scenarios ran.
# Usage: scripts/run-tests.sh [label ...]   (default: all five labels)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

labels=("$@")
[ ${#labels[@]} -gt 0 ] || labels=(unit integration stack chaos mutants)
for l in "${labels[@]}"; do
  case "$l" in unit|integration|stack|chaos|mutants) ;; *) sea_die "run-tests.sh: unknown label '$l' (known: unit integration stack chaos mutants)";; esac
done

started=$(date +%s)
"$sea_root/scripts/setup.sh"

export SEA_REQUIRE_ALL=1
mkdir -p "$SEA_BUILD_DIR/test-logs"
failed=()
for label in "${labels[@]}"; do
  log="$SEA_BUILD_DIR/test-logs/$label.log"
  t0=$(date +%s)
  sea_log "ctest -L $label"
  set +e
  ctest --test-dir "$SEA_BUILD_DIR" -L "^${label}\$" --output-on-failure --no-tests=error \
        --output-junit "$SEA_BUILD_DIR/test-logs/$label.junit.xml" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  if grep -qE '\*\*\*Skipped|Not Run' "$log"; then
    sea_log "label $label: a test skipped or did not run — in this run that is a failure"
    rc=1
  fi
  if [ "$label" = chaos ]; then
    sea_report || true
  fi
  if [ "$label" = mutants ]; then
    "$sea_root/tests/mutants/table.sh" "$SEA_BUILD_DIR/mutant-results" || true
  fi
  sea_log "label $label: exit $rc in $(( $(date +%s) - t0 ))s"
  [ "$rc" -eq 0 ] || failed+=("$label")
done

sea_log "total $(( $(date +%s) - started ))s"
if [ ${#failed[@]} -gt 0 ]; then
  sea_die "failed labels: ${failed[*]} (logs in $SEA_BUILD_DIR/test-logs/)"
fi
sea_log "all labels passed: ${labels[*]}"
