#!/usr/bin/env bash
# THE chaos command (README): on a fresh Debian 12 machine it does all set-up (scripts/setup.sh) and runs
# the whole chaos suite end to end against the hermetic stack (ctest -L '^chaos$'), or one scenario:
#   scripts/run-chaos.sh [<scenario> | scenario=<scenario>]   (or CHAOS_SCENARIO=<scenario>; tests/chaos/scenarios.txt)
# Arguments and the selection are scripts/chaos.sh's (one code path). With SEA_LIST_ONLY=1 set-up is skipped
# too: listing what would run needs only the build tree, and set-up would start dockerd and build images.
# Per-scenario timelines and, on failure, container logs land in build/<preset>/chaos-artifacts/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "${SEA_LIST_ONLY:-0}" = 1 ] || "$sea_root/scripts/setup.sh"
exec "$sea_root/scripts/chaos.sh" "$@"
