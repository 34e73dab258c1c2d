#!/usr/bin/env bash
# Test of the tests, not a product: stands in for `ocbridge up -c site.yaml` by building the same L3 overlay with
# wireguard-go + wg + ip, so the ocbridge integration tests can be checked against a known-good implementation:
#   ./mvnw -B -pl integration-tests test -Pintegration \
#       -Docbridge.it.launcher=integration-tests/src/test/resources/wireguard-go-as-ocbridge.sh
# Reads only the one-overlay, one-peer yaml that SiteConfig writes. Its PID becomes wireguard-go's (exec), so the tests
# stop and kill it exactly as they would the daemon. Log lines are wireguard-go's, not ocbridge's.
set -euo pipefail
if [ "${1:-}" != up ] || [ "${2:-}" != -c ] || [ ! -f "${3:-}" ]; then
    echo "usage: $0 up -c site.yaml" >&2
    exit 2
fi
cfg=$3
dir=$(dirname "$cfg")
val() { sed -n "s/^ *-\{0,1\} *$1: *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" "$cfg" | head -n1; }
list() { val "$1" | tr -d '[] '; }
dev=$(val device); port=$(val listen-port); mtu=$(val mtu); addr=$(list addresses)
key=$dir/$(val private-key-file); pub=$(val public-key); ips=$(list allowed-ips)
psk=$(val preshared-key-file); endpoint=$(val endpoint); keepalive=$(val persistent-keepalive)

(   # configure once wireguard-go has created the device and its control socket (bounded: 5 s)
    for _ in $(seq 100); do [ -S "/var/run/wireguard/$dev.sock" ] && break; sleep 0.05; done
    args=(set "$dev" private-key "$key" listen-port "$port" peer "$pub" allowed-ips "$ips")
    if [ -n "$psk" ]; then args+=(preshared-key "$dir/$psk"); fi
    if [ -n "$endpoint" ]; then args+=(endpoint "$endpoint"); fi
    if [ -n "$keepalive" ]; then args+=(persistent-keepalive "$keepalive"); fi
    wg "${args[@]}"
    ip addr add "$addr" dev "$dev"
    ip link set "$dev" mtu "$mtu" up
    for r in ${ips//,/ }; do
        case $r in */32) ;; *) ip route add "$r" dev "$dev" ;; esac
    done
    echo "shim: $dev configured" >&2
) &
LOG_LEVEL=verbose exec wireguard-go -f "$dev"
