#!/usr/bin/env bash
# Builds the Go binaries of the hermetic stack with the host Go (CGO_ENABLED=0, -trimpath) at the
# versions pinned in infra/docker/versions.env, into ${SEA_CACHE_DIR:-<repo>/.cache}/bin/:
#   nats-server, opa            upstream modules from the Go module proxy
#   otelcol-sea                 infra/otel/collector (our collector distribution)
#   otlp-sink                   infra/docker/otlp-sink (OpenObserve stand-in)
#   opa-bundles                 infra/docker/opa-bundles (OPA bundle service of profile chaos-opa-bundle)
#   docker-compose              compose v2 (module github.com/docker/compose/v2, main package ./cmd), on request
#                               only (scripts/setup.sh installs it as a docker CLI plugin when none answers)
# A binary is rebuilt only when its stamp (<bin>/.<name>.stamp: version + source hash + go version)
# differs. Uses the default GOMODCACHE/GOCACHE so later runs on the same machine are warm.
# Usage: build-go-tools.sh [TOOL...]   (default: all five). Prints one line per tool with its time.
# Exits non-zero with one line "sea-chaos: build-go-tools: <tool> failed ..." on failure.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../infra/docker/versions.env
source "$repo/infra/docker/versions.env"
cache_dir=${SEA_CACHE_DIR:-$repo/.cache}
bin_dir=$cache_dir/bin
log_dir=$cache_dir/logs
mkdir -p "$bin_dir" "$log_dir"
export PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || { echo "sea-chaos: build-go-tools: go not found (expected /usr/local/go/bin/go)" >&2; exit 1; }
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
go_version=$(go env GOVERSION)

# source_hash DIR: hash of the Go sources of a local module.
source_hash() {
  (cd "$1" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | sort -z |
    xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# build_tool NAME STAMP_CONTENT COMMAND...: runs COMMAND (which must write $bin_dir/NAME) unless the stamp matches.
build_tool() {
  local name=$1 stamp_content=$2; shift 2
  local stamp=$bin_dir/.$name.stamp
  if [ -x "$bin_dir/$name" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_content" ]; then
    printf '  %-12s cached (%s)\n' "$name" "$stamp_content"
    return 0
  fi
  local start=$SECONDS log=$log_dir/go-$name.log
  rm -f "$stamp"
  if ! "$@" >"$log" 2>&1; then
    echo "sea-chaos: build-go-tools: $name failed; see $log:" >&2
    tail -n 15 "$log" >&2
    exit 1
  fi
  echo "$stamp_content" >"$stamp"
  printf '  %-12s built in %ss (%s)\n' "$name" "$((SECONDS - start))" "$stamp_content"
}

# go_install_upstream MODULE_PATH VERSION NAME: go install at a pinned version into $bin_dir.
go_install_upstream() {
  GOBIN=$bin_dir go install -trimpath -ldflags '-s -w' "$1@$2"
  [ -x "$bin_dir/$3" ]
}

# go_build_module_main MODULE VERSION PACKAGE NAME LDFLAGS: go build of PACKAGE inside an upstream module, as its
# main module. For modules that `go install MODULE/PACKAGE@VERSION` refuses (compose's go.mod has `exclude`
# directives): the module's source comes from the module proxy (go mod download), is copied to a scratch dir
# and built there with its own go.mod/go.sum, so the dependency versions are exactly the module's.
go_build_module_main() {
  local module=$1 version=$2 package=$3 name=$4 ldflags=$5 dir src
  dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "go mod download $module@$version gave no source directory"; return 1; }
  src=$(mktemp -d "$cache_dir/src-$name.XXXXXX")
  cp -r "$dir/." "$src" && chmod -R u+w "$src"
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$bin_dir/$name.tmp" "$package") && mv "$bin_dir/$name.tmp" "$bin_dir/$name"
  local rc=$?
  rm -rf "$src"
  return $rc
}

# go_build_local DIR NAME VERSION: go build of a local module into $bin_dir/NAME.
go_build_local() {
  (cd "$1" && go build -trimpath -ldflags "-s -w -X main.version=$3" -o "$bin_dir/$2.tmp" . && mv "$bin_dir/$2.tmp" "$bin_dir/$2")
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(nats-server opa otelcol-sea otlp-sink opa-bundles)
echo "sea-chaos: Go tools -> $bin_dir ($go_version)"
for tool in "${tools[@]}"; do
  case $tool in
    nats-server)
      build_tool nats-server "nats-server $NATS_SERVER_VERSION $go_version" \
        go_install_upstream github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION" nats-server ;;
    opa)
      build_tool opa "opa $OPA_VERSION $go_version" \
        go_install_upstream github.com/open-policy-agent/opa "$OPA_VERSION" opa ;;
    otelcol-sea)
      dir=$repo/infra/otel/collector
      build_tool otelcol-sea "otelcol-sea $OTELCOL_VERSION src:$(source_hash "$dir") $go_version" \
        go_build_local "$dir" otelcol-sea "${OTELCOL_VERSION#v}" ;;
    otlp-sink)
      dir=$repo/infra/docker/otlp-sink
      build_tool otlp-sink "otlp-sink $OTLP_SINK_VERSION src:$(source_hash "$dir") $go_version" \
        go_build_local "$dir" otlp-sink "$OTLP_SINK_VERSION" ;;
    opa-bundles)
      dir=$repo/infra/docker/opa-bundles
      build_tool opa-bundles "opa-bundles $OPA_BUNDLES_VERSION src:$(source_hash "$dir") $go_version" \
        go_build_local "$dir" opa-bundles "$OPA_BUNDLES_VERSION" ;;
    docker-compose)
      build_tool docker-compose "docker-compose $COMPOSE_V2_VERSION $go_version" \
        go_build_module_main github.com/docker/compose/v2 "$COMPOSE_V2_VERSION" ./cmd docker-compose \
          "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_V2_VERSION" ;;
    natscli)  # manual mesh checks only
      build_tool nats "natscli $NATSCLI_VERSION $go_version" \
        go_install_upstream github.com/nats-io/natscli/nats "$NATSCLI_VERSION" nats ;;
    *) echo "sea-chaos: build-go-tools: unknown tool '$tool' (known: nats-server opa otelcol-sea otlp-sink opa-bundles natscli docker-compose)" >&2; exit 2 ;;
  esac
done
