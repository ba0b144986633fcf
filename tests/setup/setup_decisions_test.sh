#!/usr/bin/env bash
# What scripts/setup.sh installs on the machines users have, checked without touching this machine: set-up runs
# for real (`setup.sh --no-images`) in a sandbox whose PATH holds only basic tools and fakes of dpkg-query,
# apt-get, docker, dockerd, docker-compose, id, npm, just and go. The fake apt-get records what it is asked to
# install (and "installs" fake docker/dockerd/docker-compose); the fake go "builds" compose v2. Cases:
#   docker-ce      docker info answers, compose v2 answers -> no docker.io/docker-compose/containerd, no build
#   no-engine      no Docker at all -> docker.io and docker-compose installed, compose v2 built and installed as
#                  a CLI plugin, dockerd started; a second run installs/prints nothing
#   dockerd-only   dockerd installed but stopped -> no docker.io (ensure-docker.sh starts it)
#   cli-only       a docker CLI, no engine, no dockerd -> one clear line, nothing installed
#   ubuntu-24.04 / ubuntu-22.04 -> postgresql-16 / postgresql-14 (not postgresql-15)
#   unsupported    Fedora -> one line naming the distribution, nothing installed
#   dry-run        --dry-run prints the same decisions and installs nothing
# Usage: setup_decisions_test.sh [SCRIPTS_DIR]   (default: this repo's scripts/; pass an old copy to see it fail)
# Prints "ok - <case>" / "FAIL - <case>: <why>" and ends with "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
scripts_dir=$(cd "${1:-$repo/scripts}" && pwd)
work=$(mktemp -d /tmp/sea-setup-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# --- the sandbox: basic tools by symlink, fakes written below ------------------------------------------------------
tools_dir=$work/tools
mkdir -p "$tools_dir"
for t in bash sh env dirname basename grep sed cat date tr cut sort head tail awk mkdir rm mktemp chmod install \
         sleep setsid nohup ls cp mv sha256sum xargs find touch tee wc; do
  p=$(command -v "$t") || { echo "FAIL - sandbox: '$t' not found on this machine"; exit 1; }
  ln -s "$p" "$tools_dir/$t"
done
templates=$work/templates
mkdir -p "$templates"
cat >"$templates/docker" <<'EOF'
#!/bin/bash
# fake docker CLI: `info` answers when the fake daemon runs; `compose version` when a v2 plugin is "installed".
case "${1:-}" in
  info) [ -e "$FAKE_STATE/daemon_up" ] ;;
  compose) [ "${2:-}" = version ] && { [ -e "$FAKE_STATE/compose_v2" ] || [ -x "$SEA_COMPOSE_PLUGIN_DIR/docker-compose" ]; } \
             && echo "Docker Compose version v2-fake" ;;
  *) echo "fake docker: unexpected '$*'" >&2; exit 1 ;;
esac
EOF
cat >"$templates/dockerd" <<'EOF'
#!/bin/bash
touch "$FAKE_STATE/daemon_up"
EOF
cat >"$templates/docker-compose" <<'EOF'
#!/bin/bash
[ "${1:-}" = version ] && echo "docker-compose version 1.29.2-fake"
EOF
fakes=$work/fakes-template
mkdir -p "$fakes"
cat >"$fakes/dpkg-query" <<'EOF'
#!/bin/bash
# fake dpkg-query -W -f='${Status}' PKG: installed when listed in $FAKE_STATE/dpkg
pkg=${!#}
grep -qx -- "$pkg" "$FAKE_STATE/dpkg" 2>/dev/null && printf 'install ok installed' && exit 0
exit 1
EOF
cat >"$fakes/apt-get" <<'EOF'
#!/bin/bash
# fake apt-get: records each call; `install` marks the packages installed and installs fake Docker binaries.
echo "$*" >>"$FAKE_STATE/apt-get.log"
[ "${1:-}" = update ] && exit 0
for arg in "$@"; do
  case $arg in
    -*|install) ;;
    docker.io) echo docker.io >>"$FAKE_STATE/dpkg"; cp "$FAKE_TEMPLATES/docker" "$FAKE_TEMPLATES/dockerd" "$FAKE_INSTALLED/" ;;
    docker-compose) echo docker-compose >>"$FAKE_STATE/dpkg"; cp "$FAKE_TEMPLATES/docker-compose" "$FAKE_INSTALLED/" ;;
    *) echo "$arg" >>"$FAKE_STATE/dpkg" ;;
  esac
