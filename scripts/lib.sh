# Shared helpers for sea-chaos scripts (sourced, not run).
# Every message names the step and the problem in one line.
sea_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SEA_STATE_DIR=${SEA_STATE_DIR:-$sea_root/.state}
export SEA_CACHE_DIR=${SEA_CACHE_DIR:-$sea_root/.cache}
export SEA_PRESET=${SEA_PRESET:-ci}
export SEA_BUILD_DIR=${SEA_BUILD_DIR:-$sea_root/build/$SEA_PRESET}
# Go for the tools built from Go modules: /usr/local/go/bin first (SEA_GO_BIN_DIR overrides: tests use a fake go).
export PATH="${SEA_GO_BIN_DIR:-/usr/local/go/bin}:$PATH"

sea_log() { printf '[%s] sea-chaos: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
sea_die() { printf 'sea-chaos: error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
sea_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else sea_die "'$*' needs root and sudo is not installed"
  fi
}

# Configures (once) and builds the C++ tree with the chosen preset. Silent when there is nothing to build.
sea_build() {
  if [ ! -f "$SEA_BUILD_DIR/CMakeCache.txt" ]; then
    cmake --preset "$SEA_PRESET" >/dev/null || sea_die "cmake configure failed (preset $SEA_PRESET)"
  fi
  # (pipefail, which every script sets, makes the pipeline fail when cmake does)
  if ! cmake --build --preset "$SEA_PRESET" | { grep -vx 'ninja: no work to do\.' || true; }; then
    sea_die "build failed (preset $SEA_PRESET)"
  fi
}

# "--app-variant APP:VARIANT=PATH" arguments for every mutant binary the build produced
# (<build>/apps/<app>/<app>-mutant-<variant>), so build-images.sh makes sea-chaos/<app>:mutant-<variant>.
sea_app_variant_args() {
  local app bin
  for app in sea-mq-worker policy-gateway; do
    for bin in "$SEA_BUILD_DIR/apps/$app/$app"-mutant-*; do
      [ -x "$bin" ] || continue
      printf -- '--app-variant\n%s:%s=%s\n' "$app" "${bin##*/$app-mutant-}" "$bin"
    done
  done
}

# sea_report [RUN_ID]: writes the HTML chaos report (build/<preset>/chaos-report/index.html) of ONE run — RUN_ID
# (the SEA_CHAOS_RUN_ID scripts/chaos.sh and run-tests.sh export per ctest invocation; a run that ran nothing gets a
# report saying so), else the newest run found — from its timelines (schema 2: each scenario's verdict is its
# timeline's outcome). Timelines of other runs are only counted. Without RUN_ID and without artifacts it writes nothing.
sea_report() {
  local run=()
  [ -n "${1:-}" ] && run=(--run-id "$1")
  [ -d "$SEA_BUILD_DIR/chaos-artifacts" ] || [ ${#run[@]} -gt 0 ] || return 0
  "$sea_root/tools/report/make_report" --artifacts "$SEA_BUILD_DIR/chaos-artifacts" \
    --out "$SEA_BUILD_DIR/chaos-report/index.html" "${run[@]}" \
    && sea_log "chaos report: $SEA_BUILD_DIR/chaos-report/index.html"
}

# sea_junit [RUN_ID]: writes build/<preset>/test-logs/chaos-invariants.junit.xml for the same run as sea_report: one
# testsuite per scenario, one testcase per invariant ("opa_restart/a never-allow-while-opa-down", the evidence as the
# failure message), valid against junit-10.xsd (tools/report/make_junit). ctest's --output-junit and gtest's XML are
# written as before; this file is the one CI dashboards show per invariant. Same guard as sea_report.
sea_junit() {
  local run=()
  [ -n "${1:-}" ] && run=(--run-id "$1")
  [ -d "$SEA_BUILD_DIR/chaos-artifacts" ] || [ ${#run[@]} -gt 0 ] || return 0
  rm -f "$SEA_BUILD_DIR/test-logs/chaos-invariants.junit.xml"  # never leave an older run's file behind a failure
  "$sea_root/tools/report/make_junit" --artifacts "$SEA_BUILD_DIR/chaos-artifacts" \
    --out "$SEA_BUILD_DIR/test-logs/chaos-invariants.junit.xml" "${run[@]}" \
    && sea_log "per-invariant JUnit: $SEA_BUILD_DIR/test-logs/chaos-invariants.junit.xml"
}
