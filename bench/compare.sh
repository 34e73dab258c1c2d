#!/usr/bin/env bash
# ocbridge next to wireguard-go, OpenVPN 2.6 and tinc 1.0, routed (L3) and bridged (L2), on one namespace topology
# (bench/lib.sh draws it), one tunnel after the other, in one run; prints one table and writes it to OUT.
#
#   sudo bench/compare.sh                                   every tunnel, RUNS=3 runs of SECONDS_PER_RUN=5 s
#   sudo RUNS=1 SECONDS_PER_RUN=2 ONLY=ocbridge-l3,wg-l3 bench/compare.sh
#
# Tunnels (ONLY= picks a comma-separated subset, in this order):
#   L3  ocbridge-l3     ocbridge overlay, TUN, MTU 1420
#       ocbridge-nooff-l3   the same with every kernel offload off (-Docbridge.offloads=none): what offloads buy
#       wg-l3           wireguard-go (user space), MTU 1420
#       ovpn-aes-l3     OpenVPN tun, UDP, TLS peer-to-peer (throwaway CA), data cipher AES-256-GCM, DCO off
#       ovpn-chacha-l3  the same with CHACHA20-POLY1305
#       tinc-l3         tinc 1.0 router mode (aes-256-cbc + sha256, its defaults)
#   L2  ocbridge-l2     ocbridge segment (VXLAN VNI 100 inside the overlay, TAP in br-lan)
#       ocbridge-nooff-l2   the same with every kernel offload off
#       wg-l2           wireguard-go MTU 1600 + kernel vxlan + br-lan
#       ovpn-aes-l2     OpenVPN tap in br-lan, AES-256-GCM;  ovpn-chacha-l2: CHACHA20-POLY1305
#       tinc-l2         tinc 1.0 switch mode, its TAP in br-lan
# For each: iperf3 host-a -> host-b, 1 and 4 TCP streams, RUNS runs of SECONDS_PER_RUN s (medians); RTT (ping -c 50
# -i 0.02, RUNS times after a warm-up transfer; median of the averages); CPU seconds per GB: utime+stime of both tunnel
# daemons (all threads, and any child) over the iperf3 runs, divided by the GB iperf3 received. Kernel work done in
# softirq (veth, bridge, kernel vxlan) is nobody's: it is not counted.
# A tunnel proves it carried the traffic: gw-a routes host-b through the tunnel device (L3) or the device is in
# br-lan (L2), and the device's tx counter grows by at least the bytes iperf3 received. A tunnel that does not come
# up within UP_TIMEOUT (20) s, or fails a step, gets "failed: reason" in its row and the run goes on.
# OCB_DAEMON_JAVA_OPTS goes to the ocbridge daemons only (e.g. a JFR recording, filename=/tmp/ocb-%p.jfr, for
# bench/jfr-alloc.py); OCB_METRICS=off leaves the metrics: section out of their config. For the ocbridge rows a line
# under the table gives the heap each daemon allocated per transport message over the iperf3 runs, from its metrics
# (jvm_gc_memory_allocated_bytes_total, ocbridge_peer_*_packets_total).
#
# Needs root, a built ocbridge (./mvnw -B -q package -DskipTests) for the ocbridge rows, and installs the peers
# (scripts/install-deps.sh bench). Creates only namespaces named with its PID, removes them and every process it
# started (by PID) on exit, failure and Ctrl-C. Not part of the test suite; prints figures, asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CALLER_DIR=$PWD
cd "$ROOT"
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
UP_TIMEOUT=${UP_TIMEOUT:-20}
WARMUP_SECONDS=3
ALL_MODES=(ocbridge-l3 ocbridge-nooff-l3 wg-l3 ovpn-aes-l3 ovpn-chacha-l3 tinc-l3 ocbridge-l2 ocbridge-nooff-l2 wg-l2 ovpn-aes-l2 ovpn-chacha-l2 tinc-l2)
. bench/lib.sh

# ---- tunnels: each start_* leaves DAEMONS (the two daemon PIDs), TUNDEV (gw-a's tunnel device) and DST set ----

side_vars() {  # a|b: this gateway's namespace, underlay address, host subnet number; the other side's
    if [ "$1" = a ]; then ns=$NS_GA ep=192.0.2.1 n=1 other=b other_ep=192.0.2.2 o=2
    else ns=$NS_GB ep=192.0.2.2 n=2 other=a other_ep=192.0.2.1 o=1; fi
}

