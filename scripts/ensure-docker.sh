#!/usr/bin/env bash
# Makes sure a Docker engine answers. Starts dockerd (overlay2, log in $SEA_STATE_DIR/dockerd.log)
# when none does, waits until `docker info` succeeds, and fails with one clear line otherwise.
# Idempotent: with a daemon already answering it prints nothing and returns 0.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state_dir=${SEA_STATE_DIR:-$here/.state}
timeout_s=${SEA_DOCKERD_TIMEOUT:-60}

if ! command -v docker >/dev/null 2>&1; then
  echo "sea-chaos: docker CLI not found; install it with: sudo apt-get install -y docker.io (or run scripts/setup.sh)" >&2
  exit 1
fi
if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "sea-chaos: no Docker daemon answers and dockerd is not installed; install it with: sudo apt-get install -y docker.io" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "sea-chaos: no Docker daemon answers; start one (sudo systemctl start docker) or run as root so sea-chaos can start dockerd" >&2
  exit 1
fi
mkdir -p "$state_dir"
log="$state_dir/dockerd.log"
echo "sea-chaos: starting dockerd (log: $log)" >&2
# setsid: the daemon must outlive this script and the terminal that ran it.
setsid nohup dockerd --storage-driver=overlay2 >"$log" 2>&1 </dev/null &
deadline=$(( $(date +%s) + timeout_s ))
until docker info >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "sea-chaos: dockerd did not answer within ${timeout_s}s; last lines of $log:" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
  fi
  sleep 0.5
done
echo "sea-chaos: dockerd is up ($(docker info --format '{{.ServerVersion}} {{.Driver}}'))" >&2