done
EOF
cat >"$fakes/id" <<'EOF'
#!/bin/bash
echo 0
EOF
cat >"$fakes/npm" <<'EOF'
#!/bin/bash
echo "npm $*" >>"$FAKE_STATE/npm.log"
EOF
cat >"$fakes/just" <<'EOF'
#!/bin/bash
EOF
cat >"$fakes/go" <<'EOF'
#!/bin/bash
# fake go: enough of `go env`, `go mod download -json` and `go build -o OUT` for build-go-tools.sh docker-compose.
case "$1" in
  env) echo go1.26.8 ;;
  mod) mkdir -p "$FAKE_STATE/modsrc"; printf '{\n\t"Dir": "%s",\n}\n' "$FAKE_STATE/modsrc" ;;
  build) while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
         echo "go build" >>"$FAKE_STATE/go-build.log"
         printf '#!/bin/bash\necho "Docker Compose version v2-built"\n' >"$out" && chmod +x "$out" ;;
  *) exit 1 ;;
esac
EOF
chmod +x "$templates"/* "$fakes"/*

os_release() {  # os_release ID VERSION_ID PRETTY_NAME
  printf 'ID=%s\nVERSION_ID="%s"\nPRETTY_NAME="%s"\n' "$1" "$2" "$3"
}

# new_case NAME: a fresh sandbox (repo copy with the scripts under test, state, fakes). Sets $c.
new_case() {
  c=$work/$1
  mkdir -p "$c/repo/scripts" "$c/repo/infra/docker" "$c/repo/tools/report/node_modules/uplot" "$c/state" \
           "$c/installed" "$c/fakes" "$c/plugins" "$c/sea-state" "$c/cache"
  cp "$scripts_dir"/*.sh "$c/repo/scripts/"
  cp "$repo/infra/docker/versions.env" "$c/repo/infra/docker/"
  cp "$fakes"/* "$c/fakes/"
  : >"$c/state/dpkg"
  os_release debian 12 "Debian GNU/Linux 12 (bookworm)" >"$c/os-release"
}
with_docker_ce() {  # an engine that answers and compose v2: what Docker CE / Docker Desktop machines have
  cp "$templates/docker" "$templates/dockerd" "$c/fakes/"
  touch "$c/state/daemon_up" "$c/state/compose_v2"
}
# run_setup [ARGS...]: runs the copied setup.sh in the sandbox; output in $c/out, status in $rc.
run_setup() {
  env -i HOME="$c" PATH="$c/fakes:$c/installed:$tools_dir" SEA_GO_BIN_DIR="$c/fakes" \
      SEA_OS_RELEASE="$c/os-release" SEA_STATE_DIR="$c/sea-state" SEA_CACHE_DIR="$c/cache" \
      SEA_COMPOSE_PLUGIN_DIR="$c/plugins" SEA_DOCKERD_TIMEOUT=10 \
      FAKE_STATE="$c/state" FAKE_TEMPLATES="$templates" FAKE_INSTALLED="$c/installed" \
      bash "$c/repo/scripts/setup.sh" --no-images "$@" >"$c/out" 2>&1
  rc=$?
}
installs() { grep -E '^install' "$c/state/apt-get.log" 2>/dev/null | tr ' ' '\n' | grep -v -- '^-' | grep -vx install; }
problems=()
expect() { "$@" || problems+=("$(caller | cut -d' ' -f1): $*"); }
has_pkg() { installs | grep -qx -- "$1"; }
no_pkg() { ! installs | grep -qx -- "$1"; }
nothing_installed() { [ ! -s "$c/state/apt-get.log" ]; }
one_line_matching() { [ "$(wc -l <"$c/out")" -eq 1 ] && grep -qE -- "$1" "$c/out"; }
report() {  # report NAME
  if [ ${#problems[@]} -eq 0 ]; then echo "ok - $1"; passed=$((passed + 1))
  else
    echo "FAIL - $1: ${problems[*]}"; sed 's/^/    | /' "$c/out"; failed=$((failed + 1))
  fi
  problems=()
}

# --- cases -------------------------------------------------------------------------------------------------------------
new_case docker-ce; with_docker_ce; run_setup
expect [ "$rc" -eq 0 ]
for p in docker.io docker-compose containerd docker-ce; do expect no_pkg "$p"; done
expect has_pkg postgresql-15
expect has_pkg ccache
expect [ ! -e "$c/state/go-build.log" ]
report "docker-ce: docker info answers -> no Docker package, no compose build"

new_case no-engine; run_setup
expect [ "$rc" -eq 0 ]
expect has_pkg docker.io
expect has_pkg docker-compose
expect [ -x "$c/plugins/docker-compose" ]
expect [ -e "$c/state/daemon_up" ]
report "no-engine: docker.io + docker-compose installed, compose v2 built into the plugin dir, dockerd started"
mv "$c/state/apt-get.log" "$c/state/apt-get.first.log"; rm -f "$c/state/go-build.log"; run_setup
expect [ "$rc" -eq 0 ]
expect nothing_installed
expect [ ! -e "$c/state/go-build.log" ]
expect [ ! -s "$c/out" ]
report "no-engine, second run: installs, builds and prints nothing"

new_case dockerd-only; cp "$templates/docker" "$templates/dockerd" "$c/fakes/"; touch "$c/state/compose_v2"; run_setup
expect [ "$rc" -eq 0 ]
expect no_pkg docker.io
expect [ -e "$c/state/daemon_up" ]
report "dockerd-only: a stopped dockerd is started, not replaced"

new_case cli-only; cp "$templates/docker" "$c/fakes/"; run_setup
expect [ "$rc" -ne 0 ]
expect nothing_installed
expect one_line_matching 'docker CLI .* no engine answers'
report "cli-only: one clear line, nothing installed"

new_case ubuntu-24.04; with_docker_ce; os_release ubuntu 24.04 "Ubuntu 24.04.1 LTS" >"$c/os-release"; run_setup
expect [ "$rc" -eq 0 ]
expect has_pkg postgresql-16
expect no_pkg postgresql-15
expect no_pkg docker.io
report "ubuntu-24.04: postgresql-16, no Docker package"

new_case ubuntu-22.04; with_docker_ce; os_release ubuntu 22.04 "Ubuntu 22.04.5 LTS" >"$c/os-release"; run_setup
expect [ "$rc" -eq 0 ]
expect has_pkg postgresql-14
expect no_pkg postgresql-15
report "ubuntu-22.04: postgresql-14"

new_case unsupported; with_docker_ce; os_release fedora 40 "Fedora Linux 40 (Workstation Edition)" >"$c/os-release"; run_setup
expect [ "$rc" -ne 0 ]
expect nothing_installed
expect one_line_matching 'unsupported distribution .*Fedora Linux 40'
report "unsupported: one line naming the distribution, nothing installed"

new_case dry-run; with_docker_ce; run_setup --dry-run
expect [ "$rc" -eq 0 ]
expect nothing_installed
expect grep -q '^docker engine: keep (docker info answers)' "$c/out"
expect grep -qE '^apt packages to install: .*postgresql-15' "$c/out"
expect [ ! -e "$c/state/go-build.log" ]
report "dry-run: prints the decisions, installs nothing"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