start_ocbridge() {  # l3|l2 [extra JVM options for the daemons]
    local kind=$1 extra=${2:-} side net port dev segment allowed metrics
    if [ "$kind" = l3 ]; then net=10.77.0 port=51820; else net=10.77.5 port=51822; fi
    for side in a b; do
        side_vars $side
        dev=ocb3${TAG}$side segment= allowed="$net.$o/32, 172.16.$o.0/24"
        if [ "$kind" = l2 ]; then
            dev=ocb2${TAG}$side allowed="$net.$o/32"
            segment="
    segments:
      - name: lan
        vni: 100
        device: ocs${TAG}$side
        bridge: br-lan"
        fi
        metrics="
metrics:
  listen: 127.0.0.1:$OCB_METRICS_PORT"
        [ "${OCB_METRICS:-on}" = on ] || metrics=
        cat > "$WORK/ocb-$kind-$side.yaml" <<YAML
site: bench-$side
private-key-file: $side.key
control-socket: ocb-$kind-$side.sock$metrics
overlays:
  - name: bench
    device: $dev
    listen-port: $port
    addresses: [$net.$n/24]
    mtu: 1420
    peers:
      - name: $other
        public-key: $(cat "$WORK/$other.pub")
        endpoint: $other_ep:$port
        allowed-ips: [$allowed]$segment
YAML
        OCBRIDGE_JAVA_OPTS="${OCB_DAEMON_JAVA_OPTS:-} $extra" \
            ip netns exec "$ns" bin/ocbridge up -c "$WORK/ocb-$kind-$side.yaml" > "$WORK/$MODE-$side.log" 2>&1 &
        track $!; DAEMONS+=($!)
    done
    if [ "$kind" = l3 ]; then TUNDEV=ocb3${TAG}a; else TUNDEV=ocs${TAG}a; fi
}

