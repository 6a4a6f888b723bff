#!/usr/bin/env bash
# Runs a three-node RabbitMQ cluster on this machine beside the default node (5672, left alone): nodes
# lgsp1..3@localhost on AMQP ports 5681..5683, their data, logs and Erlang cookie in one directory per machine
# (/tmp/lgsp-rabbitmq-cluster), so every checkout on the machine finds and reuses the one cluster its ports belong to.
#
#   scripts/rabbitmq-cluster.sh start            start the nodes that are down and join them (nothing if already up)
#   scripts/rabbitmq-cluster.sh stop             stop all three nodes (their data stays)
#   scripts/rabbitmq-cluster.sh reset            stop and delete .cluster/
#   scripts/rabbitmq-cluster.sh status           one line per node: running / down, and the cluster's running nodes
#   scripts/rabbitmq-cluster.sh ctl N ARGS...    rabbitmqctl against node N (1..3) with the cluster's cookie
#   scripts/rabbitmq-cluster.sh start-node N     start node N again (after a stop or a kill) and wait for it
#   scripts/rabbitmq-cluster.sh pid N            the OS pid of node N's Erlang VM (beam.smp)
#   scripts/rabbitmq-cluster.sh urls             the three amqp:// addresses, comma-separated
#
# The nodes run as the calling user with HOME=.cluster, so they and this script's rabbitmqctl share a cookie of their
# own: the default node's cookie and /etc/rabbitmq are never read (RABBITMQ_CONF_ENV_FILE and RABBITMQ_CONFIG_FILE
# point into .cluster). No plugins are enabled (no management listener to collide with the default node's).
# Environment: LGSP_CLUSTER_DIR (default /tmp/lgsp-rabbitmq-cluster), LGSP_CLUSTER_BASE_PORT (default 5681).
set -euo pipefail

DIR="${LGSP_CLUSTER_DIR:-/tmp/lgsp-rabbitmq-cluster}"
BASE_PORT="${LGSP_CLUSTER_BASE_PORT:-5681}"
NODES=(1 2 3)
RABBIT_BIN=/usr/lib/rabbitmq/bin

node_name() { echo "lgsp$1@localhost"; }
node_port() { echo $((BASE_PORT + $1 - 1)); }
# Distribution ports far from the AMQP ones and from the default node's 25672.
dist_port() { echo $((BASE_PORT + 20000 + $1 - 1)); }
node_dir() { echo "$DIR/lgsp$1"; }

# The environment every rabbitmq-server / rabbitmqctl call of node N runs with.
node_env() {
  local n=$1 d
  d="$(node_dir "$n")"
  echo HOME="$DIR" \
    RABBITMQ_CONF_ENV_FILE="$DIR/rabbitmq-env.conf" \
    RABBITMQ_NODENAME="$(node_name "$n")" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(node_port "$n")" \
    RABBITMQ_DIST_PORT="$(dist_port "$n")" \
    RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$d/mnesia" \
    RABBITMQ_LOG_BASE="$d/log" \
    RABBITMQ_PID_FILE="$d/rabbit.pid" \
    ERL_CRASH_DUMP="$d/log/erl_crash.dump" \
    ERL_EPMD_ADDRESS=127.0.0.1
}

ctl() {
  local n=$1
  shift
  env $(node_env "$n") "$RABBIT_BIN/rabbitmqctl" -n "$(node_name "$n")" "$@"
}

