#!/usr/bin/env bash
# Runs the chaos suite on a prepared machine (no installs): checks what it needs first and names what is
# missing in one line, then `ctest -L '^chaos$'`, or one scenario: `ctest -L '^<scenario>$'`.
# Used by `just chaos` and by scripts/run-chaos.sh after set-up.
#   scripts/chaos.sh [<scenario> | scenario=<scenario>]     or CHAOS_SCENARIO=<scenario> scripts/chaos.sh
# Scenarios: tests/chaos/scenarios.txt (the one list). SEA_LIST_ONLY=1 prints the ctest selection (`ctest -N`,
# the same -L as a real run) and exits: no docker, no build, nothing runs (tests/chaos/entry_points_test.py).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# "<scenario>" or "<scenario> <matrix binary>" a line: scenarios[i] runs in chaos-${binaries[i]}.
mapfile -t scenarios < <(sed -nE 's/^([a-z][a-z0-9_]*)( +[a-z][a-z0-9_]*)?$/\1/p' "$sea_root/tests/chaos/scenarios.txt")
mapfile -t binaries < <(sed -nE 's/^([a-z][a-z0-9_]*)( +([a-z][a-z0-9_]*))?$/\1 \3/p' "$sea_root/tests/chaos/scenarios.txt" | awk '{print $NF}')
usage="use: just chaos [<scenario> | scenario=<scenario>] (scenarios: ${scenarios[*]})"
[ $# -le 1 ] || sea_die "one scenario at a time, got $# arguments ($*); $usage"
scenario=${1-}
case "$scenario" in
  scenario=*) scenario=${scenario#scenario=}
              [ -n "$scenario" ] || sea_die "'scenario=' names no scenario; $usage" ;;
  *=*) sea_die "unknown argument '$scenario'; $usage" ;;
esac
if [ -n "$scenario" ] && [ -n "${CHAOS_SCENARIO:-}" ] && [ "$scenario" != "$CHAOS_SCENARIO" ]; then
  sea_die "scenario '$scenario' given but CHAOS_SCENARIO='$CHAOS_SCENARIO': name one of them"
fi
scenario=${scenario:-${CHAOS_SCENARIO:-}}
if [ -n "$scenario" ] && ! printf '%s\n' "${scenarios[@]}" | grep -qxF -- "$scenario"; then
  sea_die "unknown scenario '$scenario' (known: ${scenarios[*]})"
fi
# The chaos binaries skip every scenario but CHAOS_SCENARIO; keep it equal to what ctest selects.
if [ -n "$scenario" ]; then export CHAOS_SCENARIO=$scenario; fi

selected=("${binaries[@]}")
label="^chaos\$"
if [ -n "$scenario" ]; then
  for i in "${!scenarios[@]}"; do if [ "${scenarios[$i]}" = "$scenario" ]; then selected=("${binaries[$i]}"); fi; done
  label="^${scenario}\$"
fi
select_args=(--test-dir "$SEA_BUILD_DIR" -L "$label" --no-tests=error)
if [ "${SEA_LIST_ONLY:-0}" = 1 ]; then
  exec ctest -N "${select_args[@]}"
fi

command -v docker >/dev/null 2>&1 || sea_die "docker CLI not found: install docker.io (scripts/setup.sh does) — the chaos suite needs a Docker engine"
docker info >/dev/null 2>&1 || sea_die "no Docker daemon answers: start one (scripts/ensure-docker.sh, or sudo systemctl start docker)"
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  sea_die "docker compose not found: install docker-compose (v1) or the compose v2 plugin (scripts/setup.sh does)"
fi
for s in "${selected[@]}"; do
  [ -x "$SEA_BUILD_DIR/tests/chaos/chaos-$s" ] || { sea_build; break; }
done

mkdir -p "$SEA_BUILD_DIR/test-logs"
# One run id per invocation: every timeline this ctest run writes carries it; the report shows this run only.
export SEA_CHAOS_RUN_STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
export SEA_CHAOS_RUN_ID="chaos-$(date -u -d "$SEA_CHAOS_RUN_STARTED_AT" +%Y%m%dT%H%M%S)Z-$$"
rc=0
ctest "${select_args[@]}" --output-on-failure --output-junit "$SEA_BUILD_DIR/test-logs/chaos.junit.xml" || rc=$?
sea_report "$SEA_CHAOS_RUN_ID" || true
sea_junit "$SEA_CHAOS_RUN_ID" || true  # test-logs/chaos-invariants.junit.xml: one testcase per invariant
exit "$rc"
