#!/usr/bin/env bash
# Builds the Debian 12 base image of the hermetic stack (default tag sea-chaos/debian:12, from
# infra/docker/versions.env) without any container registry:
#   debootstrap --variant=minbase bookworm DIR MIRROR   (MIRROR = the host's Debian apt mirror)
#   + the host's Debian apt sources copied in, then `tar -C DIR -c . | docker import`.
# Skips everything when the image exists (delete it to rebuild). Needs root and debootstrap.
# Env: SEA_BASE_IMAGE (override the tag), SEA_DEBIAN_MIRROR (override the mirror), SEA_CACHE_DIR.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../infra/docker/versions.env
source "$repo/infra/docker/versions.env"
image=${SEA_BASE_IMAGE:-$SEA_BASE_IMAGE_TAG}
fail() { echo "sea-chaos: build-base-image: $*" >&2; exit 1; }

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "  base image $image exists (skipped)"
  exit 0
fi
command -v debootstrap >/dev/null || fail "debootstrap not installed (apt-get install -y debootstrap)"
[ "$(id -u)" -eq 0 ] || fail "debootstrap needs root"

# Active apt source files of the host that point at Debian archives (third-party repos need keys the
# base image does not have, so they are left out).
debian_sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && grep -qiE '^[^#]*(URIs:|deb ).*debian' "$f" && grep -qiE 'bookworm' "$f" && debian_sources+=("$f")
done
[ ${#debian_sources[@]} -gt 0 ] || fail "no Debian bookworm apt source found in /etc/apt/sources.list{,.d/}"

# The mirror: first URI serving suite "bookworm" (deb822 stanza or one-line format).
mirror=${SEA_DEBIAN_MIRROR:-$(awk '
  /^[[:space:]]*$/ { if (uri != "" && suite) { print uri; exit } uri=""; suite=0; next }
  /^URIs:/ { uri=$2 }
  /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite=1 }
  /^deb[[:space:]]/ { u=$2; if (u ~ /^\[/) u=$3; for (i = 3; i <= NF; i++) if ($i == "bookworm") { print u; exit } }
  END { if (uri != "" && suite) print uri }' "${debian_sources[@]}" | head -n1)}
[ -n "$mirror" ] || fail "could not read a bookworm mirror from ${debian_sources[*]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/sea-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
start=$SECONDS
echo "  debootstrap minbase bookworm from $mirror ..."
if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 15 "$work/debootstrap.log" >&2
  fail "debootstrap failed (mirror $mirror)"
fi
rm -f "$rootfs"/etc/apt/sources.list
for f in "${debian_sources[@]}"; do
  case $f in
    /etc/apt/sources.list) cp "$f" "$rootfs/etc/apt/sources.list" ;;
    *) cp "$f" "$rootfs/etc/apt/sources.list.d/" ;;
  esac
done
# Smaller layers for everything built on top: no docs/man pages, no recommends.
mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d" "$rootfs/etc/apt/apt.conf.d"
printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
  >"$rootfs/etc/dpkg/dpkg.cfg.d/01-sea-nodoc"
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$rootfs/etc/apt/apt.conf.d/01-sea-norecommends"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
tar -C "$rootfs" -c . | docker import \
  -c 'ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive' -c 'CMD ["bash"]' \
  -c "LABEL org.opencontainers.image.title=sea-chaos-debian org.opencontainers.image.description=debootstrap-minbase-bookworm org.opencontainers.image.source=$mirror" \
  - "$image" >/dev/null || fail "docker import of $image failed"
echo "  base image $image built in $((SECONDS - start))s"
