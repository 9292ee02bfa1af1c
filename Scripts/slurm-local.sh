#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for the sweep tests: Debian's slurm-wlm and
# munge, the controller (slurmctld) and the node daemon (slurmd) both here, on the loopback
# address, one partition `crossloop` with this machine's CPUs and memory.
#
#   Scripts/slurm-local.sh start    install if needed, write the configuration, start munged,
#                                   slurmctld and slurmd, wait until the node is idle
#   Scripts/slurm-local.sh stop     stop the three daemons this script started (by PID file)
#   Scripts/slurm-local.sh status   say whether the cluster answers, and show sinfo
#
# Everything lives under $CROSSLOOP_SLURM_DIR (default /var/tmp/crossloop-slurm): the
# configuration, the munge key, state, logs and PID files; /etc/slurm/slurm.conf is linked
# to it so that sbatch, squeue and sinfo find the cluster without SLURM_CONF. Needs root
# (it installs packages and runs the daemons). Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

DIR="${CROSSLOOP_SLURM_DIR:-/var/tmp/crossloop-slurm}"
CONF="$DIR/slurm.conf"
PARTITION=crossloop
log() { printf 'slurm-local: %s\n' "$*"; }
die() { printf 'slurm-local: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "must run as root (or with sudo): it installs packages and starts daemons"
    SUDO="sudo -E"
fi

install_packages() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then
        return
    fi
    log "installing slurm-wlm and munge"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The state of the partition's node as sinfo reports it (idle, down, ...); empty when sinfo
# does not answer.
node_state() { sinfo -h -p "$PARTITION" -o '%T' 2>/dev/null | head -n1 || true; }

# Whether a node in state $1 takes jobs.
node_usable() { case "$1" in idle|mixed|allocated) return 0 ;; *) return 1 ;; esac; }

write_config() {
    $SUDO mkdir -p "$DIR"/{state,spool,log,munge,run}
    local host cpus memory
    host=$(hostname -s)
    # slurmd -C prints this node's hardware as slurm.conf wants it.
    cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -n1)
    memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n1)
    cpus=${cpus:-$(nproc)}
    # Leave 1 GiB to the system.
    memory=$(( ${memory:-2048} > 2048 ? ${memory:-2048} - 1024 : ${memory:-2048} ))
    $SUDO tee "$CONF" >/dev/null <<EOF
# Single-node cluster for Crossloop's sweep tests (Scripts/slurm-local.sh), host $host.
ClusterName=crossloop
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# No cgroups in a container: track processes by parent, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
    $SUDO mkdir -p /etc/slurm
    if [ "$(readlink -f /etc/slurm/slurm.conf 2>/dev/null || true)" != "$CONF" ]; then
        if [ -e /etc/slurm/slurm.conf ] && [ ! -L /etc/slurm/slurm.conf ]; then
            $SUDO mv /etc/slurm/slurm.conf "/etc/slurm/slurm.conf.before-crossloop"
            log "kept the previous /etc/slurm/slurm.conf as slurm.conf.before-crossloop"
        fi
        $SUDO ln -sf "$CONF" /etc/slurm/slurm.conf
    fi
}

start_munge() {
    if pid_alive "$DIR/munge/munged.pid"; then return; fi
    if [ ! -s "$DIR/munge/munge.key" ]; then
        $SUDO dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    fi
    $SUDO chown -R munge:munge "$DIR/munge"
    $SUDO chmod 700 "$DIR/munge"
    $SUDO chmod 400 "$DIR/munge/munge.key"
    $SUDO mkdir -p /run/munge /var/lib/munge /var/log/munge
    $SUDO chown munge:munge /run/munge /var/lib/munge /var/log/munge
    # munged runs as munge: its PID and log files live in its own directory. The default
    # socket, so that slurm's munge plugin finds it.
    $SUDO runuser -u munge -- munged --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munge/munged.pid" \
        --log-file="$DIR/munge/munged.log" --socket=/run/munge/munge.socket.2 --force
    for _ in $(seq 50); do pid_alive "$DIR/munge/munged.pid" && return; sleep 0.1; done
    die "munged did not start; see $DIR/munge/munged.log"
}

start() {
    install_packages
    write_config
    start_munge
    munge -n | unmunge >/dev/null || die "munge does not work (munge -n | unmunge failed); see $DIR/munge/munged.log"
    if ! pid_alive "$DIR/run/slurmctld.pid"; then
        $SUDO slurmctld -f "$CONF"
    fi
    if ! pid_alive "$DIR/run/slurmd.pid"; then
        $SUDO slurmd -f "$CONF"
    fi
    local state=""
    for _ in $(seq 150); do
        state=$(node_state)
        if node_usable "$state"; then break; fi
        sleep 0.2
    done
    if ! node_usable "$state"; then
        # A node left down by an earlier run stays down until it is resumed.
        $SUDO scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true
        sleep 1
        state=$(node_state)
    fi
    node_usable "$state" \
        || die "the node did not become idle (state '${state:-none}'); see $DIR/log/slurmctld.log and $DIR/log/slurmd.log"
    log "cluster up: partition $PARTITION, node $(hostname -s) $state ($(sinfo -h -p "$PARTITION" -o '%c CPUs, %m MB'))"
}

stop_daemon() {
    local name=$1 file=$2
    if pid_alive "$file"; then
        local pid
        pid=$(cat "$file")
        $SUDO kill "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then $SUDO kill -9 "$pid" 2>/dev/null || true; fi
        log "stopped $name ($pid)"
    fi
    $SUDO rm -f "$file"
}

stop() {
    # Jobs of ours still queued would otherwise find the cluster changed next time.
    if pid_alive "$DIR/run/slurmctld.pid"; then scancel --partition="$PARTITION" >/dev/null 2>&1 || true; fi
    stop_daemon slurmd "$DIR/run/slurmd.pid"
    stop_daemon slurmctld "$DIR/run/slurmctld.pid"
    stop_daemon munged "$DIR/munge/munged.pid"
}

status() {
    if pid_alive "$DIR/run/slurmctld.pid" && sinfo -h >/dev/null 2>&1; then
        log "running"
        sinfo
        return 0
    fi
    log "not running"
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
