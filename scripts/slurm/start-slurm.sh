#!/usr/bin/env bash
# start-slurm.sh - bring up a single-node Slurm cluster on localhost, non-interactively
# (scripts/slurm-test.sh runs rnntrain sweep against it; the README's Slurm example too).
#
#   sudo ./start-slurm.sh            # install (if needed), configure, start, wait for node idle
#   ./stop-slurm.sh [--purge]        # stop exactly the daemons this script started (PID files)
#
# Environment (all optional):
#   SLURM_LOCAL_DIR      state/log/pid dir                     (default /tmp/rnntrain-slurm)
#   SLURM_LOCAL_AUTH     munge | none                           (default munge)
#   SLURM_LOCAL_CTLD_PORT / SLURM_LOCAL_SLURMD_PORT             (default 6817 / 6818)
#   SLURM_LOCAL_MIN_JOB_AGE  seconds finished jobs stay in squeue (default 300)
#   SLURM_LOCAL_TIMEOUT  seconds to wait for the node to be idle (default 60)
#   SLURM_LOCAL_NO_INSTALL=1  never call apt-get
#
# Writes the rendered config to $SLURM_LOCAL_DIR/etc/slurm.conf and copies it to
# /etc/slurm/slurm.conf so that plain sbatch/squeue/sinfo work without SLURM_CONF.
# Needs root. Debian 12 (bookworm) slurm-wlm 22.05; no systemd required.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${SLURM_LOCAL_DIR:-/tmp/rnntrain-slurm}"
AUTH_MODE="${SLURM_LOCAL_AUTH:-munge}"
CTLD_PORT="${SLURM_LOCAL_CTLD_PORT:-6817}"
SLURMD_PORT="${SLURM_LOCAL_SLURMD_PORT:-6818}"
MIN_JOB_AGE="${SLURM_LOCAL_MIN_JOB_AGE:-300}"
TIMEOUT="${SLURM_LOCAL_TIMEOUT:-60}"
TEMPLATE="${SLURM_LOCAL_TEMPLATE:-$HERE/slurm.conf.template}"
MARKER="# rnntrain single-node test cluster"
ETC_CONF=/etc/slurm/slurm.conf

log() { printf '[start-slurm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

[ "$(id -u)" = 0 ] || die "must run as root"
[ -r "$TEMPLATE" ] || die "template not found: $TEMPLATE"
case "$AUTH_MODE" in munge|none) ;; *) die "SLURM_LOCAL_AUTH must be munge or none";; esac

# alive PID NAME: true if PID is a live (non-zombie) process whose comm is NAME
alive() {
  local pid=$1 name=$2 st comm
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$comm" = "$name" ] && [ "$st" != Z ]
}

# ---------------------------------------------------------------- 1. install
PKGS=(slurmctld slurmd slurm-client)
[ "$AUTH_MODE" = munge ] && PKGS+=(munge)
need_install=0
for b in slurmctld slurmd sbatch sinfo; do command -v "$b" >/dev/null 2>&1 || need_install=1; done
if [ "$AUTH_MODE" = munge ]; then command -v munged >/dev/null 2>&1 || need_install=1; fi
if [ "$need_install" = 1 ]; then
  [ "${SLURM_LOCAL_NO_INSTALL:-0}" = 1 ] && die "Slurm binaries missing and SLURM_LOCAL_NO_INSTALL=1"
  log "installing ${PKGS[*]} via apt-get"
  export DEBIAN_FRONTEND=noninteractive
  APT_OPTS=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=600)
  if ! apt-get install "${APT_OPTS[@]}" "${PKGS[@]}" >"/tmp/rnntrain-slurm-apt.log" 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update -q -o DPkg::Lock::Timeout=600 >>"/tmp/rnntrain-slurm-apt.log" 2>&1
    apt-get install "${APT_OPTS[@]}" "${PKGS[@]}" >>"/tmp/rnntrain-slurm-apt.log" 2>&1 \
      || { tail -20 /tmp/rnntrain-slurm-apt.log >&2; die "apt-get install failed (log: /tmp/rnntrain-slurm-apt.log)"; }
  fi
  log "installed in $(elapsed)s"
fi

# ---------------------------------------------------------------- 2. already running?
mkdir -p "$DIR"/{ctld,spool,log,run,pids,etc}
if alive "$(cat "$DIR/pids/slurmctld.pid" 2>/dev/null || true)" slurmctld &&
   alive "$(cat "$DIR/pids/slurmd.pid" 2>/dev/null || true)" slurmd; then
  log "already running (pids $(cat "$DIR/pids/slurmctld.pid") $(cat "$DIR/pids/slurmd.pid")); checking node state"
  ALREADY=1