start_wireguard_go() {  # l3|l2
    local kind=$1 side net port dev mtu allowed
    if [ "$kind" = l3 ]; then net=10.77.1 port=51821 mtu=1420; else net=10.77.6 port=51823 mtu=1600; fi
    for side in a b; do
        side_vars $side
        dev=wg${kind#l}${TAG}$side allowed=$net.$o/32
        [ "$kind" = l2 ] || allowed="$allowed,172.16.$o.0/24"
        WG_PROCESS_FOREGROUND=1 ip netns exec "$ns" wireguard-go -f "$dev" > "$WORK/$MODE-$side.log" 2>&1 &
        track $!; DAEMONS+=($!)
        wait_until 10 test -S "/var/run/wireguard/$dev.sock" || fail "wireguard-go made no UAPI socket for $dev in 10 s"
        ip netns exec "$ns" wg set "$dev" private-key "$WORK/$side.key" listen-port $port \
            peer "$(cat "$WORK/$other.pub")" allowed-ips "$allowed" endpoint "$other_ep:$port"
        ip -n "$ns" addr add "$net.$n/24" dev "$dev"
        ip -n "$ns" link set "$dev" mtu $mtu up
        if [ "$kind" = l3 ]; then
            ip -n "$ns" route add "172.16.$o.0/24" dev "$dev"
        else  # a 1500-byte frame + 50 bytes of VXLAN fits the 1600-byte wg MTU unfragmented
            ip -n "$ns" link add "vx${TAG}$side" type vxlan id 100 local "$net.$n" remote "$net.$o" dstport 4789 dev "$dev"
            ip -n "$ns" link set "vx${TAG}$side" mtu 1500 master br-lan up
        fi
    done
    if [ "$kind" = l3 ]; then TUNDEV=wg3${TAG}a; else TUNDEV=vx${TAG}a; fi
}

start_openvpn() {  # l3|l2 CIPHER
    local kind=$1 cipher=$2 side port net dev role
    case "$kind-$cipher" in
        l3-AES-256-GCM) port=1194 net=10.77.2 ;; l3-CHACHA20-POLY1305) port=1195 net=10.77.3 ;;
        l2-AES-256-GCM) port=1196 ;; l2-CHACHA20-POLY1305) port=1197 ;;
    esac
    for side in a b; do
        side_vars $side
        dev=ov${kind#l}${TAG}$side
        if [ $side = a ]; then role="tls-server
dh none
remote-cert-tls client"; else role="tls-client
remote-cert-tls server"; fi
        {
            echo "dev $dev"
            if [ "$kind" = l3 ]; then echo "dev-type tun"; else echo "dev-type tap"; fi
            echo "proto udp4"; echo "local $ep"; echo "lport $port"; echo "remote $other_ep $port"
            echo "$role"
            echo "ca $WORK/pki/ca.crt"; echo "cert $WORK/pki/$side.crt"; echo "key $WORK/pki/$side.key"
            echo "data-ciphers $cipher"; echo "data-ciphers-fallback $cipher"
            echo "disable-dco"; echo "verb 3"
            if [ "$kind" = l3 ]; then
                echo "ifconfig $net.$n $net.$o"; echo "route 172.16.$o.0 255.255.255.0"
            fi
        } > "$WORK/$MODE-$side.conf"
        ip netns exec "$ns" openvpn --config "$WORK/$MODE-$side.conf" > "$WORK/$MODE-$side.log" 2>&1 &
        track $!; DAEMONS+=($!)
    done
    if [ "$kind" = l2 ]; then
        for side in a b; do
            side_vars $side
            wait_until "$UP_TIMEOUT" has_link "$ns" "ov2${TAG}$side" || fail "openvpn opened no ov2${TAG}$side in ${UP_TIMEOUT} s"
            ip -n "$ns" link set "ov2${TAG}$side" master br-lan up
        done
    fi
    TUNDEV=ov${kind#l}${TAG}a
}

start_tinc() {  # l3|l2
    local kind=$1 side port dir mode net=10.77.4
    if [ "$kind" = l3 ]; then port=655 mode=router; else port=656 mode=switch; fi
    for side in a b; do
        side_vars $side
        dir=$WORK/tinc-$kind-$side
        mkdir -p "$dir/hosts"
        cp "$WORK/tinc-keys/$side/rsa_key.priv" "$dir/"
        printf 'Name = %s\nMode = %s\nInterface = tc%s%s%s\nAddressFamily = ipv4\nBindToAddress = %s\nPort = %s\nConnectTo = %s\n' \
            $side $mode "${kind#l}" "$TAG" $side $ep $port $other > "$dir/tinc.conf"
        local s x
        for s in a b; do
            if [ $s = a ]; then x=1; else x=2; fi
            { echo "Address = 192.0.2.$x"; echo "Port = $port"
              [ "$kind" = l2 ] || printf 'Subnet = %s.%s/32\nSubnet = 172.16.%s.0/24\n' $net $x $x
              sed -n '/BEGIN RSA PUBLIC KEY/,/END RSA PUBLIC KEY/p' "$WORK/tinc-keys/$s/hosts/$s"; } > "$dir/hosts/$s"
        done
        if [ "$kind" = l3 ]; then
            printf '#!/bin/sh\nip addr add %s.%s/24 dev "$INTERFACE"\nip link set "$INTERFACE" up\nip route add 172.16.%s.0/24 dev "$INTERFACE"\n' \
                $net $n $o > "$dir/tinc-up"
        else
            printf '#!/bin/sh\nip link set "$INTERFACE" master br-lan up\n' > "$dir/tinc-up"
        fi
        chmod 755 "$dir/tinc-up"
        ip netns exec "$ns" tincd -D -d1 -c "$dir" --pidfile="$dir/pid" > "$WORK/$MODE-$side.log" 2>&1 &
        track $!; DAEMONS+=($!)
    done
    TUNDEV=tc${kind#l}${TAG}a
}

# ---- one tunnel, in a child process under a time limit: start, prove the path, measure, write $RESULT ----

fail() {
    [ -s "$RESULT" ] || printf 'status=failed\nreason=%q\n' "$*" > "$RESULT"
    exit 1
}

mode_exit() {
    trap - ERR
    [ -z "$CURRENT" ] || kill -TERM "$CURRENT" 2>/dev/null || true
    stop_tracked
    gateways_reset
    rm -f /var/run/wireguard/wg3${TAG}[ab].sock /var/run/wireguard/wg2${TAG}[ab].sock
    [ -s "$RESULT" ] || printf 'status=failed\nreason=%q\n' "interrupted or over its time limit" > "$RESULT"
    rm -f "$PID_FILE"   # all of them are stopped
}

run_mode() {
    MODE=$1 RESULT=$WORK/res.$1 PID_FILE=$WORK/pids.$1 DAEMONS=() TUNDEV= DST=$L3_DST
    trap mode_exit EXIT
    trap 'exit 143' TERM INT
    set -E
    trap 'fail "step failed: $BASH_COMMAND"' ERR
    case $MODE in
        ocbridge-l3) start_ocbridge l3 ;;
        ocbridge-nooff-l3) start_ocbridge l3 -Docbridge.offloads=none ;;
        wg-l3) start_wireguard_go l3 ;;
        ovpn-aes-l3) start_openvpn l3 AES-256-GCM ;;
        ovpn-chacha-l3) start_openvpn l3 CHACHA20-POLY1305 ;;
        tinc-l3) start_tinc l3 ;;
        ocbridge-l2) start_ocbridge l2 ;;
        ocbridge-nooff-l2) start_ocbridge l2 -Docbridge.offloads=none ;;
        wg-l2) start_wireguard_go l2 ;;
        ovpn-aes-l2) start_openvpn l2 AES-256-GCM ;;
        ovpn-chacha-l2) start_openvpn l2 CHACHA20-POLY1305 ;;
        tinc-l2) start_tinc l2 ;;
    esac
    [ "${MODE%-l2}" = "$MODE" ] || DST=$L2_DST
    if ! wait_until "$UP_TIMEOUT" pings "$DST"; then
        local why="no ping host-a -> host-b within ${UP_TIMEOUT} s" pid
        for pid in "${DAEMONS[@]}"; do kill -0 "$pid" 2>/dev/null || why="$why; a daemon exited"; done
        fail "$why; last log line: $(tail -n 1 "$WORK/$MODE-a.log" 2>/dev/null | cut -c1-120)"
    fi
    prove_path
    measure
}

