#!/usr/bin/env bash
# Test of the tests, not a product: stands in for `ocbridge up -c site.yaml` by building the same overlay with
# wireguard-go + wg + ip (and, for L2 segments, a kernel vxlan device in the segment's bridge), so the ocbridge
# integration tests can be checked against a known-good implementation:
#   ./mvnw -B -pl integration-tests test -Pintegration \
#       -Docbridge.it.launcher=integration-tests/src/test/resources/wireguard-go-as-ocbridge.sh
# Reads only the one-overlay yaml that SiteConfig writes (any number of peers and segments). Its PID becomes
# wireguard-go's (exec), so the tests stop and kill it exactly as they would the daemon. Log lines are wireguard-go's.
# A segment's `device` names the vxlan device here (not a TAP); the WireGuard MTU is raised to 1600 when there are
# segments, as a kernel vxlan over WireGuard needs for full-size frames.
set -euo pipefail
if [ "${1:-}" != up ] || [ "${2:-}" != -c ] || [ ! -f "${3:-}" ]; then
    echo "usage: $0 up -c site.yaml" >&2
    exit 2
fi
cfg=$3
dir=$(dirname "$cfg")
# One line per overlay setting, peer and segment, fields separated by '|':
#   overlay|key|value    peer|name|public-key|psk-file|endpoint|allowed-ips|keepalive    segment|vni|device|bridge|peers
parsed=$(awk '
    function flush() {
        if (kind == "peer") print "peer|" v["name"] "|" v["public-key"] "|" v["preshared-key-file"] "|" v["endpoint"] "|" v["allowed-ips"] "|" v["persistent-keepalive"]
        if (kind == "segment") print "segment|" v["vni"] "|" v["device"] "|" v["bridge"] "|" v["peers"]
        kind = ""; delete v
    }
    {
        line = $0
        if (line ~ /^    peers:/) { flush(); section = "peer"; next }
        if (line ~ /^    segments:/) { flush(); section = "segment"; next }
        if (line ~ /^      - /) { flush(); kind = section; sub(/^      - /, "        ", line) }
        if (line !~ /^ *[-a-z]+: /) next
        key = line; sub(/^ *-? */, "", key); sub(/:.*/, "", key)
        val = line; sub(/^[^:]*: */, "", val); gsub(/[\[\]" ]/, "", val)
        if (kind != "") v[key] = val
        else if (line ~ /^[a-z]/) print "site|" key "|" val
        else if (line ~ /^    [a-z]/) print "overlay|" key "|" val
    }
    END { flush() }' "$cfg")
setting() { printf '%s\n' "$parsed" | awk -F'|' -v k="$1" '($1 == "site" || $1 == "overlay") && $2 == k { print $3; exit }'; }
dev=$(setting device); port=$(setting listen-port); mtu=$(setting mtu); addr=$(setting addresses | cut -d, -f1)
key=$dir/$(setting private-key-file)
if printf '%s\n' "$parsed" | grep -q '^segment|' && [ "$mtu" -lt 1600 ]; then mtu=1600; fi

(   # configure once wireguard-go answers on its control socket (bounded: 5 s); after a SIGKILL the old socket file
    # is still there until the new process replaces it, so its mere existence is not enough
    for _ in $(seq 100); do wg show "$dev" >/dev/null 2>&1 && break; sleep 0.05; done
    wg set "$dev" private-key "$key" listen-port "$port"
    declare -A vtep
    while IFS='|' read -r _ name pub psk endpoint ips keepalive; do
        args=(set "$dev" peer "$pub" allowed-ips "$ips")
        if [ -n "$psk" ]; then args+=(preshared-key "$dir/$psk"); fi
        if [ -n "$endpoint" ]; then args+=(endpoint "$endpoint"); fi
        if [ -n "$keepalive" ]; then args+=(persistent-keepalive "$keepalive"); fi
        wg "${args[@]}"
        vtep[$name]=${ips%%[/,]*}
    done < <(printf '%s\n' "$parsed" | grep '^peer|')
    ip addr add "$addr" dev "$dev"
    ip link set "$dev" mtu "$mtu" up
    while IFS='|' read -r _ name _ _ _ ips _; do
        for r in ${ips//,/ }; do
            case $r in */32) ;; *) ip route add "$r" dev "$dev" ;; esac
        done
    done < <(printf '%s\n' "$parsed" | grep '^peer|')
    while IFS='|' read -r _ vni sdev bridge peers; do
        ip link add "$sdev" type vxlan id "$vni" local "${addr%/*}" dstport 4789 dev "$dev"
        carriers=${peers//,/ }
        for p in ${carriers:-${!vtep[@]}}; do
            bridge fdb append 00:00:00:00:00:00 dev "$sdev" dst "${vtep[$p]}"
        done
        ip link set "$sdev" mtu 1500
        if [ -n "$bridge" ]; then ip link set "$sdev" master "$bridge"; fi
        ip link set "$sdev" up
    done < <(printf '%s\n' "$parsed" | grep '^segment|')
    echo "shim: $dev configured" >&2
) &
LOG_LEVEL=verbose exec wireguard-go -f "$dev"