prepare() {
  mkdir -p "$DIR"
  if [ ! -f "$DIR/.erlang.cookie" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/.erlang.cookie")
    chmod 400 "$DIR/.erlang.cookie"
  fi
  # Only the distribution bound to loopback; schedulers kept few: the machine is shared with tests.
  cat >"$DIR/rabbitmq-env.conf" <<'EOF'
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none"
EOF
  echo '[].' >"$DIR/enabled_plugins"
  for n in "${NODES[@]}"; do
    local d
    d="$(node_dir "$n")"
    mkdir -p "$d/mnesia" "$d/log"
    cat >"$d/rabbitmq.conf" <<EOF
listeners.tcp.local = 127.0.0.1:$(node_port "$n")
# Detects a lost peer in ~15 s instead of 60 s (net_ticktime); a partitioned minority pauses its AMQP side.
cluster_partition_handling = pause_minority
log.file.level = info
log.console = false
EOF
    cat >"$d/advanced.config" <<'EOF'
[{kernel, [{net_ticktime, 15}]}].
EOF
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The AMQP port first: a closed one answers at once, where rabbitmqctl against a down node waits for its timeout.
node_running() { port_open "$(node_port "$1")" && ctl "$1" -q --timeout 10 ping >/dev/null 2>&1; }

start_node() {
  local n=$1 d
  d="$(node_dir "$n")"
  if node_running "$n"; then return 0; fi
  rm -f "$d/rabbit.pid"
  # setsid: the node outlives this script and the npm or jest process that ran it. Started from the cluster's own
  # directory: a node keeps the working directory it started in, and one started from a checkout that is later
  # deleted (a CI clone) fails every later stop_app/start_app (rabbit_plugins resolves paths against it: enoent).
  cd "$DIR"
  env $(node_env "$n") setsid "$RABBIT_BIN/rabbitmq-server" >>"$d/log/stdout.log" 2>&1 </dev/null &
  ctl "$n" -q wait --timeout 120 "$d/rabbit.pid" >/dev/null
}

running_nodes() {
  port_open "$(node_port "$1")" || return 0
  ctl "$1" -q --timeout 20 cluster_status --formatter json 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try { console.log((JSON.parse(s).running_nodes || []).sort().join(",")); } catch { console.log(""); }
    });'
}

# Node 1 seeing all three as running members is enough: membership is symmetric (and each rabbitmqctl call costs
# seconds of CPU on a small machine).
all_joined() {
  local want
  want="$(for n in "${NODES[@]}"; do node_name "$n"; done | sort | paste -sd, -)"
  [ "$(running_nodes 1)" = "$want" ]
}

say() { echo "[cluster +$((SECONDS - started))s] $*"; }

cmd_start() {
  started=$SECONDS
  prepare
  if all_joined; then
    echo "cluster already running and joined: $(running_nodes 1)"
    return 0
  fi
  say "starting the nodes that are down"
  for n in "${NODES[@]}"; do start_node "$n" & done
  wait
  say "nodes up"
  for n in "${NODES[@]}"; do node_running "$n" || { echo "node $(node_name "$n") did not start; see $(node_dir "$n")/log" >&2; exit 1; }; done
  for n in "${NODES[@]:1}"; do
    if ! running_nodes "$n" | tr , '\n' | grep -qx "$(node_name 1)"; then
      say "joining $(node_name "$n") to $(node_name 1)"
      ctl "$n" -q stop_app
      ctl "$n" -q join_cluster "$(node_name 1)" 2>&1 | grep -v 'tracked connection table' || true
      ctl "$n" -q start_app
    fi
  done
  say "checking membership"
  all_joined || { echo "cluster did not form: $(running_nodes 1)" >&2; exit 1; }
  echo "cluster running: $(running_nodes 1) (start + join took $((SECONDS - started)) s)"
}

cmd_stop() {
  for n in "${NODES[@]}"; do
    if node_running "$n"; then ctl "$n" -q stop >/dev/null 2>&1 || true; fi
  done
}

cmd_status() {
  for n in "${NODES[@]}"; do
    if node_running "$n"; then echo "$(node_name "$n") running on $(node_port "$n"), sees $(running_nodes "$n")"; else echo "$(node_name "$n") down"; fi
  done
}

cmd_pid() {
  local pidfile
  pidfile="$(node_dir "$1")/rabbit.pid"
  [ -s "$pidfile" ] || { echo "no pid file for $(node_name "$1")" >&2; exit 1; }
  cat "$pidfile"
}

cmd_urls() {
  for n in "${NODES[@]}"; do echo "amqp://guest:guest@127.0.0.1:$(node_port "$n")"; done | paste -sd, -
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  reset) cmd_stop; rm -rf "$DIR" ;;
  status) cmd_status ;;
  ctl) shift; n=$1; shift; ctl "$n" "$@" ;;
  start-node) prepare; start_node "$2"; ctl "$2" -q await_startup --timeout 120 ;;
  pid) cmd_pid "$2" ;;
  urls) cmd_urls ;;
  *) sed -n '2,14p' "$0" >&2; exit 64 ;;
esac
