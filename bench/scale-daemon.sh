#!/usr/bin/env bash
# The real daemon with N peers (default 10,000) in one overlay: time from `ocbridge up` to a control socket that
# answers, the routes it installed, how long `ocbridge status` takes, and the daemon's memory. bench/scale.sh measures
# the same things in-process; this is what an operator sees. Needs root and a built ocbridge.
#
#   sudo bench/scale-daemon.sh [peers=10000]
#
# Runs in a network namespace named with the script's PID. The peers' endpoints are TEST-NET-2 addresses with no
# route there: the daemon's first contact (an initiation per peer, paced at 1000/s after a burst of 64) is refused by
# the kernel at the send, so nothing leaves the namespace, but the handshake work is done and counted. Removes the
# namespace, the daemon (by PID) and its files on exit, failure and Ctrl-C. Prints figures, asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${1:-10000}
[ "$(id -u)" -eq 0 ] || { echo "scale-daemon: needs root" >&2; exit 1; }
[ -f "$ROOT/bridge-cli/target/ocbridge.jar" ] || { echo "scale-daemon: build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
[[ $PEERS =~ ^[0-9]+$ ]] && [ "$PEERS" -ge 1 ] && [ "$PEERS" -le 60000 ] || { echo "scale-daemon: peers must be 1..60000" >&2; exit 2; }
NS=ocbscale$$
WORK=$(mktemp -d /tmp/ocbridge-scale.XXXXXX)
DAEMON=
cleanup() {
    if [ -n "$DAEMON" ] && kill -0 "$DAEMON" 2>/dev/null; then
        kill -TERM "$DAEMON" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$DAEMON" 2>/dev/null || true
    fi
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$ROOT/bin/ocbridge" genkey --out "$WORK/site.key"
python3 - "$PEERS" > "$WORK/site.yaml" <<'PY'
import base64, os, sys
n = int(sys.argv[1])
print("site: scale\nprivate-key-file: site.key\ncontrol-socket: site.sock\noverlays:\n  - name: corp\n"
      "    device: ocbscale0\n    listen-port: 51999\n    addresses: [10.200.0.1/16]\n    peers:")
for i in range(n):
    key = base64.b64encode(os.urandom(32)).decode()  # random points: fine for a peer that never handshakes
    host = i + 2
    print(f"      - name: p{i}\n        public-key: {key}\n"
          f"        endpoint: 198.51.100.{i % 250 + 1}:{51820 + i // 250}\n"
          f"        allowed-ips: [10.200.{host // 256}.{host % 256}/32, 10.{64 + i // 62500}.{i // 250 % 250}.{i % 250}/32]")
PY
ip netns add "$NS"
ip -n "$NS" link set lo up
start=$(date +%s%N)
ip netns exec "$NS" "$ROOT/bin/ocbridge" up -c "$WORK/site.yaml" > "$WORK/daemon.log" 2>&1 &
DAEMON=$!
ready= deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
    kill -0 "$DAEMON" 2>/dev/null || { echo "scale-daemon: the daemon exited: $(tail -n 3 "$WORK/daemon.log")" >&2; exit 1; }
    if [ -S "$WORK/site.sock" ] && timeout 10 "$ROOT/bin/ocbridge" status -c "$WORK/site.yaml" --json > /dev/null 2>&1; then
        ready=$(date +%s%N); break
    fi
    sleep 0.2
done
[ -n "$ready" ] || { echo "scale-daemon: no status answer within 120 s" >&2; exit 1; }
t0=$(date +%s%N)
timeout 30 "$ROOT/bin/ocbridge" status -c "$WORK/site.yaml" --json > "$WORK/status.json"
t1=$(date +%s%N)
routes=$(ip -n "$NS" route show dev ocbscale0 | grep -vc "proto kernel")
listed=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['overlays'][0]['peers']))" "$WORK/status.json")
initiated=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['overlays'][0]['handshakes']['initiation_sent'])" "$WORK/status.json")
pid=$(pgrep -P "$DAEMON" java || echo "$DAEMON")
rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
printf 'scale-daemon: %d peers (%d allowed-ips): up and answering status %.1f s after `ocbridge up` (JVM start included)\n' \
    "$PEERS" $((2 * PEERS)) "$(echo "($ready - $start) / 1000000000" | bc -l)"
printf 'scale-daemon: %d routes through the device; `ocbridge status --json` %.2f s (CLI JVM start included), %d peers, %d KiB of JSON\n' \
    "$routes" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$listed" $(( $(stat -c %s "$WORK/status.json") / 1024 ))
echo "scale-daemon: $initiated initiations sent when status was read (first contact: 64 at once, then 1000/s; then each unanswered peer's 5 s retransmits)"
echo "scale-daemon: daemon RSS ${rss} MiB (bin/ocbridge's JVM options, plus any in OCBRIDGE_JAVA_OPTS)"
