#!/usr/bin/env bash
# The .deb under real systemd: integration-tests/src/test/sh/systemd-package.sh <ocbridge.deb> <work dir>
# Boots two throwaway containers (systemd-nspawn, root = an overlay of this machine's root with /usr/lib/jvm hidden,
# so nothing but the package's own runtime can run the daemon), joins them with a veth, installs the package in each
# with dpkg and runs one site per container under ocbridge@<site>. Proves: the tunnel comes up and carries a ping,
# status/reload/wg work for root and for the ocbridge user, `systemctl reload` applies an added peer, a kill -9 is
# recovered by systemd, two instances share /run/wireguard (one of them forcing the default route, with no more than
# CAP_NET_ADMIN), `systemctl stop` removes the devices and the forced tunnel's rules, the journal holds
# the daemon's lines at their priorities, remove keeps /etc/ocbridge and purge leaves nothing behind.
# Prints "SUMMARY key=value" lines (start-to-ready with and without the AOT cache). Exit 0 = all proven.
# Network safety: links and addresses only inside the containers' private network namespaces, none in the root
# namespace. Every wait is bounded; cleanup (by PID) runs on exit.
set -euo pipefail
DEB=$(readlink -f "$1")
WORK=$2
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
TAG=$$
VETH_A="ocbv${TAG}a"
VETH_B="ocbv${TAG}b"
declare -A NSPAWN=() INIT=()

log() { echo "[$(date +%T)] $*" >&2; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
    local name pid
    for name in "${!NSPAWN[@]}"; do
        pid=${NSPAWN[$name]}
        if kill -0 "$pid" 2>/dev/null; then
            [ -n "${INIT[$name]:-}" ] && nsenter -t "${INIT[$name]}" -a systemctl poweroff --no-block >/dev/null 2>&1
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    for name in "${!NSPAWN[@]}"; do
        umount "$WORK/$name/root" 2>/dev/null || umount -l "$WORK/$name/root" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 143' TERM INT   # so that a deadline's SIGTERM still runs cleanup

# ct <container> <command...>: runs in every namespace of the container, with a clean environment.
ct() {
    local name=$1; shift
    nsenter -t "${INIT[$name]}" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
# as_ocbridge <container> <command...>: the same as the daemon's user.
as_ocbridge() {
    local name=$1; shift
    ct "$name" setpriv --reuid ocbridge --regid ocbridge --init-groups "$@"
}

boot() {
    local name=$1 dir="$WORK/$1"
    mkdir -p "$dir/upper" "$dir/work" "$dir/root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
    NSPAWN[$name]=""   # mounted: cleanup unmounts it even if nspawn never starts
    # Hidden: every JDK (the package must bring its own) and anything of ocbridge the machine itself holds.
    rm -rf "$dir/root/usr/lib/jvm" "$dir/root/usr/lib/ocbridge" "$dir/root/etc/ocbridge" "$dir/root/usr/bin/ocbridge"
    mkdir -p "$dir/root/var/cache/ocbtest"
    cp "$DEB" "$dir/root/var/cache/ocbtest/ocbridge.deb"
    systemd-nspawn -D "$dir/root" -M "ocbt$TAG$name" --register=no --keep-unit --private-network \
        --bind=/dev/net/tun -b > "$dir/console.log" 2>&1 &
    NSPAWN[$name]=$!
}

await_boot() {
    local name=$1 state=""
    for _ in $(seq 1 300); do
        [ -z "${INIT[$name]:-}" ] && INIT[$name]=$(pgrep -P "${NSPAWN[$name]}" | head -1 || true)
        if [ -n "${INIT[$name]:-}" ]; then
            state=$(ct "$name" systemctl is-system-running 2>/dev/null || true)
            case "$state" in running|degraded) break ;; esac
        fi
        kill -0 "${NSPAWN[$name]}" 2>/dev/null || { tail -20 "$WORK/$name/console.log" >&2; fail "$name: nspawn exited"; }
        sleep 0.1
    done
    case "$state" in running|degraded) ;; *) fail "$name: systemd not up after 30 s (state '$state')" ;; esac
    # /dev/net/tun as udev makes it on a real host (0666; CAP_NET_ADMIN still needed to create a device), on the
    # container's own /dev, so this machine's node keeps its mode.
    ct "$name" sh -c 'umount /dev/net/tun 2>/dev/null; rm -f /dev/net/tun; mknod -m 0666 /dev/net/tun c 10 200'
}

