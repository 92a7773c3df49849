#!/usr/bin/env bash
# Loupe scaled out on this machine's loopback, for a person to try:
#   scripts/cluster.sh up|down|status [--dir DIR] [--nodes N]
# `up` starts PostgreSQL, 3 Kafka brokers, ZooKeeper and 3 Solr nodes, S3Proxy and N Loupe nodes
# (default 2), each a process of its own, and prints the node URLs, the admin key and every
# node's settings (the template of a real deployment). The processes belong to a launcher JVM
# (dev.loupe.testing.engines.ClusterLauncher, in the test classes) started detached, so they
# outlive this script; `down` stops the launcher, which stops them, then kills any process it
# recorded that is still there. DIR (default target/cluster) holds the description, the process
# list and the launcher's log; engine logs go to target/engines/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh

usage() { echo "usage: scripts/cluster.sh up|down|status [--dir DIR] [--nodes N]" >&2; exit 2; }
command="${1:-}"
[ $# -gt 0 ] && shift
dir=target/cluster
nodes=2
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || usage; dir="$2"; shift 2 ;;
    --nodes) [ $# -ge 2 ] || usage; nodes="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$nodes" =~ ^[1-9][0-9]?$ ]] || { echo "cluster: --nodes takes 1 to 99, got '$nodes'" >&2; exit 2; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

# A process's start time in clock ticks since boot (field 22 of /proc/PID/stat, counted after
# the command name, which may hold spaces): with the pid, it names one process, never a later
# one that reuses the pid.
started() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
same_process() { [ -n "$2" ] && [ "$(started "$1")" = "$2" ]; }
launcher_running() {
  [ -f "$dir/launcher.started" ] && read -r pid ticks < "$dir/launcher.started" && same_process "$pid" "$ticks"
}

build_if_needed() {
  local cp=target/cluster.classpath
  if [ ! -f "$cp" ] || [ ! -d target/test-classes ] || [ -n "$(find src pom.xml -newer "$cp" -print -quit)" ]; then
    echo "cluster: building (mvn test-compile)..." >&2
    local goals=(-q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/$cp")
    mvn -o "${goals[@]}" >&2 || mvn "${goals[@]}" >&2
    touch "$cp"
  fi
}

up() {
  if launcher_running; then
    echo "cluster: already running in $dir (scripts/cluster.sh status --dir $dir)" >&2; exit 1
  fi
  build_if_needed
  # A cluster starts fresh: the brokers refuse a formatted log directory of another cluster.
  rm -rf "$dir/state" "$dir"/{ready,pids,pids.started,nodes,cluster.txt,launcher.pid,launcher.started}
  local cp="$PWD/target/classes:$PWD/target/test-classes:$(cat target/cluster.classpath)"
  setsid nohup java -Xmx256m -XX:+UseSerialGC -cp "$cp" dev.loupe.testing.engines.ClusterLauncher \
    "$dir" "$nodes" "${LOUPE_MODELS_DIR:-models}" > "$dir/launcher.log" 2>&1 < /dev/null &
  local pid=$!
  echo "cluster: starting $nodes Loupe nodes and their engines (a minute or more; log: $dir/launcher.log)..." >&2
  # The launcher writes its own pid (setsid may fork); until then, the one started here stands for it.
  for _ in $(seq 1 20); do [ -f "$dir/launcher.pid" ] && break; sleep 0.5; done
  [ -f "$dir/launcher.pid" ] && pid="$(cat "$dir/launcher.pid")"
  echo "$pid $(started "$pid")" > "$dir/launcher.started"
  local deadline=$((SECONDS + 900))
  until [ -f "$dir/ready" ]; do
    if ! launcher_running; then
      echo "cluster: the launcher exited before the cluster was up; its log ends:" >&2
      tail -n 30 "$dir/launcher.log" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "cluster: not up after 15 minutes; stopping it (log: $dir/launcher.log)" >&2
      down >&2; exit 1
    fi
    sleep 2
  done
  while read -r p name; do echo "$p $(started "$p") $name"; done < "$dir/pids" > "$dir/pids.started"
  cat "$dir/cluster.txt"
}

down() {
  local launcher=""
  if launcher_running; then
    read -r launcher _ < "$dir/launcher.started"
    kill -TERM "$launcher"
    for _ in $(seq 1 60); do launcher_running || break; sleep 1; done
    launcher_running && kill -KILL "$launcher"
  fi
  local left=0
  if [ -f "$dir/pids.started" ]; then
    while read -r p ticks name; do
      if same_process "$p" "$ticks"; then kill -KILL "$p" 2>/dev/null && left=$((left + 1)) && echo "cluster: killed $name ($p)" >&2; fi
    done < "$dir/pids.started"
  fi
  [ -n "$launcher" ] && rm -rf "target/engines/solr-cloud-$launcher"
  rm -f "$dir"/{ready,pids,pids.started,nodes,launcher.pid,launcher.started}
  if [ -n "$launcher" ]; then
    echo "cluster: stopped (launcher $launcher and every process it started; $left outlived it and were killed)"
  else
    echo "cluster: none running in $dir$([ "$left" -eq 0 ] || echo " ($left leftover processes killed)")"
  fi
}

status() {
  if ! launcher_running; then echo "cluster: none running in $dir"; exit 1; fi
  read -r launcher _ < "$dir/launcher.started"
  if [ ! -f "$dir/ready" ]; then echo "cluster: starting (launcher $launcher; log: $dir/launcher.log)"; exit 0; fi
  echo "cluster: up since $(cat "$dir/ready") (launcher $launcher, files in $dir)"
  while read -r p ticks name; do
    if same_process "$p" "$ticks"; then state=running; else state=GONE; fi
    printf '  %-8s %-14s %s\n' "$p" "$name" "$state"
  done < "$dir/pids.started"
  while read -r id url; do
    printf '  %-23s %s /health: %s\n' "$id" "$url" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url/health" || echo unreachable)"
  done < "$dir/nodes"
}

case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
