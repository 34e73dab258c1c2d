#!/usr/bin/env bash
# The main job: a real two-site ocbridge L3 bridge on this host, in network namespaces.
#
#   host-a (172.16.1.10) ── gw-a ══ underlay 192.0.2.0/24, encrypted UDP ══ gw-b ── host-b (172.16.2.10)
#                          ocbridge (overlay 10.77.0.1)          ocbridge (overlay 10.77.0.2)
#
# Builds ocbridge, starts a daemon in each gateway namespace, pings across, runs a TCP transfer
# with iperf3, and removes everything it created (namespaces, processes) on exit, even on failure.
# Needs root. Nothing is added to the root namespace; no traffic leaves this machine.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ "$(id -u)" -ne 0 ]; then
    echo "demo: needs root (network namespaces, TUN devices): sudo $0" >&2
    exit 1
fi
bash scripts/install-deps.sh
if [ "${OCB_DEMO_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building" >&2
    ./mvnw -B -q package -DskipTests
fi

TAG=$$
NS_HA=ocb${TAG}ha NS_GA=ocb${TAG}ga NS_GB=ocb${TAG}gb NS_HB=ocb${TAG}hb
WORK=$(mktemp -d /tmp/ocbridge-demo.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

echo "== topology (namespaces $NS_HA $NS_GA $NS_GB $NS_HB)" >&2
for ns in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
done
# Each veth pair is created inside one namespace and one end moved: nothing touches the root namespace.
in_ns "$NS_GA" ip link add u0 type veth peer name u0 netns "$NS_GB"
in_ns "$NS_GA" ip link add l0 type veth peer name e0 netns "$NS_HA"
in_ns "$NS_GB" ip link add l0 type veth peer name e0 netns "$NS_HB"
in_ns "$NS_GA" ip addr add 192.0.2.1/24 dev u0
in_ns "$NS_GB" ip addr add 192.0.2.2/24 dev u0
in_ns "$NS_GA" ip addr add 172.16.1.1/24 dev l0
in_ns "$NS_GB" ip addr add 172.16.2.1/24 dev l0
in_ns "$NS_HA" ip addr add 172.16.1.10/24 dev e0
in_ns "$NS_HB" ip addr add 172.16.2.10/24 dev e0
for ns in "$NS_GA" "$NS_GB"; do
    in_ns "$ns" ip link set u0 up
    in_ns "$ns" ip link set l0 up
    in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
done
in_ns "$NS_HA" ip link set e0 up
in_ns "$NS_HB" ip link set e0 up
in_ns "$NS_HA" ip route add default via 172.16.1.1
in_ns "$NS_HB" ip route add default via 172.16.2.1

echo "== keys and site configs in $WORK" >&2
bin/ocbridge genkey --out "$WORK/a.key"
bin/ocbridge genkey --out "$WORK/b.key"
bin/ocbridge genpsk --out "$WORK/psk"
cp "$WORK/psk" "$WORK/psk-b"; chmod 600 "$WORK/psk-b"
PUB_A=$(bin/ocbridge pubkey < "$WORK/a.key")
PUB_B=$(bin/ocbridge pubkey < "$WORK/b.key")
write_config() {  # site key device addr peer peer-pub endpoint allowed psk
    cat > "$WORK/$1.yaml" <<YAML
site: $1
private-key-file: $2
overlays:
  - name: corp
    device: $3
    listen-port: 51820
    addresses: [$4]
    mtu: 1420
    peers:
      - name: $5
        public-key: $6
        preshared-key-file: $9
        endpoint: $7
        allowed-ips: [$8]
        persistent-keepalive: 25
YAML
}
write_config site-a a.key ocb-corp 10.77.0.1/24 site-b "$PUB_B" 192.0.2.2:51820 "10.77.0.2/32, 172.16.2.0/24" psk
write_config site-b b.key ocb-corp 10.77.0.2/24 site-a "$PUB_A" 192.0.2.1:51820 "10.77.0.1/32, 172.16.1.0/24" psk-b

echo "== starting ocbridge in $NS_GA and $NS_GB (logs: $WORK/*.log)" >&2
ip netns exec "$NS_GA" bin/ocbridge up -c "$WORK/site-a.yaml" > "$WORK/site-a.log" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_GB" bin/ocbridge up -c "$WORK/site-b.yaml" > "$WORK/site-b.log" 2>&1 &
PIDS+=($!)

ok=0
for _ in $(seq 1 30); do
    if in_ns "$NS_HA" ping -c 1 -W 1 172.16.2.10 >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.5
done
if [ "$ok" != 1 ]; then
    echo "demo: no connectivity through the tunnel after 15 s; daemon logs:" >&2
    tail -n 20 "$WORK"/site-*.log >&2
    exit 1
fi
echo "== ping host-a -> host-b (through gw-a, the encrypted tunnel, gw-b)"
in_ns "$NS_HA" ping -c 5 -i 0.2 172.16.2.10 | tail -n 2
echo "== ping host-b -> host-a"
in_ns "$NS_HB" ping -c 5 -i 0.2 172.16.1.10 | tail -n 2
echo "== TCP transfer host-a -> host-b, 5 s (iperf3)"
ip netns exec "$NS_HB" iperf3 -s -1 -B 172.16.2.10 >/dev/null 2>&1 &
IPERF=$!
PIDS+=($IPERF)
sleep 0.5
in_ns "$NS_HA" timeout 30 iperf3 -c 172.16.2.10 -t 5 -f m | grep -E "sender|receiver"
echo "== ping host-a -> host-b again, now that the JIT has compiled the data path"
in_ns "$NS_HA" ping -c 20 -i 0.05 172.16.2.10 | tail -n 2
echo "== daemon log (site-a)"
cat "$WORK/site-a.log"
echo "== done; cleaning up"
