#!/usr/bin/env bash
# Runs the chaos suite on a prepared machine (no installs): checks what it needs first and names what is
# missing in one line, then `ctest -L chaos` (or the one scenario given / in CHAOS_SCENARIO).
# Used by `just chaos` and by scripts/run-chaos.sh after set-up.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenarios=(nats_partition_mesh opa_restart openobserve_stall postgres_restart_outbox)
scenario=${1:-${CHAOS_SCENARIO:-}}
if [ -n "$scenario" ] && ! printf '%s\n' "${scenarios[@]}" | grep -qx "$scenario"; then
  sea_die "unknown scenario '$scenario' (known: ${scenarios[*]})"
fi

command -v docker >/dev/null 2>&1 || sea_die "docker CLI not found: install docker.io (scripts/setup.sh does) — the chaos suite needs a Docker engine"
docker info >/dev/null 2>&1 || sea_die "no Docker daemon answers: start one (scripts/ensure-docker.sh, or sudo systemctl start docker)"
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  sea_die "docker compose not found: install docker-compose (v1) or the compose v2 plugin (scripts/setup.sh does)"
fi
[ -x "$SEA_BUILD_DIR/tests/chaos/sea-chaos-scenarios" ] || sea_build

label="^chaos\$"
[ -z "$scenario" ] || label="^${scenario}\$"
mkdir -p "$SEA_BUILD_DIR/test-logs"
rc=0
ctest --test-dir "$SEA_BUILD_DIR" -L "$label" --output-on-failure --no-tests=error \
      --output-junit "$SEA_BUILD_DIR/test-logs/chaos.junit.xml" || rc=$?
sea_report || true
exit "$rc"
