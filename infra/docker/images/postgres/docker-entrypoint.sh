#!/bin/bash
# Entry point of sea-chaos/postgres, a compatible subset of the official image's:
#   - `docker run IMAGE -c key=value` runs `postgres -c key=value`;
#   - run as root, it fixes ownership of $PGDATA and re-executes itself as user postgres;
#   - first start (no $PGDATA/PG_VERSION): requires POSTGRES_PASSWORD (clear error otherwise), runs
#     initdb (+ $POSTGRES_INITDB_ARGS) with superuser $POSTGRES_USER (default postgres), scram-sha-256 for host connections,
#     trust only on the local socket; creates $POSTGRES_DB (default = user); runs
#     /docker-entrypoint-initdb.d/*.sql|*.sh in name order on a socket-only temporary server
#     (so nobody can connect over TCP before init finished); stops it;
#   - finally execs postgres listening on all addresses, port 5432.
set -Eeuo pipefail

if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi
if [ "$1" != 'postgres' ]; then
  exec "$@"
fi

if [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

log() { echo "sea-postgres-entrypoint: $*" >&2; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    log "error: database is uninitialized and POSTGRES_PASSWORD is not set (trust auth on the network is not supported)"
    exit 1
  fi
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # POSTGRES_INITDB_ARGS: extra initdb arguments, split on blanks as in the official image (e.g. --no-sync).
  # shellcheck disable=SC2086
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  {
    echo "listen_addresses = '*'"
    echo "password_encryption = 'scram-sha-256'"
  } >>"$PGDATA/postgresql.conf"
  # Every TCP connection, from anywhere, authenticates with a scram password.
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"

  # With initdb --no-sync the whole first-start init is disposable until it completes: the temporary
  # server skips fsync too (its CREATE DATABASE and shutdown checkpoints). The final server keeps fsync on.
  init_opts="-c listen_addresses='' -p 5432"
  case " ${POSTGRES_INITDB_ARGS:-} " in *" --no-sync "*|*" -N "*) init_opts+=" -c fsync=off" ;; esac
  pg_ctl -D "$PGDATA" -o "$init_opts" -w start >/dev/null
  psql_init=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$user" --no-password --dbname postgres)
  if [ "$db" != 'postgres' ]; then
    "${psql_init[@]}" --set db="$db" <<<'CREATE DATABASE :"db";' >/dev/null
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) log "running $f"; "${psql_init[@]}" --dbname "$db" -f "$f" >/dev/null ;;
      *.sh) log "running $f"; . "$f" ;;
      *) if [ -e "$f" ]; then log "ignoring $f"; fi ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  log "init complete"
fi

exec "$@"