prove_path() {
    if [ "$DST" = "$L3_DST" ]; then
        ip -n "$NS_GA" route get "$DST" | grep -q "dev $TUNDEV " \
            || fail "gw-a routes $DST via $(ip -n "$NS_GA" route get "$DST" | head -n 1), not $TUNDEV"
    else
        ip -n "$NS_GA" link show "$TUNDEV" | grep -q "master br-lan" || fail "$TUNDEV is not in gw-a's br-lan"
    fi
    case $MODE in
        ovpn-aes-*) grep -q "Data Channel: cipher 'AES-256-GCM'" "$WORK/$MODE-a.log" || fail "data cipher is not AES-256-GCM" ;;
        ovpn-chacha-*) grep -q "Data Channel: cipher 'CHACHA20-POLY1305'" "$WORK/$MODE-a.log" || fail "data cipher is not CHACHA20-POLY1305" ;;
    esac
}

OCB_METRICS_PORT=9586  # each daemon's, on its namespace's loopback

ocb_heap_counters() {  # NS: "<heap bytes allocated> <transport messages sent + received>" from the daemon's /metrics
    ip netns exec "$1" curl -s --max-time 5 "http://127.0.0.1:$OCB_METRICS_PORT/metrics" | awk '
        /^jvm_gc_memory_allocated_bytes_total/ {a += $2}
        /^ocbridge_peer_(rx|tx)_packets_total/ {p += $2}
        END {printf "%.0f %.0f\n", a, p}'
}

