#!/usr/bin/env bash
# L2 side-by-side: one Ethernet LAN stretched across two sites, carried by ocbridge segments or by the stock Linux
# build (wireguard-go + kernel vxlan + bridge), on the same namespace topology, in one run.
#
#   host-a 10.20.0.11/24 ── br-lan gw-a ══ veth underlay 192.0.2.0/24 ══ gw-b br-lan ── host-b 10.20.0.12/24
#
# Both hosts are in one /24 with static addresses (no router, no DHCP): every packet host-a -> host-b is an Ethernet
# frame (MTU 1500) bridged into the tunnel as VXLAN (VNI 100) between the overlay addresses 10.77.0.1 and .2.
#   wireguard-go + vxlan: wg MTU 1600 so a 1500-byte frame plus 50 bytes of VXLAN fits unfragmented;
#   ocbridge:             overlay MTU 1420, segment defaults (mss-clamp auto, fragmentation for the rest).
# For each: TCP throughput host-a -> host-b (iperf3, 1 and 4 streams, RUNS runs of SECONDS_PER_RUN s each; medians)
# and RTT (ping -c 50 -i 0.02 after a warm-up transfer). Needs root and a built ocbridge (./mvnw -B -q install
# -DskipTests). Creates only namespaces named with its PID and removes them, and every process it started (by PID),
# on exit. Not part of the test suite; prints figures, asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
[ "$(id -u)" -eq 0 ] || { echo "compare-l2: needs root" >&2; exit 1; }
bash scripts/install-deps.sh

TAG=$$
NS_HA=ocbl${TAG}ha NS_GA=ocbl${TAG}ga NS_GB=ocbl${TAG}gb NS_HB=ocbl${TAG}hb
HOST_A=10.20.0.11 HOST_B=10.20.0.12
VNI=100
WORK=$(mktemp -d /tmp/ocbridge-bench-l2.XXXXXX)
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
    [ -f "$WORK/iperf.pid" ] && kill "$(cat "$WORK/iperf.pid")" 2>/dev/null || true
    stop_all
    for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -f /var/run/wireguard/wgl${TAG}a.sock /var/run/wireguard/wgl${TAG}b.sock
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

topology() {
    for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
    ip -n "$NS_GA" link add u0 type veth peer name u0 netns "$NS_GB"
    ip -n "$NS_GA" addr add 192.0.2.1/24 dev u0; ip -n "$NS_GB" addr add 192.0.2.2/24 dev u0
    for side in a b; do
        if [ $side = a ]; then gw=$NS_GA host=$NS_HA addr=$HOST_A; else gw=$NS_GB host=$NS_HB addr=$HOST_B; fi
        ip -n "$gw" link set u0 up
        ip -n "$gw" link add br-lan type bridge stp_state 0
        ip -n "$gw" link set br-lan up
        ip -n "$gw" link add l0 mtu 1500 type veth peer name e0 mtu 1500 netns "$host"
        ip -n "$gw" link set l0 master br-lan up
        ip -n "$host" addr add "$addr/24" dev e0
        ip -n "$host" link set e0 up
    done
}

keys() {
    bin/ocbridge genkey --out "$WORK/a.key"; bin/ocbridge genkey --out "$WORK/b.key"
    PUB_A=$(bin/ocbridge pubkey < "$WORK/a.key"); PUB_B=$(bin/ocbridge pubkey < "$WORK/b.key")
}

side_vars() {  # a|b: the gateway's namespace, its overlay address, the other side's
    if [ "$1" = a ]; then ns=$NS_GA addr=10.77.0.1 remote=10.77.0.2 peer=b pub=$PUB_B ep=192.0.2.2
    else ns=$NS_GB addr=10.77.0.2 remote=10.77.0.1 peer=a pub=$PUB_A ep=192.0.2.1; fi
}

