#!/usr/bin/env bash
# Builds every image of the hermetic chaos stack locally (no registry), then writes
# <repo>/.state/images.env pointing the compose *_IMAGE variables at them. What `just images` runs.
#   1 base image sea-chaos/debian:12 (scripts/build-base-image.sh)
#   2 Go tools nats-server, opa, otelcol-sea, otlp-sink, opa-bundles (scripts/build-go-tools.sh)
#   3 `opa test` of infra/opa/policy with the built opa
#   4 images: sea-chaos/runtime:12, postgres:15, nats, opa, otelcol, otlp-sink, opa-bundles (versions in
#     infra/docker/versions.env), app-runtime:12, sea-mq-worker:dev, policy-gateway:dev, mutants.
# Every image is labelled org.opencontainers.image.* and sea.chaos.inputs=<hash of its build context,
# parent image id and build args>; an image whose label matches is not rebuilt, so a run with nothing
# changed takes seconds.
# Usage: build-images.sh [--skip-apps] [--app-variant APP:VARIANT=PATH]...
#   --skip-apps            do not build the two C++ service images (binaries not built yet)
#   --app-variant A:V=P    also build sea-chaos/A:mutant-V from binary P (A = sea-mq-worker|policy-gateway)
# Env: SEA_BUILD_DIR (default <repo>/build/ci) holds apps/sea-mq-worker/sea-mq-worker and
#      apps/policy-gateway/policy-gateway; SEA_CACHE_DIR (default <repo>/.cache); SEA_STATE_DIR.
# On failure: exit 1 with one line "sea-chaos: build-images: step '<step>' failed ..." naming the step.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../infra/docker/versions.env
source "$repo/infra/docker/versions.env"
cache_dir=${SEA_CACHE_DIR:-$repo/.cache}
state_dir=${SEA_STATE_DIR:-$repo/.state}
build_dir=${SEA_BUILD_DIR:-$repo/build/ci}
images_dir=$repo/infra/docker/images
ctx_root=$cache_dir/image-context
log_dir=$cache_dir/logs
export DOCKER_BUILDKIT=0   # the classic builder: no buildx plugin on this machine
mkdir -p "$ctx_root" "$log_dir" "$state_dir"