measure() {
    ip netns exec "$NS_HB" iperf3 -s -B "$DST" > "$WORK/$MODE-iperf-server.log" 2>&1 &
    track $!
    wait_until 5 iperf_listening || fail "iperf3 server did not listen in 5 s"
    bounded $((WARMUP_SECONDS + 20)) ip netns exec "$NS_HA" iperf3 -c "$DST" -t $WARMUP_SECONDS > /dev/null \
        || fail "warm-up transfer failed"
    local tx0 tx1 i streams c0 c1 json bps bytes ticks=0 total=0 one=() four=() rtts=() heap_a0= heap_b0= heap_a1= heap_b1=
    tx0=$(tx_bytes "$NS_GA" "$TUNDEV")
    if [ "${MODE#ocbridge-}" != "$MODE" ]; then
        heap_a0=$(ocb_heap_counters "$NS_GA") heap_b0=$(ocb_heap_counters "$NS_GB")
    fi
    for i in $(seq 1 "$RUNS"); do
        for streams in 1 4; do
            json=$WORK/$MODE-P$streams-$i.json
            c0=$(cpu_ticks "${DAEMONS[@]}")
            bounded $((SECONDS_PER_RUN + 20)) ip netns exec "$NS_HA" \
                iperf3 -c "$DST" -P $streams -t "$SECONDS_PER_RUN" -J > "$json" || fail "iperf3 -P $streams run $i failed"
            c1=$(cpu_ticks "${DAEMONS[@]}")
            read -r bps bytes < <(iperf_received < "$json")
            ticks=$((ticks + c1 - c0)) total=$((total + ${bytes%.*}))
            if [ $streams = 1 ]; then one+=("$bps"); else four+=("$bps"); fi
        done
    done
    tx1=$(tx_bytes "$NS_GA" "$TUNDEV")
    if [ -n "$heap_a0" ]; then
        heap_a1=$(ocb_heap_counters "$NS_GA") heap_b1=$(ocb_heap_counters "$NS_GB")
    fi
    [ $((tx1 - tx0)) -ge "$total" ] \
        || fail "$TUNDEV sent $((tx1 - tx0)) bytes while iperf3 received $total: traffic did not take the tunnel"
    for i in $(seq 1 "$RUNS"); do
        rtts+=("$(bounded 20 ip netns exec "$NS_HA" ping -q -c 50 -i 0.02 "$DST" | awk -F/ '/^rtt/ {print $5}')")
    done
    {
        echo "status=ok"
        echo "tcp1=$(printf '%s\n' "${one[@]}" | median | awk '{printf "%.0f", $1 / 1e6}')"
        echo "tcp4=$(printf '%s\n' "${four[@]}" | median | awk '{printf "%.0f", $1 / 1e6}')"
        echo "rtt=$(printf '%s\n' "${rtts[@]}" | median)"
        echo "cpu=$(awk -v t=$ticks -v hz="$CLK_TCK" -v b=$total 'BEGIN {printf "%.2f", (t / hz) / (b / 1e9)}')"
        if [ -n "$heap_a0" ]; then  # heap bytes per transport message, each gateway
            echo "heap=$(awk -v a0="$heap_a0" -v a1="$heap_a1" -v b0="$heap_b0" -v b1="$heap_b1" 'BEGIN {
                split(a0, x); split(a1, y); split(b0, u); split(b1, v)
                if (y[2] <= x[2] || v[2] <= u[2]) { print "n/a"; exit }
                printf "%.0f/%.0f/%.0f/%.0f", (y[1] - x[1]) / (y[2] - x[2]), (v[1] - u[1]) / (v[2] - u[2]), y[2] - x[2], v[2] - u[2] }')"
        fi
    } > "$RESULT"
}

iperf_listening() { ip netns exec "$NS_HB" ss -ltnH "sport = :5201" | grep -q .; }

# ---- the run: topology, keys, one child per tunnel, the table ----

