#!/usr/bin/env bash
# The HA and recovery figures (issue: gateway high availability): failover and failback gaps of an active/standby pair
# under real keepalived, a 100 MiB transfer through a failover, the standby's silence, the stall of a transfer while
# the receiving gateway is SIGKILLed and restarted, and a restarted peer's handshake through a handshake flood.
# Runs the namespace tests that measure them (they build their own namespaces and remove them) and prints their
# SUMMARY lines. Prints figures; the goals are read off them, no timed assertion checks them.
#
#   sudo bench/recovery.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ "$(id -u)" -eq 0 ] || { echo "recovery: needs root (network namespaces)" >&2; exit 1; }
bash scripts/install-deps.sh
LOG=$(mktemp /tmp/ocbridge-recovery.XXXXXX)
trap 'rm -f "$LOG"' EXIT
status=0
./mvnw -B verify -Pintegration -pl integration-tests -am -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest='GatewayHaTest,OcbridgeRestartTest,HandshakeFloodTest#legitimatePeerHandshakesAndTransfersThroughTheFlood' \
    > "$LOG" 2>&1 || status=$?
grep -h '^SUMMARY ' integration-tests/target/summary.txt 2>/dev/null || true
if [ "$status" -ne 0 ]; then
    echo "recovery: the tests failed (exit $status); the end of the build log:" >&2
    tail -40 "$LOG" >&2
fi
exit "$status"
