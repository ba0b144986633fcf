#!/usr/bin/env bash
# THE chaos command (README): on a fresh Debian 12 machine it does all set-up (scripts/setup.sh) and runs
# the whole chaos suite end to end against the hermetic stack (ctest -L chaos), or one scenario:
#   scripts/run-chaos.sh [scenario]      scenarios: nats_partition_mesh opa_restart openobserve_stall postgres_restart_outbox
# Per-scenario timelines and, on failure, container logs land in build/<preset>/chaos-artifacts/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario=${1:-${CHAOS_SCENARIO:-}}
"$sea_root/scripts/setup.sh"
exec "$sea_root/scripts/chaos.sh" "$scenario"