selected_modes() {
    local m wanted=",${ONLY:-$(IFS=,; echo "${ALL_MODES[*]}")},"
    for m in ${wanted//,/ }; do
        [[ " ${ALL_MODES[*]} " == *" $m "* ]] || { echo "compare: unknown tunnel '$m'; known: ${ALL_MODES[*]}" >&2; exit 2; }
    done
    for m in "${ALL_MODES[@]}"; do [[ $wanted != *",$m,"* ]] || echo "$m"; done
}

make_keys() {  # only those the selected tunnels need
    local side
    if [[ " ${MODES[*]} " == *" ocbridge-"* || " ${MODES[*]} " == *" wg-"* ]]; then
        for side in a b; do
            bin/ocbridge genkey --out "$WORK/$side.key"
            bin/ocbridge pubkey < "$WORK/$side.key" > "$WORK/$side.pub"
        done
    fi
    if [[ " ${MODES[*]} " == *" ovpn-"* ]]; then  # a throwaway CA; a is the TLS server, b the client
        local pki=$WORK/pki ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        mkdir -p "$pki"
        openssl req -x509 "${ec[@]}" -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj /CN=bench-ca 2>/dev/null
        for side in a b; do
            openssl req "${ec[@]}" -keyout "$pki/$side.key" -out "$pki/$side.csr" -subj "/CN=bench-$side" 2>/dev/null
            printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=%s\n' \
                "$([ $side = a ] && echo serverAuth || echo clientAuth)" > "$pki/$side.ext"
            openssl x509 -req -in "$pki/$side.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
                -days 2 -extfile "$pki/$side.ext" -out "$pki/$side.crt" 2>/dev/null
        done
    fi
    if [[ " ${MODES[*]} " == *" tinc-"* ]]; then
        for side in a b; do
            mkdir -p "$WORK/tinc-keys/$side/hosts"
            echo "Name = $side" > "$WORK/tinc-keys/$side/tinc.conf"
            tincd -c "$WORK/tinc-keys/$side" --generate-keys=2048 < /dev/null > /dev/null 2>&1
        done
    fi
}

peer_label() {
    local wg ov tc
    wg=$(dpkg-query -W -f='${Version}' wireguard-go 2>/dev/null | sed 's/^[0-9]*://; s/-.*//')
    ov=$(openvpn --version 2>/dev/null | awk 'NR == 1 {print $2}')
    tc=$(tincd --version 2>/dev/null | awk 'NR == 1 {print $3}')
    case $1 in
        ocbridge-l3) echo "ocbridge" ;;
        ocbridge-nooff-l3) echo "ocbridge, offloads off" ;;
        ocbridge-l2) echo "ocbridge segment" ;;
        ocbridge-nooff-l2) echo "ocbridge segment, offloads off" ;;
        wg-l3) echo "wireguard-go $wg" ;;
        wg-l2) echo "wireguard-go $wg + kernel vxlan + bridge" ;;
        ovpn-aes-l3) echo "OpenVPN $ov tun, AES-256-GCM" ;;
        ovpn-chacha-l3) echo "OpenVPN $ov tun, CHACHA20-POLY1305" ;;
        ovpn-aes-l2) echo "OpenVPN $ov tap bridged, AES-256-GCM" ;;
        ovpn-chacha-l2) echo "OpenVPN $ov tap bridged, CHACHA20-POLY1305" ;;
        tinc-l3) echo "tinc $tc router, aes-256-cbc + sha256" ;;
        tinc-l2) echo "tinc $tc switch bridged, aes-256-cbc + sha256" ;;
    esac
}

result() {  # MODE FIELD
    ( status= reason= tcp1= tcp4= rtt= cpu= heap=
      [ -f "$WORK/res.$1" ] && . "$WORK/res.$1"
      eval "echo \"\${$2}\"" )
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b}'; }