# await <seconds> <description> <command...>: retries the command every 0.2 s until it succeeds.
await() {
    local seconds=$1 what=$2; shift 2
    local tries=$((seconds * 5))
    for _ in $(seq 1 "$tries"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    fail "$what: not within ${seconds}s"
}

# Milliseconds from the daemon's exec to its READY=1, as systemd saw them.
start_to_ready_ms() {
    local unit=$1 started active
    started=$(ct a systemctl show -p ExecMainStartTimestampMonotonic --value "$unit")
    active=$(ct a systemctl show -p ActiveEnterTimestampMonotonic --value "$unit")
    echo $(((active - started) / 1000))
}

site_config() {  # site_config <container> <site> <own overlay ip> <peer name> <peer key file> <peer endpoint> <peer ip>
    local name=$1 site=$2 ip=$3 peer=$4 peerkey=$5 endpoint=$6 peerip=$7
    ct "$name" sh -c "cat > /etc/ocbridge/$site.yaml && chgrp ocbridge /etc/ocbridge/$site.yaml \
        && chmod 0640 /etc/ocbridge/$site.yaml" <<YAML
site: $site
private-key-file: keys/$site.key
overlays:
  - name: corp
    device: ocb-$site
    listen-port: 51820
    addresses: [$ip/24]
    peers:
      - name: $peer
        public-key: $(cat "$peerkey")
        endpoint: $endpoint
        allowed-ips: [$peerip/32]
        persistent-keepalive: 5
YAML
}

genkey() {  # genkey <container> <site>: the key file belongs to ocbridge, 0600; prints the public key file's path
    local name=$1 site=$2
    ct "$name" install -d -o ocbridge -g ocbridge -m 0700 /etc/ocbridge/keys
    as_ocbridge "$name" ocbridge genkey --out "/etc/ocbridge/keys/$site.key"
    ct "$name" sh -c "ocbridge pubkey < /etc/ocbridge/keys/$site.key" > "$WORK/$site.pub"
}

started=$(date +%s)
log "booting two containers"
boot a
boot b
await_boot a
await_boot b

log "underlay: veth $VETH_A/$VETH_B between the containers, 10.99.0.1-2/24 inside only"
# Created inside a's network namespace with its peer placed straight into b's: never a link in the root namespace.
nsenter -t "${INIT[a]}" -n ip link add "$VETH_A" type veth peer name "$VETH_B" netns "${INIT[b]}"
ct a ip addr add 10.99.0.1/24 dev "$VETH_A"
ct a ip link set "$VETH_A" up
ct b ip addr add 10.99.0.2/24 dev "$VETH_B"
ct b ip link set "$VETH_B" up

log "installing $(basename "$DEB") with dpkg, no JDK in sight"
for c in a b; do
    ct "$c" dpkg -i /var/cache/ocbtest/ocbridge.deb > "$WORK/$c-dpkg.log" 2>&1 || { cat "$WORK/$c-dpkg.log" >&2; fail "$c: dpkg -i"; }
    ct "$c" sh -c '! command -v java && [ ! -e /usr/lib/jvm ]' >/dev/null || fail "$c: a JDK is visible"
    [ "$(ct "$c" stat -c '%a %U:%G' /etc/ocbridge)" = "750 root:ocbridge" ] || fail "$c: /etc/ocbridge not 0750 root:ocbridge"
    ct "$c" bash -c '. /usr/share/bash-completion/completions/ocbridge && complete -p ocbridge' > /dev/null \
        || fail "$c: no bash completion for ocbridge"
    # AOTMode=on: the JVM refuses to start unless the package's AOT cache matches this runtime, jars and flags.
    ct "$c" env OCBRIDGE_JAVA_OPTS=-XX:AOTMode=on ocbridge version > /dev/null || fail "$c: the AOT cache is not usable"
done
genkey a east
genkey b west
site_config a east 10.77.0.1 west "$WORK/west.pub" 10.99.0.2:51820 10.77.0.2
site_config b west 10.77.0.2 east "$WORK/east.pub" 10.99.0.1:51820 10.77.0.1
ct a systemctl enable --now ocbridge@east 2>/dev/null || { ct a journalctl -u ocbridge@east --no-pager >&2; fail "start east"; }
ct b systemctl start ocbridge@west || { ct b journalctl -u ocbridge@west --no-pager >&2; fail "start west"; }
echo "SUMMARY systemd_start_to_ready_ms=$(start_to_ready_ms ocbridge@east)"
[ "$(ct a ps -o user= -p "$(ct a systemctl show -p MainPID --value ocbridge@east)")" = ocbridge ] \
    || fail "the daemon does not run as ocbridge"
ct a grep -q '^CapEff:.*0000000000001000$' "/proc/$(ct a systemctl show -p MainPID --value ocbridge@east)/status" \
    || fail "the daemon's effective capabilities are not CAP_NET_ADMIN alone"

log "tunnel: a ping crosses it"
await 20 "ping east -> west over the tunnel" ct a ping -c 1 -W 1 10.77.0.2

for f in /run/ocbridge /run/wireguard; do
    [ "$(ct a stat -c '%U:%G %a' "$f")" = "ocbridge:ocbridge 755" ] || fail "$f: $(ct a stat -c '%U:%G %a' "$f")"
done
for f in /run/ocbridge/east.sock /run/wireguard/ocb-east.sock; do
    [ "$(ct a stat -c '%U %a' "$f")" = "ocbridge 600" ] || fail "$f: $(ct a stat -c '%U %a' "$f")"
done
east_main=$(ct a systemctl show -p MainPID --value ocbridge@east)
echo "SUMMARY idle_rss_mib_one_peer=$(($(ct a awk '/^VmRSS/ {print $2}' "/proc/$east_main/status") / 1024))"

log "status, reload and wg for root and for ocbridge"
ct a ocbridge status -c /etc/ocbridge/east.yaml | grep -q 'corp *west' \
    || { ct a ocbridge status -c /etc/ocbridge/east.yaml >&2; fail "root: ocbridge status"; }
as_ocbridge a ocbridge status -c /etc/ocbridge/east.yaml > /dev/null || fail "ocbridge user: ocbridge status"
ct a wg show ocb-east | grep -q "latest handshake" || fail "root: wg show"
as_ocbridge a wg show ocb-east | grep -q "latest handshake" || fail "ocbridge user: wg show"
as_ocbridge a ocbridge reload -c /etc/ocbridge/east.yaml > /dev/null || fail "ocbridge user: ocbridge reload"
ct a ocbridge reload -c /etc/ocbridge/east.yaml > /dev/null || fail "root: ocbridge reload"

log "systemctl reload after a peer is added"
ct a ocbridge genkey --out /tmp/north.key
north=$(ct a sh -c 'ocbridge pubkey < /tmp/north.key')
ct a sh -c "cat >> /etc/ocbridge/east.yaml" <<YAML
      - name: north
        public-key: $north
        allowed-ips: [10.77.0.3/32]
YAML
east_pid=$(ct a systemctl show -p MainPID --value ocbridge@east)
ct a systemctl reload ocbridge@east || fail "systemctl reload"
ct a ocbridge status -c /etc/ocbridge/east.yaml | grep -q 'corp *north' || fail "reload: peer north not in status"
[ "$(ct a systemctl show -p MainPID --value ocbridge@east)" = "$east_pid" ] || fail "reload restarted the daemon"
ct a ping -c 1 -W 2 10.77.0.2 > /dev/null || fail "ping after reload"

log "a reload of a broken config is refused with a warning; the site keeps running"
ct a cp /etc/ocbridge/east.yaml /tmp/east.yaml.good
ct a sh -c 'echo "overlays: [" >> /etc/ocbridge/east.yaml'
ct a systemctl reload ocbridge@east || fail "systemctl reload of a broken config"
await 10 "reload-refused in the journal at warning" \
    sh -c "nsenter -t ${INIT[a]} -a journalctl -u ocbridge@east -p warning -o cat --no-pager | grep -q reload-refused"
ct a cp /tmp/east.yaml.good /etc/ocbridge/east.yaml
[ "$(ct a systemctl is-active ocbridge@east)" = active ] || fail "a refused reload stopped the site"

log "kill -9 of the main PID: systemd brings it back"
ct a kill -9 "$east_pid"
killed=$(date +%s%N)
back() {
    local pid
    pid=$(ct a systemctl show -p MainPID --value ocbridge@east)
    [ "$pid" != 0 ] && [ "$pid" != "$east_pid" ] && [ "$(ct a systemctl is-active ocbridge@east)" = active ]
}
await 20 "ocbridge@east active again after kill -9" back
echo "SUMMARY kill9_to_active_ms=$((($(date +%s%N) - killed) / 1000000))"
await 20 "ping after the restart" ct a ping -c 1 -W 1 10.77.0.2

log "reinstalling the package (an upgrade) restarts the running site"
east_pid=$(ct a systemctl show -p MainPID --value ocbridge@east)
ct a dpkg -i /var/cache/ocbtest/ocbridge.deb > "$WORK/a-upgrade.log" 2>&1 || { cat "$WORK/a-upgrade.log" >&2; fail "dpkg -i again"; }
[ "$(ct a systemctl is-active ocbridge@east)" = active ] || fail "upgrade: ocbridge@east not active"
[ "$(ct a systemctl show -p MainPID --value ocbridge@east)" != "$east_pid" ] || fail "upgrade: the old daemon still runs"
await 20 "ping after the upgrade" ct a ping -c 1 -W 1 10.77.0.2

log "two instances side by side share /run/ocbridge and /run/wireguard"
genkey b spare
site_config b spare 10.78.0.1 east "$WORK/east.pub" 10.99.0.1:51821 10.78.0.2
ct b sed -i 's/listen-port: 51820/listen-port: 51821/' /etc/ocbridge/spare.yaml
# spare forces the default route (table and mark 51821, its port): the unit's CAP_NET_ADMIN alone must do for the
# socket's SO_MARK and the ip rules, and stop must take them away. west's own underlay is on-link: unaffected.
ct b sed -i -e 's/listen-port: 51821/listen-port: 51821\n    default-route: true/' \
    -e 's|allowed-ips: \[10.78.0.2/32\]|allowed-ips: [10.78.0.2/32, 0.0.0.0/0]|' /etc/ocbridge/spare.yaml
ct b systemctl start ocbridge@spare || { ct b journalctl -u ocbridge@spare --no-pager >&2; fail "start spare"; }
ct b test -S /run/wireguard/ocb-spare.sock || fail "spare: no UAPI socket"
ct b ip -4 rule show | grep -q 'not from all fwmark 0xca6d lookup 51821' \
    || { ct b ip -4 rule show >&2; fail "spare: no forced-tunnel rule"; }
ct b ip -4 route show table 51821 | grep -q '^default dev ocb-spare' || fail "spare: no default route in its table"
ct b ss -Huane sport = :51821 | grep -q 'fwmark:0xca6d' || fail "spare: its socket carries no mark"
ct b ocbridge status -c /etc/ocbridge/spare.yaml | grep -q 'routing: forced tunnel IPv4 (default route in table 51821' \
    || fail "spare: status does not show the forced tunnel"
ct b systemctl stop ocbridge@spare
ct b ip link show ocb-spare >/dev/null 2>&1 && fail "stop spare: device ocb-spare still there"
ct b ip -4 rule show | grep -q 'lookup 51821\|suppress_prefixlength' && fail "stop spare: forced-tunnel rules left"
ct b test -S /run/wireguard/ocb-west.sock || fail "stopping spare took west's UAPI socket"
ct b test -S /run/ocbridge/west.sock || fail "stopping spare took west's control socket"
ct b wg show ocb-west > /dev/null || fail "wg show ocb-west after spare stopped"
ct b ocbridge status -c /etc/ocbridge/west.yaml > /dev/null || fail "status of west after spare stopped"

log "the journal holds the daemon's lines, at their priorities"
ct a journalctl -u ocbridge@east -o cat --no-pager > "$WORK/east-journal.txt"
grep -q 'INFO daemon-up site=east' "$WORK/east-journal.txt" || fail "journal: no daemon-up"
grep -q '^<[0-7]>' "$WORK/east-journal.txt" && fail "journal: a priority prefix was not taken as one"
ct a journalctl -u ocbridge@east -o cat -p warning --no-pager > "$WORK/east-warnings.txt"
grep -q 'WARN reload-refused' "$WORK/east-warnings.txt" || fail "journal: reload-refused not at warning"
grep -q ' INFO ' "$WORK/east-warnings.txt" && fail "journal: INFO lines at warning priority"
[ "$(ct a journalctl -u ocbridge@east -o json --no-pager | grep '"MESSAGE":"[^"]*INFO daemon-up' \
    | grep -o '"PRIORITY":"[0-9]"' | sort -u)" = '"PRIORITY":"6"' ] || fail "journal: daemon-up not at priority 6"
# Netty's own lines (a MacAddressUtil warning where no interface has a MAC) come in our format, if any.
grep -q '^WARNING: \|io.netty.util.internal' "$WORK/east-journal.txt" && fail "journal: Netty's own log format"

log "start-to-ready with and without the AOT cache"
ct a systemctl stop ocbridge@east
ct a ip link show ocb-east >/dev/null 2>&1 && fail "stop: device ocb-east still there"
ct a test -e /run/wireguard/ocb-east.sock && fail "stop: UAPI socket still there"
# Each start is followed by 3 s of TCP through the tunnel, from the moment the unit is active: how fast a cold daemon
# carries traffic (a figure, never an assertion).
ct b iperf3 -s -D
first3s() {
    ct a timeout 20 iperf3 -c 10.77.0.2 -t 3 -f m --connect-timeout 5000 2>/dev/null \
        | grep -o '[0-9.]* Mbits/sec *receiver' | awk '{print $1}' || true
}
aot=() noaot=() aot_mbit=() noaot_mbit=()
ct a mkdir -p /run/systemd/system/ocbridge@east.service.d
for round in 1 2 3; do
    ct a sh -c 'printf "[Service]\nEnvironment=OCBRIDGE_AOT=off\n" > /run/systemd/system/ocbridge@east.service.d/aot.conf'
    ct a systemctl daemon-reload
    ct a systemctl start ocbridge@east; noaot+=("$(start_to_ready_ms ocbridge@east)")
    noaot_mbit+=("$(first3s)"); ct a systemctl stop ocbridge@east
    ct a rm /run/systemd/system/ocbridge@east.service.d/aot.conf
    ct a systemctl daemon-reload
    ct a systemctl start ocbridge@east; aot+=("$(start_to_ready_ms ocbridge@east)")
    aot_mbit+=("$(first3s)"); ct a systemctl stop ocbridge@east
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "SUMMARY start_to_ready_ms_without_aot=$(median "${noaot[@]}") (${noaot[*]})"
echo "SUMMARY start_to_ready_ms_with_aot=$(median "${aot[@]}") (${aot[*]})"
echo "SUMMARY first_3s_mbit_without_aot=$(median "${noaot_mbit[@]}") (${noaot_mbit[*]})"
echo "SUMMARY first_3s_mbit_with_aot=$(median "${aot_mbit[@]}") (${aot_mbit[*]})"
ct a rmdir /run/systemd/system/ocbridge@east.service.d
ct a systemctl daemon-reload

log "apt remove keeps /etc/ocbridge; purge leaves nothing behind"
ct a dpkg -r ocbridge > "$WORK/a-remove.log" 2>&1 || { cat "$WORK/a-remove.log" >&2; fail "dpkg -r"; }
ct a test -f /etc/ocbridge/east.yaml || fail "remove: /etc/ocbridge/east.yaml gone"
ct a test -f /etc/ocbridge/keys/east.key || fail "remove: the key is gone"
ct a test -e /usr/lib/ocbridge && fail "remove: /usr/lib/ocbridge still there"
ct a dpkg -P ocbridge > "$WORK/a-purge.log" 2>&1 || { cat "$WORK/a-purge.log" >&2; fail "dpkg -P"; }
# b is purged with its site running: prerm stops it.
ct b dpkg -P ocbridge > "$WORK/b-purge.log" 2>&1 || { cat "$WORK/b-purge.log" >&2; fail "dpkg -P with a site running"; }
ct b ip link show ocb-west >/dev/null 2>&1 && fail "purge: device ocb-west still there"
for c in a b; do
    ct "$c" getent passwd ocbridge > /dev/null && fail "$c: purge: user ocbridge still there"
    ct "$c" getent group ocbridge > /dev/null && fail "$c: purge: group ocbridge still there"
    ct "$c" test -e /run/ocbridge && fail "$c: purge: /run/ocbridge still there"
    ct "$c" test -e /run/wireguard && fail "$c: purge: /run/wireguard still there"
    [ "$(ct "$c" systemctl list-units --all --no-legend 'ocbridge@*' | wc -l)" = 0 ] || fail "$c: purge: units left"
    # What the container changed on disk is its overlay's upper dir: no path naming ocbridge may remain there, but
    # the .deb we brought and the logs of dpkg and the journal (which record what happened).
    leftovers=$(cd "$WORK/$c/upper" && find . -path ./var/cache/ocbtest -prune -o -path ./var/log -prune \
        -o -iname '*ocbridge*' -print)
    [ -z "$leftovers" ] || fail "$c: purge left: $leftovers"
done
echo "SUMMARY systemd_package_test_s=$(($(date +%s) - started))"
log "all proven"
