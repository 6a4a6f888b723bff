#!/usr/bin/env bash
# Runs a PostgreSQL primary and a synchronous streaming-replication standby on this machine, beside the default
# cluster (5432, left alone), for failover tests: their own data directories under one directory (default
# /tmp/lgsp-pg-pair), ports 5441 (primary) and 5442 (standby), trust authentication on 127.0.0.1 only.
#
#   scripts/postgres-pair.sh start          initialise what is missing and start both (the standby streams from the primary)
#   scripts/postgres-pair.sh promote        promote the standby (it takes writes; the old primary is left as it is)
#   scripts/postgres-pair.sh kill-primary   SIGKILL the primary's postmaster (a crash: no shutdown checkpoint)
#   scripts/postgres-pair.sh stop           stop both (immediate)
#   scripts/postgres-pair.sh reset          stop both and delete their data: a promoted pair cannot be joined again
#   scripts/postgres-pair.sh status         one line per server
#
# Replication is synchronous (synchronous_standby_names = standby, synchronous_commit = on): a commit the primary
# acknowledged is on the standby too, which is what lets a promotion lose nothing the bus was told was durable.
# Environment: LGSP_PG_PAIR_DIR, LGSP_PG_PAIR_BASE_PORT (default 5441). Runs the servers as the postgres user when
# called as root (PostgreSQL refuses to run as root).
set -euo pipefail

DIR="${LGSP_PG_PAIR_DIR:-/tmp/lgsp-pg-pair}"
BASE_PORT="${LGSP_PG_PAIR_BASE_PORT:-5441}"
PRIMARY_PORT="$BASE_PORT"
STANDBY_PORT=$((BASE_PORT + 1))
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

server_running() { as_pg "$BIN/pg_ctl" -D "$DIR/$1" status >/dev/null 2>&1; }

init_primary() {
  [ -f "$DIR/primary/PG_VERSION" ] && return 0
  as_pg "$BIN/initdb" -D "$DIR/primary" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log"
  cat >>"$DIR/primary/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 5
synchronous_commit = on
max_connections = 200
CONF
  echo "host replication all 127.0.0.1/32 trust" >>"$DIR/primary/pg_hba.conf"
}

init_standby() {
  [ -f "$DIR/standby/PG_VERSION" ] && return 0
  as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/standby" -R -X stream --no-sync --checkpoint=fast
  cat >>"$DIR/standby/postgresql.auto.conf" <<CONF
port = $STANDBY_PORT
primary_conninfo = 'host=127.0.0.1 port=$PRIMARY_PORT user=postgres application_name=standby'
CONF
}

start() {
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  init_primary
  server_running primary || as_pg "$BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres test
  init_standby
  server_running standby || as_pg "$BIN/pg_ctl" -D "$DIR/standby" -l "$DIR/standby.log" -w start >/dev/null
  # Synchronous only once the standby exists: before, every commit (CREATE DATABASE included) would wait for it.
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qtAc "ALTER SYSTEM SET synchronous_standby_names = 'standby'" >/dev/null
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qtAc "SELECT pg_reload_conf()" >/dev/null
  # Ready once the primary reports the standby as its synchronous one.
  for _ in $(seq 1 100); do
    if as_pg "$BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -tAc "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'" | grep -q sync; then
      return 0
    fi
    sleep 0.1
  done
  echo "the standby did not become synchronous" >&2
  exit 1
}

stop_server() { server_running "$1" && as_pg "$BIN/pg_ctl" -D "$DIR/$1" -m immediate -w stop >/dev/null || true; }

case "${1:-}" in
  start) start ;;
  promote) as_pg "$BIN/pg_ctl" -D "$DIR/standby" -w promote >/dev/null ;;
  kill-primary) kill -9 "$(head -1 "$DIR/primary/postmaster.pid")" ;;
  stop) stop_server standby; stop_server primary ;;
  reset)
    stop_server standby
    stop_server primary
    rm -rf "$DIR"
    ;;
  status)
    for s in primary standby; do
      if server_running "$s"; then echo "$s running"; else echo "$s down"; fi
    done
    ;;
  *)
    echo "usage: $0 start|promote|kill-primary|stop|reset|status" >&2
    exit 2
    ;;
esac