table() {
    local m mode base row
    echo "| peer | mode | TCP 1 stream Mbit/s | TCP 4 streams Mbit/s | RTT ms | CPU s/GB | ocbridge ÷ peer: TCP 1 / TCP 4 / RTT / CPU |"
    echo "|---|---|---|---|---|---|---|"
    for m in "${MODES[@]}"; do
        mode=L3 base=ocbridge-l3
        [ "${m%-l2}" = "$m" ] || mode=L2 base=ocbridge-l2
        if [ "$(result "$m" status)" != ok ]; then
            echo "| $(peer_label "$m") | $mode | failed: $(result "$m" reason | tr '|' '/') | | | | |"
            continue
        fi
        if [ "$m" = "$base" ]; then
            row="—"
        elif [ "$(result "$base" status)" = ok ]; then
            row="$(ratio "$(result "$base" tcp1)" "$(result "$m" tcp1)") / $(ratio "$(result "$base" tcp4)" "$(result "$m" tcp4)")"
            row="$row / $(ratio "$(result "$base" rtt)" "$(result "$m" rtt)") / $(ratio "$(result "$base" cpu)" "$(result "$m" cpu)")"
        else
            row="n/a (no ocbridge $mode figures)"
        fi
        echo "| $(peer_label "$m") | $mode | $(result "$m" tcp1) | $(result "$m" tcp4) | $(result "$m" rtt) | $(result "$m" cpu) | $row |"
    done
    echo
    if [ "$(result ocbridge-l2 status)" = ok ] && [ "$(result ocbridge-l3 status)" = ok ]; then
        local f out=()
        for f in tcp1 tcp4 rtt cpu; do
            out+=("$(awk -v a="$(result ocbridge-l2 $f)" -v b="$(result ocbridge-l3 $f)" 'BEGIN {printf "%.0f %%", 100 * a / b}')")
        done
        echo "ocbridge L2 as % of ocbridge L3: TCP 1 stream ${out[0]}, TCP 4 streams ${out[1]}, RTT ${out[2]}, CPU s/GB ${out[3]}."
        echo
    fi
    local heap_rows=()
    for m in "${MODES[@]}"; do
        [ "${m#ocbridge-}" != "$m" ] && [ "$(result "$m" status)" = ok ] && [ -n "$(result "$m" heap)" ] || continue
        heap_rows+=("$(result "$m" heap | awk -F/ -v l="$(peer_label "$m")" '$2 == "" {print l ": n/a"; next}
            {printf "%s: gw-a %s B, gw-b %s B (%.1f M and %.1f M messages)", l, $1, $2, $3 / 1e6, $4 / 1e6}')")
    done
    if [ ${#heap_rows[@]} -gt 0 ]; then
        echo "ocbridge heap allocated per transport message over the iperf3 runs (jvm_gc_memory_allocated_bytes_total ÷" \
            "ocbridge_peer_{rx,tx}_packets_total; bench/jfr-alloc.py tells where from): $(IFS=';'; echo "${heap_rows[*]}" | sed 's/;/; /g')."
        echo
    fi
    echo "iperf3 host-a -> host-b, $RUNS runs of $SECONDS_PER_RUN s each, medians; RTT: median of $RUNS ping averages" \
        "(50 × 20 ms, after a ${WARMUP_SECONDS} s warm-up transfer); CPU s/GB: utime+stime of both tunnel daemons over the" \
        "iperf3 runs ÷ GB received (softirq work of veth, bridge and kernel vxlan is not counted). Ratios above 1 mean" \
        "ocbridge is faster (TCP) or slower / costlier (RTT, CPU). $(nproc) cores, $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')."
}

parent_exit() {
    local f
    [ -z "${CHILD:-}" ] || { kill -TERM "$CHILD" 2>/dev/null || true; stop_pids "$CHILD"; }
    for f in "$WORK"/pids.*; do [ -f "$f" ] && stop_pids $(cat "$f"); done
    [ -z "${CURRENT:-}" ] || stop_pids "$CURRENT"
    stop_tracked
    topology_down
    rm -f /var/run/wireguard/wg3${TAG}[ab].sock /var/run/wireguard/wg2${TAG}[ab].sock
    rm -rf "$WORK"
}

main() {
    [ "$(id -u)" -eq 0 ] || { echo "compare: needs root" >&2; exit 1; }
    local modes
    modes=$(selected_modes) || exit 2
    MODES=($modes)
    OUT=${OUT:-$ROOT/bench/results/last.md}
    case $OUT in /*) ;; *) OUT=$CALLER_DIR/$OUT ;; esac
    bash scripts/install-deps.sh bench
    if [[ " ${MODES[*]} " == *" ocbridge-"* || " ${MODES[*]} " == *" wg-"* ]] && [ ! -f bridge-cli/target/ocbridge.jar ]; then
        echo "compare: build ocbridge first: ./mvnw -B -q package -DskipTests" >&2; exit 1
    fi
    WORK=$(mktemp -d /tmp/ocbridge-compare.XXXXXX)
    trap parent_exit EXIT
    trap 'exit 130' INT TERM
    topology_up
    ! pings "$L3_DST" > /dev/null 2>&1 && ! pings "$L2_DST" > /dev/null 2>&1 \
        || { echo "compare: host-b answers with no tunnel up: the topology leaks" >&2; exit 1; }
    make_keys
    local m limit start=$SECONDS
    limit=$((UP_TIMEOUT + WARMUP_SECONDS + 60 + RUNS * (2 * (SECONDS_PER_RUN + 20) + 20)))
    for m in "${MODES[@]}"; do
        log "$m ..."
        BENCH_MODE=$m BENCH_TAG=$TAG BENCH_WORK=$WORK RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN UP_TIMEOUT=$UP_TIMEOUT \
            timeout -k 10 $limit bash "$0" & CHILD=$!
        wait "$CHILD" || true
        CHILD=
        [ ! -f "$WORK/pids.$m" ] || stop_pids $(cat "$WORK/pids.$m")
        gateways_reset
        log "$m: $(result "$m" status) $(result "$m" reason)"
    done
    mkdir -p "$(dirname "$OUT")"
    table > "$OUT"
    echo
    cat "$OUT"
    log "table written to $OUT; $((SECONDS - start)) s"
}

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0  # sourced (bench/footprint.sh): the functions only
if [ -n "${BENCH_MODE:-}" ]; then
    WORK=$BENCH_WORK
    run_mode "$BENCH_MODE"
else
    main
fi
