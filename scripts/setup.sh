#!/usr/bin/env bash
# Prepares a Debian 12, Ubuntu 22.04 or Ubuntu 24.04 machine for sea-chaos (read from /etc/os-release; any other
# distribution stops with one line). Idempotent: a second run installs nothing, starts nothing, builds nothing and
# prints nothing (it only checks; about 2.5 s on this machine).
#   1. apt packages that are missing: build dependencies, ccache, iptables, debootstrap, the distribution's
#      PostgreSQL server (postgresql-15 / -14 / -16) and nats-server (local servers for the integration tests),
#      libxml2-utils (xmllint, for the JUnit schema check);
#      Docker and compose ONLY where none answers (below);
#   2. `just` from npm (rust-just) when missing, the report's chart library (npm ci --prefix tools/report);
#   3. compose v2: kept when `docker compose version` answers; otherwise built from its Go module at the version
#      pinned in infra/docker/versions.env (scripts/build-go-tools.sh, cached in .cache/bin) and installed as the
#      CLI plugin /usr/local/lib/docker/cli-plugins/docker-compose (~/.docker/cli-plugins when not root;
#      SEA_COMPOSE_PLUGIN_DIR overrides);
#   4. a Docker daemon (scripts/ensure-docker.sh starts dockerd when none answers);
#   5. the C++ build and the hermetic images when any is missing or stale (scripts/build-images.sh, cached).
# Docker: an engine that answers (`docker info`) or a dockerd that ensure-docker.sh can start is kept, whatever
# installed it (Docker CE, Docker Desktop, Debian); Debian's docker.io is installed only when there is neither.
# Compose: Debian's docker-compose (v1) is installed only when neither `docker compose` nor docker-compose answers.
# So a machine with Docker CE gets no Docker package (they would conflict with containerd.io).
# Options: --no-images stops after step 4; --dry-run prints the decisions (distribution, engine, compose, apt
# packages) and changes nothing. Tests point SEA_OS_RELEASE at another os-release file.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_images=1
dry_run=0
for arg in "$@"; do
  case "$arg" in
    --no-images) want_images=0 ;;
    --dry-run) dry_run=1 ;;
    *) sea_die "setup.sh: unknown argument '$arg' (known: --no-images, --dry-run)" ;;
  esac
done

# --- 0. what this machine is (decisions only; nothing changes until step 1) --------------------------------------
os_release=${SEA_OS_RELEASE:-/etc/os-release}
[ -r "$os_release" ] || sea_die "setup.sh: $os_release not found; set-up supports Debian 12 and Ubuntu 22.04/24.04"
distro_id=$(. "$os_release" && echo "${ID:-}")
distro_version=$(. "$os_release" && echo "${VERSION_ID:-}")
distro_name=$(. "$os_release" && echo "${PRETTY_NAME:-${ID:-unknown} ${VERSION_ID:-}}")
case "$distro_id $distro_version" in
  "debian 12")    postgres_pkg=postgresql-15 chromium_pkg=chromium ;;
  "ubuntu 22.04") postgres_pkg=postgresql-14 chromium_pkg=chromium-browser ;;
  "ubuntu 24.04") postgres_pkg=postgresql-16 chromium_pkg=chromium-browser ;;
  *) sea_die "setup.sh: unsupported distribution '$distro_name' ($os_release); supported: Debian 12, Ubuntu 22.04, Ubuntu 24.04 — install the packages README 'Requirements' lists by hand" ;;
esac

# Engine: "answers" (docker info), "dockerd" (installed, ensure-docker.sh starts it) or "none" (install docker.io).
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=answers
elif command -v dockerd >/dev/null 2>&1; then
  engine=dockerd
elif command -v docker >/dev/null 2>&1; then
  sea_die "setup.sh: a docker CLI ($(command -v docker)) is installed but no engine answers and there is no dockerd: start your Docker engine (Docker Desktop, or the docker context's host) and run set-up again; set-up installs docker.io only on a machine without Docker"
else
  engine=none
fi
compose_v2=absent
command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1 && compose_v2=answers
compose_v1=absent
command -v docker-compose >/dev/null 2>&1 && docker-compose version >/dev/null 2>&1 && compose_v1=answers

apt_packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates jq ccache
  libgtest-dev libgmock-dev libcurl4-openssl-dev libpq-dev libnats-dev libfmt-dev
  nlohmann-json3-dev libcpp-httplib-dev libboost-dev libboost-filesystem-dev
  "$postgres_pkg" nats-server
  iptables debootstrap iproute2 util-linux python3
  libxml2-utils  # xmllint: validates the per-invariant JUnit against tests/report/junit-10.xsd (unit test, run-tests.sh)
)
[ "$engine" = none ] && apt_packages+=(docker.io)
[ "$compose_v1" = absent ] && [ "$compose_v2" = absent ] && apt_packages+=(docker-compose)
# A browser for the report's render test: keep any that is on the PATH (e.g. google-chrome on CI runners).
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 \
  || apt_packages+=("$chromium_pkg")
