#!/usr/bin/env bash
# Training run for the AOT cache: packaging/aot-train.sh <app dir> <work dir> writes <app dir>/ocbridge.aot.
# As root: two sites in a private network and mount namespace (a tmpfs on /run, so no socket lands on the host) come
# up, handshake and carry 5 s of traffic; site A, the recorded one, then gets SIGTERM as systemd would send.
# Without root (or with OCB_TRAIN_LIGHT set): `ocbridge check` of the example config.
set -euo pipefail
APP=$1
WORK=$2
OCB="$APP/bin/ocbridge"
mkdir -p "$WORK"
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || [ -n "${OCB_TRAIN_LIGHT:-}" ]; then
    OCBRIDGE_AOT=off "$OCB" genkey --out "$WORK/k.key"
    sed -e "s|keys/dc-east.key|k.key|" -e "/preshared/d" \
        -e "s|REPLACE-WITH-cloud-a-PUBLIC-KEY=|$(OCBRIDGE_AOT=off "$OCB" pubkey < "$WORK/k.key")|" \
        "$(dirname "$0")/../configs/dc-east.yaml" > "$WORK/site.yaml"
    OCBRIDGE_AOT_OUTPUT="$APP/ocbridge.aot" "$OCB" check -c "$WORK/site.yaml"
    exit 0
fi
if [ -z "${OCB_TRAIN_INSIDE:-}" ]; then
    exec env OCB_TRAIN_INSIDE=1 unshare --net --mount --propagation private bash "$0" "$APP" "$WORK"
fi
mount -t tmpfs -o mode=0755 tmpfs /run
ip link set lo up
for s in a b; do
    mkdir -p "$WORK/$s"
    OCBRIDGE_AOT=off "$OCB" genkey --out "$WORK/$s/private.key"
done
site() {  # site <name> <peer> <n> <peer n>
    cat > "$WORK/$1/site.yaml" <<YAML
site: train-$1
private-key-file: private.key
control-socket: control.sock
overlays:
  - name: corp
    device: ocbtrain$3
    listen-port: 5182$3
    addresses: [10.231.0.$3/24]
    peers:
      - name: train-$2
        public-key: $(OCBRIDGE_AOT=off "$OCB" pubkey < "$WORK/$2/private.key")
        endpoint: 192.0.2.$4:5182$4
        allowed-ips: [10.231.0.$4/32]
        persistent-keepalive: 1
YAML
}
site a b 1 2
site b a 2 1
# Site b in a namespace of its own (inside this private one), joined by a veth: traffic between the two overlay
# addresses then crosses the tunnel instead of staying local.
ip netns add ocbtrainb
ip link add ocbtrainv1 type veth peer name ocbtrainv2 netns ocbtrainb
ip addr add 192.0.2.1/24 dev ocbtrainv1
ip link set ocbtrainv1 up
ip netns exec ocbtrainb ip addr add 192.0.2.2/24 dev ocbtrainv2
ip netns exec ocbtrainb ip link set ocbtrainv2 up
ip netns exec ocbtrainb ip link set lo up
OCBRIDGE_AOT=off ip netns exec ocbtrainb "$OCB" up -c "$WORK/b/site.yaml" > "$WORK/b.log" 2>&1 &
b=$!
OCBRIDGE_AOT_OUTPUT="$APP/ocbridge.aot" "$OCB" up -c "$WORK/a/site.yaml" &
a=$!
trap 'kill -9 $a $b 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    ip link show dev ocbtrain1 >/dev/null 2>&1 && ip netns exec ocbtrainb ip link show dev ocbtrain2 >/dev/null 2>&1 \
        && break
    sleep 0.1
done
sleep 2   # handshake, keepalives both ways
# The data path, so the cache also holds its profiles (JDK 25 stores them, JEP 515) and the JIT compiles it sooner
# after a start: TCP with iperf3 where installed, else a flood of full-size pings.
if command -v iperf3 >/dev/null; then
    ip netns exec ocbtrainb timeout 20 iperf3 -s -1 > /dev/null 2>&1 &
    sleep 0.5
    timeout 20 iperf3 -c 10.231.0.2 -t 5 --bidir > /dev/null || true   # both directions: seal and open
else
    timeout 10 ping -f -c 20000 -s 1300 -q 10.231.0.2 || true
fi
OCBRIDGE_AOT=off "$OCB" status -c "$WORK/a/site.yaml"
kill -TERM $a
# The JVM assembles the cache at exit, in a child JVM: allow it a minute.
for _ in $(seq 1 600); do
    kill -0 $a 2>/dev/null || break
    sleep 0.1
done
wait $a || true
kill -TERM $b; wait $b || true