skip_apps=0
variants=()
while [ $# -gt 0 ]; do
  case $1 in
    --skip-apps) skip_apps=1 ;;
    --app-variant)
      [ $# -ge 2 ] || { echo "sea-chaos: build-images: --app-variant needs APP:VARIANT=PATH" >&2; exit 2; }
      [[ $2 =~ ^(sea-mq-worker|policy-gateway):([a-z0-9][a-z0-9_.-]*)=(.+)$ ]] ||
        { echo "sea-chaos: build-images: bad --app-variant '$2' (want APP:VARIANT=PATH, APP sea-mq-worker|policy-gateway, VARIANT [a-z0-9_.-])" >&2; exit 2; }
      variants+=("$2"); shift ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "sea-chaos: build-images: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

summary=()
total_start=$SECONDS
# step NAME COMMAND...: runs one step; on failure names it in one line and exits.
step() {
  local name=$1; shift
  if ! "$@"; then
    echo "sea-chaos: build-images: step '$name' failed (logs in $log_dir)" >&2
    exit 1
  fi
}

# inputs_hash CONTEXT_DIR PARENT_IMAGE BUILD_ARGS...: what an image is made of.
inputs_hash() {
  local ctx=$1 parent=$2; shift 2
  {
    (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    docker image inspect --format '{{.Id}}' "$parent"
    printf '%s\n' "$@"
  } | sha256sum | cut -c1-32
}

# build_image TAG SOURCE_DIR PARENT [EXTRA_FILE...] [-- BUILD_ARG...]: stages SOURCE_DIR plus the
# extra files (hard links where possible) as the build context and builds TAG on PARENT unless an
# image with the same inputs hash exists.
build_image() {
  local tag=$1 src=$2 parent=$3; shift 3
  local ctx=$ctx_root/${tag//[\/:]/_} args=() start=$SECONDS
  rm -rf "$ctx" && mkdir -p "$ctx" && cp -a "$src/." "$ctx/"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    [ -f "$1" ] || { echo "  $tag: input file $1 is missing" >&2; return 1; }
    ln -f "$1" "$ctx/$(basename "$1")" 2>/dev/null || cp "$1" "$ctx/"
    shift
  done
  [ "${1:-}" = -- ] && shift
  for a in "$@"; do args+=(--build-arg "$a"); done
  local hash existing
  hash=$(inputs_hash "$ctx" "$parent" "$@") || return 1
  existing=$(docker image inspect --format '{{index .Config.Labels "sea.chaos.inputs"}}' "$tag" 2>/dev/null || true)
  if [ "$existing" = "$hash" ]; then
    summary+=("$(printf '%-40s cached  %s' "$tag" "$hash")")
    return 0
  fi
  local log=$log_dir/image-${tag//[\/:]/_}.log
  echo "  building $tag ..."
  if ! docker build --force-rm -t "$tag" --build-arg "BASE_IMAGE=$parent" "${args[@]}" \
      --label "sea.chaos.inputs=$hash" \
      --label "org.opencontainers.image.title=${tag%%:*}" \
      --label "org.opencontainers.image.version=${tag##*:}" \
      --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      --label "org.opencontainers.image.revision=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
      --label "org.opencontainers.image.source=sea-chaos/infra/docker/images/$(basename "$src")" \
      --label "org.opencontainers.image.vendor=sea-chaos (local hermetic build)" \
      "$ctx" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    return 1
  fi
  summary+=("$(printf '%-40s built   %s  %ss' "$tag" "$hash" "$((SECONDS - start))")")
}

run_opa_tests() {
  "$cache_dir/bin/opa" test "$repo/infra/opa/policy" -v >"$log_dir/opa-test.log" 2>&1 || { cat "$log_dir/opa-test.log" >&2; return 1; }
  echo "  opa test infra/opa/policy: $(tail -n 1 "$log_dir/opa-test.log")"
}

app_binary() { echo "$build_dir/apps/$1/$1"; }

build_app() {  # build_app APP TAG BINARY
  [ -x "$3" ] || { echo "  $1: binary $3 not found or not executable (build it: cmake --preset ci && cmake --build build/ci --target $1; or pass --skip-apps)" >&2; return 1; }
  local staged=$ctx_root/bin-$1-${2##*:}
  mkdir -p "$staged" && { ln -f "$3" "$staged/app-binary" 2>/dev/null || cp "$3" "$staged/app-binary"; }
  build_image "$2" "$images_dir/app" sea-chaos/app-runtime:12 "$staged/app-binary" -- "APP=$1"
}

write_images_env() {
  local tmp=$state_dir/images.env.tmp
  cat >"$tmp" <<ENV
# Written by scripts/build-images.sh: compose image variables -> hermetic local images.
# Use: docker-compose --env-file .state/images.env ...  (or: set -a; . .state/images.env; set +a)
SEA_POSTGRES_IMAGE=$SEA_HERMETIC_POSTGRES_IMAGE
SEA_NATS_IMAGE=$SEA_HERMETIC_NATS_IMAGE
SEA_OPA_IMAGE=$SEA_HERMETIC_OPA_IMAGE
SEA_OTEL_IMAGE=$SEA_HERMETIC_OTEL_IMAGE
# Not OpenObserve: its OTLP/HTTP stand-in (infra/docker/otlp-sink).
SEA_OPENOBSERVE_IMAGE=$SEA_HERMETIC_SINK_IMAGE
SEA_OPA_BUNDLES_IMAGE=$SEA_HERMETIC_OPA_BUNDLES_IMAGE
SEA_WORKER_IMAGE=sea-chaos/sea-mq-worker:dev
SEA_GATEWAY_IMAGE=sea-chaos/policy-gateway:dev
ENV
  mv "$tmp" "$state_dir/images.env"
}

echo "sea-chaos: building hermetic images"
step docker-daemon "$repo/scripts/ensure-docker.sh"
step base-image "$repo/scripts/build-base-image.sh"
step go-tools "$repo/scripts/build-go-tools.sh"
step opa-test run_opa_tests
bin=$cache_dir/bin
step image-runtime build_image sea-chaos/runtime:12 "$images_dir/runtime" "$SEA_BASE_IMAGE_TAG"
step image-postgres build_image "$SEA_HERMETIC_POSTGRES_IMAGE" "$images_dir/postgres" "$SEA_BASE_IMAGE_TAG"
step image-nats build_image "$SEA_HERMETIC_NATS_IMAGE" "$images_dir/nats" sea-chaos/runtime:12 "$bin/nats-server"
step image-opa build_image "$SEA_HERMETIC_OPA_IMAGE" "$images_dir/opa" sea-chaos/runtime:12 "$bin/opa"
step image-otelcol build_image "$SEA_HERMETIC_OTEL_IMAGE" "$images_dir/otelcol" sea-chaos/runtime:12 \
  "$bin/otelcol-sea" "$repo/infra/otel/collector.yaml"
step image-otlp-sink build_image "$SEA_HERMETIC_SINK_IMAGE" "$images_dir/otlp-sink" sea-chaos/runtime:12 "$bin/otlp-sink"
step image-opa-bundles build_image "$SEA_HERMETIC_OPA_BUNDLES_IMAGE" "$images_dir/opa-bundles" sea-chaos/runtime:12 \
  "$bin/opa-bundles"
if [ "$skip_apps" = 0 ] || [ ${#variants[@]} -gt 0 ]; then
  step image-app-runtime build_image sea-chaos/app-runtime:12 "$images_dir/app-runtime" sea-chaos/runtime:12
fi
if [ "$skip_apps" = 0 ]; then
  step image-sea-mq-worker build_app sea-mq-worker sea-chaos/sea-mq-worker:dev "$(app_binary sea-mq-worker)"
  step image-policy-gateway build_app policy-gateway sea-chaos/policy-gateway:dev "$(app_binary policy-gateway)"
fi
for v in "${variants[@]}"; do
  [[ $v =~ ^([^:]+):([^=]+)=(.+)$ ]]
  step "image-${BASH_REMATCH[1]}-mutant-${BASH_REMATCH[2]}" \
    build_app "${BASH_REMATCH[1]}" "sea-chaos/${BASH_REMATCH[1]}:mutant-${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
done
step images-env write_images_env

echo "sea-chaos: images ($((SECONDS - total_start))s total)"
printf '  %s\n' "${summary[@]}"
echo "  compose variables: $state_dir/images.env"