# Node.js and npm (for `just` and the report's chart library): the distribution's packages only when no npm is on
# the PATH — a machine with another Node.js distribution (e.g. nodesource, which bundles npm) keeps it.
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "$dry_run" -eq 1 ]; then
  echo "distribution: $distro_id $distro_version"
  case $engine in
    answers) echo "docker engine: keep (docker info answers)" ;;
    dockerd) echo "docker engine: keep ($(command -v dockerd); scripts/ensure-docker.sh starts it)" ;;
    none) echo "docker engine: install docker.io" ;;
  esac
  echo "compose v2: $([ "$compose_v2" = answers ] && echo "keep (docker compose version answers)" || echo "build from its Go module and install as a CLI plugin")"
  echo "compose v1: $([ "$compose_v1" = answers ] && echo keep || { [ "$compose_v2" = answers ] && echo "not installed (v2 answers)" || echo "install docker-compose"; })"
  echo "apt packages to install: ${missing[*]:-(none)}"
  exit 0
fi

# --- 1. apt packages ----------------------------------------------------------------------------------------------
if [ ${#missing[@]} -gt 0 ]; then
  sea_log "installing apt packages ($distro_id $distro_version): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sea_as_root apt-get update -qq || sea_die "apt-get update failed"
  sea_as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || sea_die "apt-get install failed for: ${missing[*]}"
fi

# The distribution's postgresql package starts a cluster on 5432 through its init scripts on some machines;
# sea-chaos runs its own servers, so a package-started cluster would take the port the stack needs.
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | awk '$4=="online"' | grep -q .; then
  sea_log "stopping the distribution-managed PostgreSQL cluster (it holds port 5432)"
  pg_lsclusters -h 2>/dev/null | awk '$4=="online" {print $1, $2}' | while read -r version cluster; do
    sea_as_root pg_ctlcluster --mode fast "$version" "$cluster" stop >/dev/null 2>&1 || true
  done
fi

# --- 2. just, the report's chart library ---------------------------------------------------------------------------
if ! command -v just >/dev/null 2>&1; then
  sea_log "installing just (npm rust-just)"
  sea_as_root npm install -g --no-fund --no-audit rust-just >/dev/null || sea_die "npm install -g rust-just failed"
fi

# The report's chart library (uPlot), vendored through npm at the version package-lock.json pins.
if [ ! -d "$sea_root/tools/report/node_modules/uplot" ]; then
  sea_log "installing the report's chart library (npm ci --prefix tools/report)"
  npm ci --prefix "$sea_root/tools/report" --no-fund --no-audit >/dev/null || sea_die "npm ci --prefix tools/report failed"
fi

command -v go >/dev/null 2>&1 || sea_die "Go is not installed (expected /usr/local/go/bin/go); it builds compose v2, nats-server, OPA and the collector"

# --- 3. compose v2 (the suite's preferred compose) -----------------------------------------------------------------
if ! docker compose version >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then plugin_dir=${SEA_COMPOSE_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}
  else plugin_dir=${SEA_COMPOSE_PLUGIN_DIR:-$HOME/.docker/cli-plugins}
  fi
  sea_log "building compose v2 from its Go module (installs $plugin_dir/docker-compose)"
  "$sea_root/scripts/build-go-tools.sh" docker-compose || sea_die "compose v2 build failed (scripts/build-go-tools.sh docker-compose)"
  mkdir -p "$plugin_dir" && install -m 0755 "$SEA_CACHE_DIR/bin/docker-compose" "$plugin_dir/docker-compose" \
    || sea_die "cannot install compose v2 into $plugin_dir"
  docker compose version >/dev/null 2>&1 || sea_die "compose v2 installed in $plugin_dir but \`docker compose version\` still fails"
fi

# --- 4. the Docker daemon ------------------------------------------------------------------------------------------
"$sea_root/scripts/ensure-docker.sh"

# --- 5. build and images -------------------------------------------------------------------------------------------
if [ "$want_images" -eq 1 ]; then
  sea_build
  mapfile -t variant_args < <(sea_app_variant_args)
  # Only what build-images.sh builds is shown (its lines for cached images and tools are dropped), so a run with
  # nothing to do prints nothing; errors come on stderr unfiltered.
  if ! "$sea_root/scripts/build-images.sh" "${variant_args[@]}" |
      { grep -vE ' cached |cached \(|exists \(skipped\)|^sea-chaos: (building hermetic images|Go tools ->|images \()|opa test .*PASS|compose variables:' || true; }; then
    sea_die "building the hermetic images failed (scripts/build-images.sh; logs in $SEA_CACHE_DIR/logs)"
  fi
fi
