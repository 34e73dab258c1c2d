# Plumbing for bench/compare.sh: the namespace topology, tracked processes, bounded waits and the measurements.
# Sourced, not run. Every name it creates carries TAG (the PID of the compare.sh that built the topology).
#
#   host-a ── gw-a ══ veth underlay 192.0.2.0/24 ══ gw-b ── host-b
#
#   L3: host-a e0 172.16.1.10/24 ── l0 172.16.1.1  gw-a      gw-b 172.16.2.1 l0 ── e0 172.16.2.10/24 host-b
#       the hosts' only route is their gateway; a gateway reaches the other side only through the tunnel device.
#   L2: host-a e1 10.20.0.11/24 ── l1 in br-lan gw-a      gw-b br-lan l1 ── e1 10.20.0.12/24 host-b
#       one /24, no router; the only other port a tunnel puts into br-lan is its own device.
#   attacker (only for the handshake-flood figures): x eth0 198.18.0.2/30 ── atk0 198.18.0.1/30 gw-b, with the
#       flood's source addresses 198.19.0.1, .2, ... as /32s on x's loopback and routed by gw-b as 198.19.0.0/16
#       through x (one neighbour entry, not one per source), as integration-tests' Topology.attacker wires it.

TAG=${BENCH_TAG:-$$}
NS_HA=ocbn${TAG}ha NS_GA=ocbn${TAG}ga NS_GB=ocbn${TAG}gb NS_HB=ocbn${TAG}hb NS_X=ocbn${TAG}x
L3_DST=172.16.2.10 L2_SRC=10.20.0.11 L2_DST=10.20.0.12
ATTACK_TARGET=198.18.0.1 ATTACK_NEXT_HOP=198.18.0.2 ATTACK_SOURCES=198.19.0.0/16 ATTACK_FIRST_SOURCE=198.19.0.1
GW_BASE_LINKS=" lo u0 l0 l1 br-lan atk0 "
CLK_TCK=$(getconf CLK_TCK)

log() { echo "compare: $*" >&2; }

# Namespaces and the links between them. Fails (set -e) on the first command that does.
topology_up() {
    local ns side gw host
    for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
    ip -n "$NS_GA" link add u0 type veth peer name u0 netns "$NS_GB"
    ip -n "$NS_GA" addr add 192.0.2.1/24 dev u0
    ip -n "$NS_GB" addr add 192.0.2.2/24 dev u0
    for side in a b; do
        if [ $side = a ]; then gw=$NS_GA host=$NS_HA; else gw=$NS_GB host=$NS_HB; fi
        local n; n=$([ $side = a ] && echo 1 || echo 2)
        ip -n "$gw" link set u0 up
        ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
        ip -n "$gw" link add l0 type veth peer name e0 netns "$host"
        ip -n "$gw" addr add "172.16.$n.1/24" dev l0
        ip -n "$host" addr add "172.16.$n.10/24" dev e0
        ip -n "$gw" link set l0 up; ip -n "$host" link set e0 up
        ip -n "$host" route add default via "172.16.$n.1"
        ip -n "$gw" link add br-lan type bridge stp_state 0
        ip -n "$gw" link set br-lan up
        ip -n "$gw" link add l1 mtu 1500 type veth peer name e1 mtu 1500 netns "$host"
        ip -n "$gw" link set l1 master br-lan up
        ip -n "$host" addr add "10.20.0.1$n/24" dev e1
        ip -n "$host" link set e1 up
    done
}

# The attacker namespace, wired to gw-b, with SOURCES (1..65000) addresses on its loopback.
attacker_up() {  # SOURCES
    local i
    ip netns add "$NS_X"
    ip -n "$NS_X" link set lo up
    ip -n "$NS_GB" link add atk0 type veth peer name eth0 netns "$NS_X"
    ip -n "$NS_GB" addr add "$ATTACK_TARGET/30" dev atk0
    ip -n "$NS_GB" link set atk0 up
    ip -n "$NS_X" addr add "$ATTACK_NEXT_HOP/30" dev eth0
    ip -n "$NS_X" link set eth0 up
    ip -n "$NS_GB" route add "$ATTACK_SOURCES" via "$ATTACK_NEXT_HOP" dev atk0
    for ((i = 1; i <= $1; i++)); do echo "addr add 198.19.$((i / 256)).$((i % 256))/32 dev lo"; done \
        | ip -n "$NS_X" -batch -
}

