#!/usr/bin/env bash
# The main job: an enterprise LAN stretched to two cloud sites by ocbridge, on this host, in network namespaces.
#
#   ent-host1, ent-host2, dhcp (dnsmasq) ── br-lan ── gw-dc ══╗
#                                           underlay (wan) ═══╬══ gw-cloud1 ── br-lan ── vm1
#                                                             ╚══ gw-cloud2 ── br-lan ── vm2
#
# Installs the Debian packages it needs, builds ocbridge (skipped with OCB_DEMO_SKIP_BUILD=1), then runs
# `ocbridge demo`, which does the rest and removes everything it created when it ends, on failure and on Ctrl-C.
# Needs root. Nothing is added to the root namespace; no traffic leaves this machine.
# Options go to `ocbridge demo`: --keep (stay up until Ctrl-C), --no-transfer, --help.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ "$(id -u)" -ne 0 ]; then
    echo "demo: needs root (network namespaces, TUN/TAP devices): sudo $0" >&2
    exit 2
fi
bash scripts/install-deps.sh
if [ "${OCB_DEMO_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building" >&2
    ./mvnw -B -q package -DskipTests
fi
exec bin/ocbridge demo "$@"
