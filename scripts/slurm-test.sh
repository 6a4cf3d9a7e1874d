#!/usr/bin/env bash
# slurm-test.sh - rnntrain sweep against a real single-node Slurm: starts
# the cluster of scripts/slurm (Debian's slurm-wlm with munge; installed with
# apt-get when missing), then
#   1. runs a 4-point sweep as a job array (-executor slurm -wait) and checks
#      that every point is done and its table equals the local executor's
#      from the same spec;
#   2. stops one array task with scancel --batch --signal=TERM (it saves and
#      exits 75), finishes it with 'rnntrain sweep -resume', and sends
#      another the time-limit warning SIGUSR1 (it saves and requeues itself);
#      both end bit for bit where an uninterrupted local run ends;
# and stops the cluster it started (trap), whatever happens. It skips, with
# a message and status 0, where Slurm cannot be installed or started (not
# root, no apt-get, no network) or when RNNTRAIN_SLURM_TEST=0. Every wait
# has a time limit; the whole test takes well under 3 minutes once Slurm is
# installed.
#
#   bash scripts/slurm-test.sh        # .ci/run calls it
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[slurm-test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
skip() { log "SKIP: $*"; exit 0; }
fail() { log "FAIL: $*"; exit 1; }

[ "${RNNTRAIN_SLURM_TEST:-1}" = 0 ] && skip "RNNTRAIN_SLURM_TEST=0"
[ "$(id -u)" = 0 ] || skip "starting slurmctld and slurmd needs root"

# One test cluster at a time on a machine (its ports and state directory are
# fixed): a second test running at once waits for the first.
exec 9>/tmp/rnntrain-slurm-test.lock
flock -w 300 9 || skip "another slurm-test.sh has held /tmp/rnntrain-slurm-test.lock for 5 minutes"

export SLURM_LOCAL_DIR=${SLURM_LOCAL_DIR:-/tmp/rnntrain-slurm-test}
export SLURM_LOCAL_CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-6837}
export SLURM_LOCAL_SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-6838}
export SLURM_LOCAL_MIN_JOB_AGE=30
export SLURM_LOCAL_TIMEOUT=60
WORK=$(mktemp -d /tmp/rnntrain-slurm-test.XXXXXX)
chmod 755 "$WORK"
STARTED=0
cleanup() {
  status=$?
  if [ "$STARTED" = 1 ]; then timeout 60 bash scripts/slurm/stop-slurm.sh --purge || true; fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM

if ! command -v sbatch >/dev/null 2>&1 || ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || skip "Slurm is not installed and there is no apt-get to install it"
  log "installing slurm-wlm and munge with apt-get"
fi
STARTED=1
if ! timeout 300 bash scripts/slurm/start-slurm.sh >"$WORK/start.log" 2>&1 9>&-; then  # the daemons must not hold the lock
  tail -20 "$WORK/start.log"
  skip "the local Slurm could not be installed or started (log above)"
fi
export SLURM_CONF="$SLURM_LOCAL_DIR/etc/slurm.conf"
log "cluster up: $(sinfo -h -o '%P %a %D %t' | head -1)"

go build -o "$WORK/rnntrain" ./cmd/rnntrain
RT="$WORK/rnntrain"

# wait_done DIR SECONDS: until every point of the sweep in DIR is done.
wait_done() {
  local dir=$1 deadline=$(( $(date +%s) + $2 )) last
  while :; do
    last=$("$RT" sweep -status "$dir" | tail -1)
    case "$last" in *" points: "*" done") [ "$(echo "$last" | awk '{print $1}')" = "$(echo "$last" | awk '{print $3}')" ] && return 0;; esac
    [ "$(date +%s)" -ge "$deadline" ] && { "$RT" sweep -status "$dir"; fail "$dir not done after $2 s"; }
    sleep 1
  done
}

# table DIR: the collect table without the wall time column.
table() { "$RT" sweep -collect "$1" >/dev/null && sed 's/,[^,]*$//' "$1/collect.csv"; }