else
  ALREADY=0
  for n in slurmctld slurmd; do
    if alive "$(cat "$DIR/pids/$n.pid" 2>/dev/null || true)" "$n"; then
      die "$n from a previous start is still running; run stop-slurm.sh first"
    fi
  done
  # a foreign slurmctld/slurmd on our ports would make ours fail to bind
  if command -v ss >/dev/null 2>&1 && ss -ltn 2>/dev/null | awk '{print $4}' | grep -qE ":($CTLD_PORT|$SLURMD_PORT)\$"; then
    die "port $CTLD_PORT or $SLURMD_PORT already in use (another Slurm?); set SLURM_LOCAL_CTLD_PORT/SLURMD_PORT"
  fi
fi

NODE=$(hostname -s)
if [ "$ALREADY" = 0 ]; then
  # -------------------------------------------------------------- 3. munge
  if [ "$AUTH_MODE" = munge ]; then
    AUTH=auth/munge CRED=cred/munge
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
      log "munged already running (not started by us; stop-slurm.sh will leave it alone)"
      rm -f "$DIR/pids/munged.pid"
    else
      if [ ! -s /etc/munge/munge.key ]; then
        log "creating /etc/munge/munge.key"
        if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile=/etc/munge/munge.key
        else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
        chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
      fi
      install -d -o munge -g munge -m 0755 /run/munge
      install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
      rm -f /run/munge/munged.pid
      runuser -u munge -- /usr/sbin/munged
      for _ in $(seq 1 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
      cp /run/munge/munged.pid "$DIR/pids/munged.pid"
      munge -n | unmunge >/dev/null || die "munged started but munge/unmunge fails"
      log "munged started (pid $(cat "$DIR/pids/munged.pid"))"
    fi
  else
    AUTH=auth/none CRED=cred/none
  fi

  # -------------------------------------------------------------- 4. config
  CPUS=$(nproc)
  MEM_MB=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
  [ -n "$MEM_MB" ] || MEM_MB=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 ))
  MEM_MB=$(( MEM_MB * 9 / 10 ))   # below the real value, or the node is drained "Low RealMemory"
  sed -e "s#@NODE@#$NODE#g" -e "s#@STATE@#$DIR#g" -e "s#@AUTH@#$AUTH#g" -e "s#@CRED@#$CRED#g" \
      -e "s#@CPUS@#$CPUS#g" -e "s#@MEM_MB@#$MEM_MB#g" -e "s#@CTLD_PORT@#$CTLD_PORT#g" \
      -e "s#@SLURMD_PORT@#$SLURMD_PORT#g" -e "s#@MIN_JOB_AGE@#$MIN_JOB_AGE#g" \
      "$TEMPLATE" > "$DIR/etc/slurm.conf"
  grep -q '@[A-Z_]*@' "$DIR/etc/slurm.conf" && die "unfilled placeholder in $DIR/etc/slurm.conf"
  mkdir -p /etc/slurm
  if [ -e "$ETC_CONF" ] && ! head -1 "$ETC_CONF" | grep -qF "$MARKER"; then
    log "backing up foreign $ETC_CONF to $ETC_CONF.bak-slurm-local"
    cp -p "$ETC_CONF" "$ETC_CONF.bak-slurm-local"
  fi
  cp "$DIR/etc/slurm.conf" "$ETC_CONF"

  # -------------------------------------------------------------- 5. daemons
  rm -f "$DIR/run/slurmctld.pid" "$DIR/run/slurmd.pid"
  slurmctld -f "$DIR/etc/slurm.conf"     # daemonizes, writes SlurmctldPidFile
  for _ in $(seq 1 100); do [ -s "$DIR/run/slurmctld.pid" ] && break; sleep 0.1; done
  [ -s "$DIR/run/slurmctld.pid" ] || { tail -20 "$DIR/log/slurmctld.log" >&2; die "slurmctld did not start"; }
  cp "$DIR/run/slurmctld.pid" "$DIR/pids/slurmctld.pid"
  slurmd -f "$DIR/etc/slurm.conf"        # daemonizes, writes SlurmdPidFile
  for _ in $(seq 1 100); do [ -s "$DIR/run/slurmd.pid" ] && break; sleep 0.1; done
  [ -s "$DIR/run/slurmd.pid" ] || { tail -20 "$DIR/log/slurmd.log" >&2; die "slurmd did not start"; }
  cp "$DIR/run/slurmd.pid" "$DIR/pids/slurmd.pid"
  log "slurmctld pid $(cat "$DIR/pids/slurmctld.pid"), slurmd pid $(cat "$DIR/pids/slurmd.pid")"
fi

# ---------------------------------------------------------------- 6. wait for idle
export SLURM_CONF="$DIR/etc/slurm.conf"
deadline=$(( $(date +%s) + TIMEOUT ))
state=""
while :; do
  state=$(sinfo -h -n "$NODE" -o '%t' 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  # a node that came back "down"/"drain" after an unclean stop: resume it once
  case "$state" in down*|drain*|drng*) scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true;; esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "node state '$state' after ${TIMEOUT}s"; tail -15 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2
    die "cluster did not become idle"
  fi
  sleep 0.2
done
log "node $NODE idle after $(elapsed)s (auth=$AUTH_MODE, state dir $DIR)"
sinfo
echo "SLURM_CONF=$DIR/etc/slurm.conf"