start_ocbridge() {
    for side in a b; do
        side_vars $side
        cat > "$WORK/$side.yaml" <<YAML
site: bench-$side
private-key-file: $side.key
control-socket: $side.sock
overlays:
  - name: bench
    device: ocbl${TAG}$side
    listen-port: 51820
    addresses: [$addr/24]
    mtu: 1420
    peers:
      - name: $peer
        public-key: $pub
        endpoint: $ep:51820
        allowed-ips: [$remote/32]
    segments:
      - name: lan
        vni: $VNI
        device: ocbt${TAG}$side
        bridge: br-lan
YAML
        ip netns exec "$ns" bin/ocbridge up -c "$WORK/$side.yaml" > "$WORK/ocbridge-$side.log" 2>&1 &
        PIDS+=($!)
    done
}

start_wireguard_go_vxlan() {
    for side in a b; do
        side_vars $side
        dev=wgl${TAG}$side
        WG_PROCESS_FOREGROUND=1 ip netns exec "$ns" wireguard-go -f "$dev" > "$WORK/wg-$side.log" 2>&1 &
        PIDS+=($!)
        for _ in $(seq 1 50); do [ -S "/var/run/wireguard/$dev.sock" ] && break; sleep 0.1; done
        ip netns exec "$ns" wg set "$dev" private-key "$WORK/$side.key" listen-port 51820 \
            peer "$pub" allowed-ips "$remote/32" endpoint "$ep:51820"
        ip -n "$ns" addr add "$addr/24" dev "$dev"
        ip -n "$ns" link set "$dev" mtu 1600 up
        ip -n "$ns" link add vx$VNI type vxlan id $VNI local "$addr" remote "$remote" dstport 4789 dev "$dev"
        ip -n "$ns" link set vx$VNI mtu 1500 master br-lan up
    done
}

stop_wireguard_go_vxlan() {
    for ns in "$NS_GA" "$NS_GB"; do ip -n "$ns" link del vx$VNI 2>/dev/null || true; done
    stop_all
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mbits() { python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))'; }

measure() {  # label
    local ok=0
    for _ in $(seq 1 60); do
        ip netns exec "$NS_HA" ping -c 1 -W 1 "$HOST_B" >/dev/null 2>&1 && { ok=1; break; }
        sleep 0.25
    done
    [ $ok = 1 ] || { echo "$1: no connectivity" >&2; tail -n 20 "$WORK"/*.log >&2; exit 1; }
    ip netns exec "$NS_HB" iperf3 -s -D -B "$HOST_B" -I "$WORK/iperf.pid" >/dev/null 2>&1
    sleep 0.3
    ip netns exec "$NS_HA" timeout 30 iperf3 -c "$HOST_B" -t 3 >/dev/null 2>&1 || true   # warm-up
    local one=() four=()
    for _ in $(seq 1 "$RUNS"); do
        one+=("$(ip netns exec "$NS_HA" timeout 60 iperf3 -c "$HOST_B" -t "$SECONDS_PER_RUN" -J | mbits)")
        four+=("$(ip netns exec "$NS_HA" timeout 60 iperf3 -c "$HOST_B" -P 4 -t "$SECONDS_PER_RUN" -J | mbits)")
    done
    kill "$(cat "$WORK/iperf.pid")" 2>/dev/null || true
    rm -f "$WORK/iperf.pid"
    local rtt
    rtt=$(ip netns exec "$NS_HA" timeout 20 ping -q -c 50 -i 0.02 "$HOST_B" | awk -F/ '/rtt/ {print $5}')
    printf '%-24s %12s %12s %10s\n' "$1" "$(printf '%s\n' "${one[@]}" | median)" \
        "$(printf '%s\n' "${four[@]}" | median)" "$rtt"
}

topology
keys
printf '%-24s %12s %12s %10s\n' "stretched LAN over" "TCP1 Mbit/s" "TCP4 Mbit/s" "RTT ms"
start_wireguard_go_vxlan; measure "wireguard-go+vxlan+br"; stop_wireguard_go_vxlan
start_ocbridge; measure "ocbridge segment"; stop_all
echo "(host <-> host in one /24 across the tunnel; $RUNS runs of ${SECONDS_PER_RUN} s each, medians; $(nproc) cores; $(uname -r))"