# --- 1. a small sweep, slurm and local, same spec
cat >"$WORK/small.toml" <<'SPEC'
[base]
seed = 1
[base.task]
name = "context-dm"
[base.model]
kind = "lowrank"
hidden = 8
[base.train]
steps = 30
batch_size = 8
eval_every = 10
eval_trials = 64
log_every = 10
checkpoint_every = 10
[axes]
"model.rank" = [1, 2]
seed = [1, 2]
[sweep]
time = "00:05:00"
mem = "500M"
array_limit = 2
SPEC
log "1. 4-point sweep as a job array"
timeout 120 "$RT" sweep "$WORK/small.toml" -out "$WORK/small-slurm" -executor slurm -wait
wait_done "$WORK/small-slurm" 30
timeout 60 "$RT" sweep "$WORK/small.toml" -out "$WORK/small-local" -executor local >/dev/null
diff <(table "$WORK/small-local") <(table "$WORK/small-slurm") || fail "the slurm and local tables differ"
"$RT" sweep -collect "$WORK/small-slurm" >"$WORK/collect.txt"
head -7 "$WORK/collect.txt"
log "1. ok: all points done, table equal to the local executor's"

# --- 2. scancel --signal=TERM and the time-limit warning
sed -e 's/steps = 30/steps = 12000/' -e 's/checkpoint_every = 10/checkpoint_every = 200/' \
    -e 's/"model.rank" = \[1, 2\]/"model.rank" = [2]/' "$WORK/small.toml" >"$WORK/stop.toml"
log "2. 2-point sweep; task 0 gets scancel --batch --signal=TERM, task 1 SIGUSR1 (time-limit warning)"
out=$(timeout 30 "$RT" sweep "$WORK/stop.toml" -out "$WORK/stop" -executor slurm)
echo "$out"
JOB=$(echo "$out" | sed -n 's/^submitted Slurm array job \([0-9]*\):.*/\1/p')
[ -n "$JOB" ] || fail "no job id"
deadline=$(( $(date +%s) + 60 ))
until ls "$WORK"/stop/runs/p0000-*/checkpoint.safetensors "$WORK"/stop/runs/p0001-*/checkpoint.safetensors >/dev/null 2>&1; do
  [ "$(date +%s)" -ge "$deadline" ] && fail "no checkpoints after 60 s"
  sleep 0.2
done
scancel --batch --signal=TERM "${JOB}_0"
scancel --batch --signal=USR1 "${JOB}_1"
deadline=$(( $(date +%s) + 20 ))
until grep -q '"exit":75' "$WORK"/stop/runs/p0000-*/attempts.jsonl 2>/dev/null; do
  [ "$(date +%s)" -ge "$deadline" ] && fail "task 0 did not stop with status 75"
  sleep 0.2
done
"$RT" sweep -status "$WORK/stop"
grep -q "stopped by SIGTERM at step" "$WORK"/stop/logs/slurm-"${JOB}"_0.out || fail "task 0 did not save on SIGTERM"
deadline=$(( $(date +%s) + 30 ))
until grep -q "requeued Slurm job" "$WORK"/stop/logs/slurm-"${JOB}"_1.out 2>/dev/null; do
  [ "$(date +%s)" -ge "$deadline" ] && fail "task 1 did not requeue itself"
  sleep 0.2
done
# Task 0 stays stopped (scancel is not a requeue) until -resume submits it.
deadline=$(( $(date +%s) + 30 ))
while squeue -h -j "$JOB" -o '%i %T' | grep -q "^${JOB}_0 "; do
  [ "$(date +%s)" -ge "$deadline" ] && fail "task 0 still in the queue"
  sleep 0.5
done
timeout 30 "$RT" sweep -resume "$WORK/stop" | tee "$WORK/resume.log"
grep -q "1 tasks (--array=0" "$WORK/resume.log" || fail "-resume did not submit exactly task 0"
wait_done "$WORK/stop" 120
"$RT" sweep -status "$WORK/stop"
for p in 0 1; do
  n=$(grep -c '"event":"start"' "$WORK"/stop/runs/p000$p-*/attempts.jsonl)
  [ "$n" = 2 ] || fail "point $p ran $n times, want 2 (stopped, then resumed)"
done
timeout 90 "$RT" sweep "$WORK/stop.toml" -out "$WORK/stop-local" -executor local >/dev/null
diff <(table "$WORK/stop-local") <(table "$WORK/stop") || fail "the resumed runs differ from uninterrupted ones"
table "$WORK/stop"
log "2. ok: both stopped tasks resumed and ended where uninterrupted runs end"
log "PASS"
