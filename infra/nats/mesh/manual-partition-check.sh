#!/usr/bin/env bash
# MANUAL check of the NATS mesh (infra/docker/docker-compose.mesh.yml), not used by the suite:
# creates SEA_EVENTS in domain sea-a and its cross-domain mirror SEA_EVENTS_MIRROR in sea-b,
# publishes, partitions sea-nats-a-1's leafnode port 7522 from the host (nsenter + iptables DROP,
# both directions), shows the mirror falling behind while publishes are still acked, heals, and
# measures how long until the mirror converges and the link shows up again in /leafz.
# Needs: the mesh up, root (nsenter), jq, and the natscli binary in $NATS
# (scripts/build-go-tools.sh natscli -> .cache/bin/nats). Usage: NATS=... manual-partition-check.sh [partition_s]
set -euo pipefail
nats_cli=${NATS:?set NATS to the natscli binary}
partition_s=${1:-15}
a=nats://127.0.0.1:${SEA_MESH_A_PORT:-4422}
b=nats://127.0.0.1:${SEA_MESH_B_PORT:-5422}
b1_monitor=http://127.0.0.1:${SEA_MESH_B1_MONITOR_PORT:-9422}
now_ms() { date +%s%3N; }
js() { "$nats_cli" -s "$1" req --raw --timeout 3s "$2" "${3:-}" 2>/dev/null; }
last_seq() { js "$1" "\$JS.API.STREAM.INFO.$2" | jq -r '.state.last_seq // "err"'; }
leaf_count() { curl -s "$b1_monitor/leafz" | jq -r '.leafnodes // 0'; }

# Cold start: the JetStream API may time out for a while after the nodes are up (README.md: Cold start).
deadline=$(( $(date +%s) + 60 ))
until js "$a" '$JS.API.INFO' | jq -e '.type == "io.nats.jetstream.api.v1.account_info_response" and (.error == null)' >/dev/null; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "JetStream in sea-a not ready within 60 s" >&2; exit 1; }
  sleep 0.5
done
stream='{"name":"SEA_EVENTS","subjects":["sea.event.>"],"storage":"file","num_replicas":3,"retention":"limits","max_msgs":-1,"max_bytes":-1,"max_age":0,"discard":"old"}'
mirror='{"name":"SEA_EVENTS_MIRROR","storage":"file","num_replicas":3,"retention":"limits","max_msgs":-1,"max_bytes":-1,"max_age":0,"discard":"old","mirror":{"name":"SEA_EVENTS","external":{"api":"$JS.sea-a.API","deliver":""}}}'
until js "$a" '$JS.API.STREAM.CREATE.SEA_EVENTS' "$stream" | jq -e '.error == null or .error.err_code == 10058' >/dev/null; do sleep 0.5; done
until js "$b" '$JS.API.STREAM.CREATE.SEA_EVENTS_MIRROR' "$mirror" | jq -e '.error == null or .error.err_code == 10058' >/dev/null; do sleep 0.5; done

publish() {  # publish N messages to A, each must be acked
  local i ack
  for ((i = 0; i < $1; i++)); do
    ack=$("$nats_cli" -s "$a" req --raw --timeout 2s "sea.event.check" "msg-$(now_ms)-$i" 2>/dev/null)
    echo "$ack" | jq -e '.seq' >/dev/null || { echo "publish not acked: $ack" >&2; return 1; }
  done
}
wait_converged() {  # prints ms until mirror last_seq == source last_seq
  local start=$1 src
  src=$(last_seq "$a" SEA_EVENTS)
  until [ "$(last_seq "$b" SEA_EVENTS_MIRROR)" = "$src" ]; do
    [ $(( $(now_ms) - start )) -lt 120000 ] || { echo "mirror did not converge within 120 s" >&2; return 1; }
    sleep 0.1
  done
  echo $(( $(now_ms) - start ))
}

publish 20
echo "baseline: source $(last_seq "$a" SEA_EVENTS), mirror converged in $(wait_converged "$(now_ms)") ms, b-1 leafz leafnodes=$(leaf_count)"

pid=$(docker inspect -f '{{.State.Pid}}' sea-nats-a-1)
rules=(-p tcp --dport 7522 -j DROP) rules_out=(-p tcp --sport 7522 -j DROP)
t_part=$(now_ms)
nsenter -t "$pid" -n iptables -I INPUT "${rules[@]}"
nsenter -t "$pid" -n iptables -I OUTPUT "${rules_out[@]}"
heal() { nsenter -t "$pid" -n iptables -D INPUT "${rules[@]}" 2>/dev/null || true; nsenter -t "$pid" -n iptables -D OUTPUT "${rules_out[@]}" 2>/dev/null || true; }
trap heal EXIT
link_down_ms=""
while [ $(( $(now_ms) - t_part )) -lt $(( partition_s * 1000 )) ]; do
  publish 2
  if [ -z "$link_down_ms" ] && [ "$(leaf_count)" = 0 ]; then link_down_ms=$(( $(now_ms) - t_part )); fi
  sleep 0.5
done
src=$(last_seq "$a" SEA_EVENTS); mir=$(last_seq "$b" SEA_EVENTS_MIRROR)
echo "partitioned ${partition_s}s: publishes acked, source last_seq=$src mirror last_seq=$mir (behind by $((src - mir))), b-1 /leafz showed the link down after ${link_down_ms:-never} ms"
t_heal=$(now_ms)
heal
trap - EXIT
converged=$(wait_converged "$t_heal")
until [ "$(leaf_count)" -ge 1 ]; do sleep 0.1; done
echo "healed: mirror converged ${converged} ms after heal; link up again in b-1 /leafz after $(( $(now_ms) - t_heal )) ms (checked after convergence)"
[ "$src" -gt "$mir" ] || { echo "FAULT DID NOT TAKE EFFECT: mirror kept up during the partition" >&2; exit 1; }
