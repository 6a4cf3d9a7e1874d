#!/usr/bin/env bash
# stop-slurm.sh - stop exactly the daemons start-slurm.sh started, by the PIDs it recorded
# in $SLURM_LOCAL_DIR/pids (never by name). Jobs still queued/running in this cluster are
# cancelled first (the cluster is ours, so all its jobs are ours).
#
#   ./stop-slurm.sh            # stop daemons, keep state (job ids, logs) for the next start
#   ./stop-slurm.sh --purge    # also remove $SLURM_LOCAL_DIR and our /etc/slurm/slurm.conf
set -uo pipefail

DIR="${SLURM_LOCAL_DIR:-/tmp/rnntrain-slurm}"
MARKER="# rnntrain single-node test cluster"
ETC_CONF=/etc/slurm/slurm.conf
PURGE=0
[ "${1:-}" = --purge ] && PURGE=1

log() { printf '[stop-slurm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

alive() {   # alive PID NAME: live, non-zombie process named NAME (guards against PID reuse)
  local pid=$1 name=$2 st comm
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$comm" = "$name" ] && [ "$st" != Z ]
}

stop_one() {  # stop_one NAME
  local name=$1 f="$DIR/pids/$1.pid" pid
  [ -f "$f" ] || { log "$name: no pid file (not started by us)"; return 0; }
  pid=$(cat "$f")
  if ! alive "$pid" "$name"; then log "$name: pid $pid not running"; rm -f "$f"; return 0; fi
  log "$name: SIGTERM $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" "$name" || break; sleep 0.1; done
  if alive "$pid" "$name"; then log "$name: still alive after 10s, SIGKILL $pid"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  rm -f "$f"
}

# cancel this cluster's jobs while slurmctld is still up, so no slurmstepd/job process outlives slurmd
if [ -f "$DIR/pids/slurmctld.pid" ] && alive "$(cat "$DIR/pids/slurmctld.pid")" slurmctld && [ -f "$DIR/etc/slurm.conf" ]; then
  export SLURM_CONF="$DIR/etc/slurm.conf"
  ids=$(squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${ids// /}" ]; then
    log "cancelling jobs: $ids"
    # shellcheck disable=SC2086
    scancel $ids 2>/dev/null || true
    for _ in $(seq 1 50); do [ -z "$(squeue -h -t running,completing 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi

stop_one slurmd
stop_one slurmctld
stop_one munged      # only if start-slurm.sh started it (it records no pid for a pre-existing munged)

if [ "$PURGE" = 1 ]; then
  log "removing $DIR"
  rm -rf "$DIR"
  if [ -f "$ETC_CONF" ] && head -1 "$ETC_CONF" | grep -qF "$MARKER"; then
    rm -f "$ETC_CONF"
    [ -f "$ETC_CONF.bak-slurm-local" ] && mv "$ETC_CONF.bak-slurm-local" "$ETC_CONF"
  fi
fi
log "done"
