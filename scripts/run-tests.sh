#!/usr/bin/env bash
# THE test command (README; .ci/run calls exactly this). On a fresh Debian 12 machine it does all set-up
# (scripts/setup.sh: packages, just, dockerd, build, hermetic images) and then runs every label in order:
#   unit → integration → stack → chaos → mutants
# In this run nothing may skip: SEA_REQUIRE_ALL=1 turns a missing server binary, docker daemon or image into
# a failure, and a ctest "Skipped"/"Not Run" line fails the run too, so a green run proves the scenarios ran.
# Compose: every docker label runs with compose v2 (SEA_COMPOSE=v2; set-up installs it); the compose driver's
# own stack tests (label `compose`, a subset of `stack`) run once more per other variant in SEA_STACK_COMPOSE
# (default "v2 v1": v1 stays supported). A variant that does not answer fails that pass with one line saying
# how to get it.
# Usage: scripts/run-tests.sh [label ...]   (default: all five labels)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

labels=("$@")
[ ${#labels[@]} -gt 0 ] || labels=(unit integration stack chaos mutants)
for l in "${labels[@]}"; do
  case "$l" in unit|integration|stack|chaos|mutants) ;; *) sea_die "run-tests.sh: unknown label '$l' (known: unit integration stack chaos mutants)";; esac
done

read -r -a stack_compose <<<"${SEA_STACK_COMPOSE:-v2 v1}"
[ ${#stack_compose[@]} -gt 0 ] || sea_die "SEA_STACK_COMPOSE is empty; set it to 'v2 v1', 'v2' or 'v1'"
for v in "${stack_compose[@]}"; do
  case "$v" in v1|v2) ;; *) sea_die "SEA_STACK_COMPOSE: expected v1 and/or v2 (e.g. 'v2 v1'), got '$v'";; esac
done

started=$(date +%s)
"$sea_root/scripts/setup.sh"

export SEA_REQUIRE_ALL=1
export SEA_COMPOSE=${SEA_COMPOSE:-v2}
case "$SEA_COMPOSE" in v1|v2) ;; *) sea_die "SEA_COMPOSE: expected v1 or v2, got '$SEA_COMPOSE'";; esac
mkdir -p "$SEA_BUILD_DIR/test-logs"

# compose_answers v1|v2: true when that compose variant answers on this machine.
compose_answers() {
  case $1 in
    v2) docker compose version >/dev/null 2>&1 ;;
    v1) /usr/bin/docker-compose version >/dev/null 2>&1 || docker-compose version >/dev/null 2>&1 ;;
  esac
}

# run_label LABEL COMPOSE NAME: ctest -L LABEL with SEA_COMPOSE=COMPOSE; logs and JUnit under NAME; returns ctest's
# status, or 1 when a test skipped or did not run.
run_label() {
  local label=$1 compose=$2 name=$3 log rc
  log="$SEA_BUILD_DIR/test-logs/$name.log"
  if ! compose_answers "$compose"; then
    sea_log "label $label (compose $compose): compose $compose does not answer — install it" \
            "($( [ "$compose" = v2 ] && echo "scripts/setup.sh builds it" || echo "sudo apt-get install -y docker-compose")) or set SEA_STACK_COMPOSE"
    return 1
  fi
  sea_log "ctest -L $label (compose $compose)"
  set +e
  SEA_COMPOSE=$compose ctest --test-dir "$SEA_BUILD_DIR" -L "^${label}\$" --output-on-failure --no-tests=error \
        --output-junit "$SEA_BUILD_DIR/test-logs/$name.junit.xml" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  if grep -qE '\*\*\*Skipped|Not Run' "$log"; then
    sea_log "label $label (compose $compose): a test skipped or did not run — in this run that is a failure"
    rc=1
  fi
  return "$rc"
}

failed=()
for label in "${labels[@]}"; do
  passes=("$SEA_COMPOSE")
  [ "$label" = stack ] && passes=("${stack_compose[@]}")
  for compose in "${passes[@]}"; do
    name=$label run=$label
    # Another compose variant re-runs only the compose driver's tests: the fault-level stack tests (crash and
    # interference matrices) take ~10 min and exercise compose no differently.
    [ "$compose" = "$SEA_COMPOSE" ] || { name="$label-compose-$compose"; run=compose; }
    t0=$(date +%s)
    rc=0
    if [ "$label" = chaos ]; then  # one run id per chaos invocation: its timelines carry it, the report shows it only
      export SEA_CHAOS_RUN_STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
      export SEA_CHAOS_RUN_ID="chaos-$(date -u -d "$SEA_CHAOS_RUN_STARTED_AT" +%Y%m%dT%H%M%S)Z-$$"
    fi
    run_label "$run" "$compose" "$name" || rc=$?
    if [ "$label" = chaos ]; then
      sea_report "$SEA_CHAOS_RUN_ID" || true
      # test-logs/chaos-invariants.junit.xml (one testcase per invariant) must be written and valid against the
      # Jenkins schema: CI's dashboards read it, so a missing or invalid file fails the label.
      junit="$SEA_BUILD_DIR/test-logs/chaos-invariants.junit.xml"
      if ! sea_junit "$SEA_CHAOS_RUN_ID" \
         || ! xmllint --noout --schema "$sea_root/tests/report/junit-10.xsd" "$junit" 2>>"$SEA_BUILD_DIR/test-logs/$name.log"; then
        sea_log "label chaos: $junit not written or not valid against tests/report/junit-10.xsd (see $SEA_BUILD_DIR/test-logs/$name.log)"
        rc=1
      fi
      unset SEA_CHAOS_RUN_ID SEA_CHAOS_RUN_STARTED_AT
    fi
    if [ "$label" = mutants ]; then
      "$sea_root/tests/mutants/table.sh" "$SEA_BUILD_DIR/mutant-results" || true
    fi
    sea_log "label $label (compose $compose): exit $rc in $(( $(date +%s) - t0 ))s"
    [ "$rc" -eq 0 ] || failed+=("$name")
  done
done

sea_log "total $(( $(date +%s) - started ))s"
if [ ${#failed[@]} -gt 0 ]; then
  sea_die "failed labels: ${failed[*]} (logs in $SEA_BUILD_DIR/test-logs/)"
fi
sea_log "all labels passed: ${labels[*]}"