topology_down() {
    local ns
    for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB" "$NS_X"; do ip netns del "$ns" 2>/dev/null || true; done
}

# Links a tunnel left in a gateway (anything but the topology's own) are deleted.
gateways_reset() {
    local ns dev
    for ns in "$NS_GA" "$NS_GB"; do
        for dev in $(ip -n "$ns" -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}'); do
            case "$GW_BASE_LINKS" in *" $dev "*) ;; *) ip -n "$ns" link del "$dev" 2>/dev/null || true ;; esac
        done
    done
}

# Processes this shell started, by PID; also written to PID_FILE so that the parent can reap what a killed mode left.
PIDS=()
track() { PIDS+=("$1"); [ -z "${PID_FILE:-}" ] || echo "$1" >> "$PID_FILE"; }

stop_pids() {  # PID... : TERM, up to 5 s each, then KILL
    local pid
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

stop_tracked() { [ ${#PIDS[@]} -eq 0 ] || stop_pids "${PIDS[@]}"; PIDS=(); }

# Runs a command in the background and waits for it, so a trap (TERM, INT) runs at once and can kill it.
CURRENT=
bounded() {  # SECONDS CMD... : the command's status, 124 on timeout
    local limit=$1; shift
    timeout -k 5 "$limit" "$@" & CURRENT=$!
    local rc=0; wait "$CURRENT" || rc=$?
    CURRENT=
    return $rc
}

wait_until() {  # SECONDS CMD... : polls CMD every 0.2 s; fails after SECONDS
    local deadline=$((SECONDS + $1)); shift
    while ! "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

pings() { ip netns exec "$NS_HA" ping -c 1 -W 1 "$1"; }
has_link() { ip -n "$1" link show "$2"; }

# utime+stime, in clock ticks, of PID and its descendants; /proc/PID/stat covers every thread of a process.
cpu_ticks() {  # PID...
    local total=0 pid stat
    for pid in $(descendants "$@"); do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }            # fields from 3 (state) on; the command name may hold spaces
        set -- $stat
        total=$((total + ${12} + ${13}))
    done
    echo $total
}

descendants() {  # PID... : those PIDs and all their children, recursively
    local pid
    for pid in "$@"; do
        echo "$pid"
        # ps fails when there are none: not an error (and, under compare.sh's ERR trap, not a failed step)
        descendants $(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    done
}

# utime+stime, in clock ticks, of a JVM's garbage-collector threads (by their names: Serial collects on the VM
# thread, which is counted for every collector; Parallel and G1 "GC Thread#n", G1's "G1 ..." concurrent threads,
# ZGC's "Z..." threads) and of the whole process: "<GC threads> <process>".
jvm_gc_ticks() {  # PID
    local pid=$1 t comm stat gc=0 all
    for t in /proc/"$pid"/task/*; do
        comm=$(cat "$t/comm" 2>/dev/null) || continue
        case $comm in "VM Thread" | "GC Thread#"* | "G1 "* | Z[A-Z]*) ;; *) continue ;; esac
        stat=$(cat "$t/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        set -- $stat
        gc=$((gc + ${12} + ${13}))
    done
    stat=$(cat "/proc/$pid/stat")
    stat=${stat##*) }
    set -- $stat
    all=$((${12} + ${13}))
    echo "$gc $all"
}

# From ping's output: each reply's RTT in ms, one a line (lost requests have none).
ping_rtts() { awk '/ time=/ {sub(/.* time=/, ""); print $1 + 0}'; }
# From ping's output: "<sent> <received>".
ping_counts() { awk '/packets transmitted/ {print $1, $4}'; }

# p50, p99 and max of numbers, one a line (nearest rank): "P50 P99 MAX", or nothing for no input.
percentiles() {
    sort -g | awk '{a[NR] = $1} END {
        if (!NR) exit
        i50 = int(0.50 * NR); if (i50 < 0.50 * NR) i50++
        i99 = int(0.99 * NR); if (i99 < 0.99 * NR) i99++
        printf "%s %s %s\n", a[i50], a[i99], a[NR] }'
}

tx_bytes() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_bytes"; }  # NS DEV

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }

# iperf3 --json: "BITS_PER_SECOND BYTES" received
iperf_received() {
    python3 -c 'import json,sys; s=json.load(sys.stdin)["end"]["sum_received"]; print(s["bits_per_second"], s["bytes"])'
}
