#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine for sea-chaos. Idempotent: a second run installs nothing,
# starts nothing and builds nothing (it only checks), and takes about a second.
#   1. apt packages: build dependencies, docker.io, docker-compose (v1), iptables, debootstrap,
#      postgresql-15 and nats-server (local servers for the integration tests);
#   2. `just` from npm (rust-just) when missing, the report's chart library (npm ci --prefix tools/report);
#   3. a Docker daemon (scripts/ensure-docker.sh starts dockerd when none answers);
#   4. the hermetic images when any is missing or stale (scripts/build-images.sh, cached).
# Pass --no-images to stop after step 3.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_images=1
for arg in "$@"; do
  case "$arg" in
    --no-images) want_images=0 ;;
    *) sea_die "setup.sh: unknown argument '$arg' (known: --no-images)" ;;
  esac
done

[ -r /etc/debian_version ] || sea_die "setup.sh supports Debian 12 (bookworm); /etc/debian_version not found"

apt_packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates jq
  libgtest-dev libgmock-dev libcurl4-openssl-dev libpq-dev libnats-dev libfmt-dev
  nlohmann-json3-dev libcpp-httplib-dev libboost-dev libboost-filesystem-dev
  postgresql-15 nats-server
  docker.io docker-compose iptables debootstrap iproute2 util-linux
  python3 chromium
)
# Node.js and npm (for `just` and the report's chart library): Debian's packages only when no npm is on the
# PATH — a machine with another Node.js distribution (e.g. nodesource, which bundles npm) keeps it.
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sea_log "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sea_as_root apt-get update -qq || sea_die "apt-get update failed"
  sea_as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || sea_die "apt-get install failed for: ${missing[*]}"
fi

# The Debian postgresql package starts a cluster on 5432 through its init scripts on some machines;
# sea-chaos runs its own servers, so a package-started cluster would take the port the stack needs.
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | awk '$4=="online"' | grep -q .; then
  sea_log "stopping the Debian-managed PostgreSQL cluster (it holds port 5432)"
  sea_as_root pg_ctlcluster --mode fast 15 main stop >/dev/null 2>&1 || true
fi

if ! command -v just >/dev/null 2>&1; then
  sea_log "installing just (npm rust-just)"
  sea_as_root npm install -g --no-fund --no-audit rust-just >/dev/null || sea_die "npm install -g rust-just failed"
fi

# The report's chart library (uPlot), vendored through npm at the version package-lock.json pins.
if [ ! -d "$sea_root/tools/report/node_modules/uplot" ]; then
  sea_log "installing the report's chart library (npm ci --prefix tools/report)"
  npm ci --prefix "$sea_root/tools/report" --no-fund --no-audit >/dev/null || sea_die "npm ci --prefix tools/report failed"
fi

command -v go >/dev/null 2>&1 || sea_die "Go is not installed (expected /usr/local/go/bin/go); it builds nats-server, OPA and the collector"

"$sea_root/scripts/ensure-docker.sh"

if [ "$want_images" -eq 1 ]; then
  sea_build
  mapfile -t variant_args < <(sea_app_variant_args)
  "$sea_root/scripts/build-images.sh" "${variant_args[@]}"
fi
