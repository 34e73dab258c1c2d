#!/usr/bin/env bash
# L3 side-by-side: ocbridge vs wireguard-go on the same namespace topology, in one run.
#
#   host-a ── gw-a ══ veth underlay ══ gw-b ── host-b      (TCP from host-a to host-b through the tunnel)
#
# For each implementation: RTT (ping -c 50 -i 0.02 after a warm-up transfer) and TCP throughput
# (iperf3, 1 and 4 streams, RUNS runs of SECONDS s each; the median is printed). Needs root and a
# built ocbridge (./mvnw -B -q package -DskipTests). OCB_DAEMON_JAVA_OPTS goes to the two daemons only
# (e.g. a JFR recording). Creates only namespaces it names with its PID
# and removes them, and every process it started (by PID), on exit. Not part of the test suite.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
[ "$(id -u)" -eq 0 ] || { echo "compare-l3: needs root" >&2; exit 1; }
bash scripts/install-deps.sh

TAG=$$
NS_HA=ocbb${TAG}ha NS_GA=ocbb${TAG}ga NS_GB=ocbb${TAG}gb NS_HB=ocbb${TAG}hb
WORK=$(mktemp -d /tmp/ocbridge-bench.XXXXXX)
PIDS=()
stop_all() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    PIDS=()
}
cleanup() {
    stop_all
    for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

topology() {
    for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
    ip -n "$NS_GA" link add u0 type veth peer name u0 netns "$NS_GB"
    ip -n "$NS_GA" link add l0 type veth peer name e0 netns "$NS_HA"
    ip -n "$NS_GB" link add l0 type veth peer name e0 netns "$NS_HB"
    ip -n "$NS_GA" addr add 192.0.2.1/24 dev u0; ip -n "$NS_GB" addr add 192.0.2.2/24 dev u0
    ip -n "$NS_GA" addr add 172.16.1.1/24 dev l0; ip -n "$NS_GB" addr add 172.16.2.1/24 dev l0
    ip -n "$NS_HA" addr add 172.16.1.10/24 dev e0; ip -n "$NS_HB" addr add 172.16.2.10/24 dev e0
    for ns in "$NS_GA" "$NS_GB"; do
        ip -n "$ns" link set u0 up; ip -n "$ns" link set l0 up
        ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    done
    ip -n "$NS_HA" link set e0 up; ip -n "$NS_HB" link set e0 up
    ip -n "$NS_HA" route add default via 172.16.1.1; ip -n "$NS_HB" route add default via 172.16.2.1
}

keys() {
    bin/ocbridge genkey --out "$WORK/a.key"; bin/ocbridge genkey --out "$WORK/b.key"
    PUB_A=$(bin/ocbridge pubkey < "$WORK/a.key"); PUB_B=$(bin/ocbridge pubkey < "$WORK/b.key")
}

start_ocbridge() {
    for side in a b; do
        if [ $side = a ]; then addr=10.77.0.1; peer=b; pub=$PUB_B; ep=192.0.2.2; allowed="10.77.0.2/32, 172.16.2.0/24"; ns=$NS_GA
        else addr=10.77.0.2; peer=a; pub=$PUB_A; ep=192.0.2.1; allowed="10.77.0.1/32, 172.16.1.0/24"; ns=$NS_GB; fi
        cat > "$WORK/$side.yaml" <<YAML
site: bench-$side
private-key-file: $side.key
control-socket: $side.sock
overlays:
  - name: bench
    device: ocbb${TAG}$side
    listen-port: 51820
    addresses: [$addr/24]
    mtu: 1420
    peers:
      - name: $peer
        public-key: $pub
        endpoint: $ep:51820
        allowed-ips: [$allowed]
YAML
        OCBRIDGE_JAVA_OPTS="${OCB_DAEMON_JAVA_OPTS:-}" \
            ip netns exec "$ns" bin/ocbridge up -c "$WORK/$side.yaml" > "$WORK/ocbridge-$side.log" 2>&1 &
        PIDS+=($!)
    done
}

start_wireguard_go() {
    for side in a b; do
        if [ $side = a ]; then addr=10.77.0.1; pub=$PUB_B; ep=192.0.2.2; allowed="10.77.0.2/32,172.16.2.0/24"; ns=$NS_GA; net=172.16.2.0/24
        else addr=10.77.0.2; pub=$PUB_A; ep=192.0.2.1; allowed="10.77.0.1/32,172.16.1.0/24"; ns=$NS_GB; net=172.16.1.0/24; fi
        dev=wgb${TAG}$side
        WG_PROCESS_FOREGROUND=1 ip netns exec "$ns" wireguard-go -f "$dev" > "$WORK/wg-$side.log" 2>&1 &
        PIDS+=($!)
        for _ in $(seq 1 50); do [ -S "/var/run/wireguard/$dev.sock" ] && break; sleep 0.1; done
        ip netns exec "$ns" wg set "$dev" private-key "$WORK/$side.key" listen-port 51820 \
            peer "$pub" allowed-ips "$allowed" endpoint "$ep:51820"
        ip -n "$ns" addr add "$addr/24" dev "$dev"
        ip -n "$ns" link set "$dev" mtu 1420 up
        ip -n "$ns" route add "$net" dev "$dev"
    done
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() {  # label
    local ok=0
    for _ in $(seq 1 40); do
        ip netns exec "$NS_HA" ping -c 1 -W 1 172.16.2.10 >/dev/null 2>&1 && { ok=1; break; }
        sleep 0.25
    done
    [ $ok = 1 ] || { echo "$1: no connectivity" >&2; tail -n 20 "$WORK"/*.log >&2; exit 1; }
    ip netns exec "$NS_HB" iperf3 -s -D -B 172.16.2.10 -I "$WORK/iperf.pid" >/dev/null 2>&1
    sleep 0.3
    ip netns exec "$NS_HA" timeout 30 iperf3 -c 172.16.2.10 -t 3 >/dev/null 2>&1 || true   # warm-up
    local one=() four=()
    for _ in $(seq 1 "$RUNS"); do
        one+=("$(ip netns exec "$NS_HA" timeout 60 iperf3 -c 172.16.2.10 -t "$SECONDS_PER_RUN" -J \
            | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))')")
        four+=("$(ip netns exec "$NS_HA" timeout 60 iperf3 -c 172.16.2.10 -P 4 -t "$SECONDS_PER_RUN" -J \
            | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))')")
    done
    kill "$(cat "$WORK/iperf.pid")" 2>/dev/null || true
    local rtt
    rtt=$(ip netns exec "$NS_HA" ping -q -c 50 -i 0.02 172.16.2.10 | awk -F/ '/rtt/ {print $5}')
    printf '%-14s %12s %12s %10s\n' "$1" "$(printf '%s\n' "${one[@]}" | median)" \
        "$(printf '%s\n' "${four[@]}" | median)" "$rtt"
}

topology
keys
printf '%-14s %12s %12s %10s\n' "tunnel" "TCP1 Mbit/s" "TCP4 Mbit/s" "RTT ms"
start_wireguard_go; measure "wireguard-go"; stop_all
start_ocbridge; measure "ocbridge"; stop_all
echo "($RUNS runs of ${SECONDS_PER_RUN} s each, medians; $(nproc) cores; $(uname -r))"
