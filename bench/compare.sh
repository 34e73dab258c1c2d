#!/usr/bin/env bash
# ocbridge next to wireguard-go, OpenVPN 2.6 and tinc 1.0, routed (L3) and bridged (L2), on one namespace topology
# (bench/lib.sh draws it), one tunnel after the other, in one run; prints one table and writes it to OUT.
#
#   sudo bench/compare.sh                                   every tunnel, RUNS=3 runs of SECONDS_PER_RUN=5 s
#   sudo RUNS=1 SECONDS_PER_RUN=2 ONLY=ocbridge-l3,wg-l3 bench/compare.sh
#   sudo OCB_GC=zgc FIXED_RATE=500M FLOOD_RATE=0 ONLY=ocbridge-l3 bench/compare.sh
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
# For each, host-a -> host-b, the table's columns:
#   TCP 1 stream, TCP 4 streams   iperf3, RUNS runs of SECONDS_PER_RUN s, medians, Mbit/s
#   RTT ms                        ping -c 50 -i 0.02, RUNS times after a warm-up transfer; median of the averages
#   CPU s/GB                      utime+stime of both tunnel daemons (all threads, and any child) over the iperf3 runs
#                                 above, divided by the GB iperf3 received. Kernel work done in softirq (veth, bridge,
#                                 kernel vxlan) is nobody's: it is not counted.
#   under load                    one TCP stream (iperf3, RUNS runs of SECONDS_PER_RUN s) with a ping every 10 ms
#                                 alongside (ping -i 0.01 from 0.5 s in, for SECONDS_PER_RUN - 1 s, bounded by count
#                                 and time): "<median Mbit/s>; <p50> / <p99> / <max> RTT ms" over every reply of
#                                 every run (nearest rank), ", N % lost" if requests went unanswered
#   RTT at FIXED_RATE (300M)      the same with iperf3 -b FIXED_RATE: "<p50> / <p99> / <max>", "(only N Mbit/s)" if the
#                                 stream fell below 90 % of FIXED_RATE, and the loss if any
#   handshake flood               ocbridge and wireguard-go rows only ("-" for the others; "off" with FLOOD_RATE=0):
#                                 a namespace wired to gw-b sends FLOOD_RATE (30000) handshake initiations a second
#                                 that pass MAC1 for gw-b's key, round-robin from FLOOD_SOURCES (32) addresses, at
#                                 gw-b's listen port (integration-tests' UnderlayFlood, in its own JVM on the same
#                                 cores). "<P> %; <H> s": P is one stream's throughput 2 s into the flood as % of one
#                                 stream just before it; H is the time from gw-a's restarted daemon being ready to
#                                 handshake (ocbridge: its overlay-up log line, from which it initiates unasked;
#                                 wireguard-go: device, peer, address and route set up) to the first ping reply from
#                                 host-b (ping -D, every 10 ms from the old daemon's stop on; "none" if none in 45 s).
#                                 A line under the table gives both streams' Mbit/s and the rate the flood sent.
#   ocbridge ÷ peer               ocbridge's figure over the row's (TCP 1, TCP 4, RTT, CPU)
# A tunnel proves it carried the traffic: gw-a routes host-b through the tunnel device (L3) or the device is in
# br-lan (L2), and the device's tx counter grows by at least the bytes iperf3 received. A tunnel that does not come
# up within UP_TIMEOUT (20) s, or fails a step, gets "failed: reason" in its row and the run goes on.
# OCB_DAEMON_JAVA_OPTS goes to the ocbridge daemons only (e.g. a JFR recording, filename=/tmp/ocb-%p.jfr, for
# bench/jfr-alloc.py); OCB_METRICS=off leaves the metrics: section out of their config. OCB_GC=serial|parallel|g1|zgc sets their collector (in OCBRIDGE_JAVA_OPTS, which replaces
# bin/ocbridge's default, serial; its -Xmn64m stays unless OCB_DAEMON_JAVA_OPTS sets -Xmn or NewSize; ZGC ignores it).
# For the ocbridge rows, lines under the table give, for each daemon:
#   the heap allocated per transport message over the throughput runs, from its metrics
#   (jvm_gc_memory_allocated_bytes_total, ocbridge_peer_*_packets_total);
#   "GC: x % of CPU, max pause y ms" from the start of the throughput runs to the end of the fixed-rate runs: the CPU
#   time of the collector's threads (by name; serial collects on the VM thread) as % of the daemon's, and the longest
#   safepoint in the JVM's -Xlog:gc,safepoint log (time to reach it included), with the pauses' count and share of
#   the wall time.
#
# Needs root, a built ocbridge (./mvnw -B -q package -DskipTests, which also compiles the flood generator) for the
# ocbridge and wireguard-go rows, and installs the peers (scripts/install-deps.sh bench). Creates only namespaces
# named with its PID, removes them and every process it started (by PID) on exit, failure and Ctrl-C. Not part of the
# test suite; prints figures, asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CALLER_DIR=$PWD
cd "$ROOT"
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
UP_TIMEOUT=${UP_TIMEOUT:-20}
WARMUP_SECONDS=3
FIXED_RATE=${FIXED_RATE:-300M}
FLOOD_RATE=${FLOOD_RATE:-30000}
FLOOD_SOURCES=${FLOOD_SOURCES:-32}
HANDSHAKE_TIMEOUT=25
# UnderlayFlood (integration-tests' test classes, built by the package below) and what it needs (tunnel-crypto, BC)
FLOOD_CP="integration-tests/target/test-classes:bridge-cli/target/lib/*"
ALL_MODES=(ocbridge-l3 ocbridge-nooff-l3 wg-l3 ovpn-aes-l3 ovpn-chacha-l3 tinc-l3 ocbridge-l2 ocbridge-nooff-l2 wg-l2 ovpn-aes-l2 ovpn-chacha-l2 tinc-l2)
. bench/lib.sh

# ---- tunnels: each start_* leaves DAEMONS (the two daemon PIDs), TUNDEV (gw-a's tunnel device) and DST set ----

side_vars() {  # a|b: this gateway's namespace, underlay address, host subnet number; the other side's
    if [ "$1" = a ]; then ns=$NS_GA ep=192.0.2.1 n=1 other=b other_ep=192.0.2.2 o=2
    else ns=$NS_GB ep=192.0.2.2 n=2 other=a other_ep=192.0.2.1 o=1; fi
}

start_ocbridge() {  # l3|l2 [extra JVM options for the daemons]
    local kind=$1 side net port dev segment allowed metrics
    if [ "$kind" = l3 ]; then net=10.77.0 port=51820; else net=10.77.5 port=51822; fi
    OCB_EXTRA=${2:-} LISTEN_PORT=$port
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
        ocb_launch "$kind" $side ""
        DAEMONS+=("$LAUNCHED")
    done
    if [ "$kind" = l3 ]; then TUNDEV=ocb3${TAG}a; else TUNDEV=ocs${TAG}a; fi
}

# One ocbridge daemon: OCB_GC's collector, and a JVM log of its collector's name and every safepoint (each
# stop-the-world pause, its time to reach the safepoint included) for the GC figures. Sets LAUNCHED to its PID.
ocb_launch() {  # l3|l2 a|b LOG-SUFFIX
    local kind=$1 side=$2 ns
    side_vars "$side"
    OCBRIDGE_JAVA_OPTS="$(ocb_gc_option) -Xlog:gc,safepoint:file=$WORK/$MODE-$side$3-jvm.log:uptime,tags:filecount=0 ${OCB_DAEMON_JAVA_OPTS:-} $OCB_EXTRA" \
        ip netns exec "$ns" bin/ocbridge up -c "$WORK/ocb-$kind-$side.yaml" > "$WORK/$MODE-$side$3.log" 2>&1 &
    LAUNCHED=$!
    track "$LAUNCHED"
}

ocb_gc_option() {
    case ${OCB_GC:-} in
        '') ;;  # bin/ocbridge's default (serial)
        serial) echo -XX:+UseSerialGC ;; parallel) echo -XX:+UseParallelGC ;; g1) echo -XX:+UseG1GC ;; zgc) echo -XX:+UseZGC ;;
    esac
}

start_wireguard_go() {  # l3|l2
    local kind=$1 side
    if [ "$kind" = l3 ]; then LISTEN_PORT=51821; else LISTEN_PORT=51823; fi
    for side in a b; do
        wg_launch "$kind" $side ""
        DAEMONS+=("$LAUNCHED")
    done
    if [ "$kind" = l3 ]; then TUNDEV=wg3${TAG}a; else TUNDEV=vx${TAG}a; fi
}

# One wireguard-go, configured with wg and ip: device, peer, address, route (L3) or vxlan in br-lan (L2). Sets LAUNCHED.
wg_launch() {  # l3|l2 a|b LOG-SUFFIX
    local kind=$1 side=$2 net port dev mtu allowed ns
    if [ "$kind" = l3 ]; then net=10.77.1 port=51821 mtu=1420; else net=10.77.6 port=51823 mtu=1600; fi
    side_vars "$side"
    dev=wg${kind#l}${TAG}$side allowed=$net.$o/32
    [ "$kind" = l2 ] || allowed="$allowed,172.16.$o.0/24"
    WG_PROCESS_FOREGROUND=1 ip netns exec "$ns" wireguard-go -f "$dev" > "$WORK/$MODE-$side$3.log" 2>&1 &
    LAUNCHED=$!
    track "$LAUNCHED"
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
    local ocb= gc_a0 gc_b0 gc_a1 gc_b1 loaded fixed flood=
    [ "${MODE#ocbridge-}" = "$MODE" ] || ocb=1
    tx0=$(tx_bytes "$NS_GA" "$TUNDEV")
    if [ -n "$ocb" ]; then
        heap_a0=$(ocb_heap_counters "$NS_GA") heap_b0=$(ocb_heap_counters "$NS_GB")
        gc_a0=$(ocb_gc_mark a) gc_b0=$(ocb_gc_mark b)
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
    ping_under_stream loaded; loaded=$STREAM_RESULT
    ping_under_stream fixed -b "$FIXED_RATE"; fixed=$STREAM_RESULT
    [ -z "$ocb" ] || gc_a1=$(ocb_gc_mark a) gc_b1=$(ocb_gc_mark b)
    if floods "$MODE"; then flood_measure; flood=$FLOOD_RESULT; fi
    {
        echo "status=ok"
        echo "tcp1=$(printf '%s\n' "${one[@]}" | median | awk '{printf "%.0f", $1 / 1e6}')"
        echo "tcp4=$(printf '%s\n' "${four[@]}" | median | awk '{printf "%.0f", $1 / 1e6}')"
        echo "rtt=$(printf '%s\n' "${rtts[@]}" | median)"
        echo "cpu=$(awk -v t=$ticks -v hz="$CLK_TCK" -v b=$total 'BEGIN {printf "%.2f", (t / hz) / (b / 1e9)}')"
        printf 'loaded=%q\nfixed=%q\nflood=%q\n' "$loaded" "$fixed" "$flood"
        if [ -n "$heap_a0" ]; then  # heap bytes per transport message, each gateway
            echo "heap=$(awk -v a0="$heap_a0" -v a1="$heap_a1" -v b0="$heap_b0" -v b1="$heap_b1" 'BEGIN {
                split(a0, x); split(a1, y); split(b0, u); split(b1, v)
                if (y[2] <= x[2] || v[2] <= u[2]) { print "n/a"; exit }
                printf "%.0f/%.0f/%.0f/%.0f", (y[1] - x[1]) / (y[2] - x[2]), (v[1] - u[1]) / (v[2] - u[2]), y[2] - x[2], v[2] - u[2] }')"
            printf 'gc=%q\n' "$(ocb_gc_figures a "$gc_a0" "$gc_a1"); $(ocb_gc_figures b "$gc_b0" "$gc_b1")"
        fi
    } > "$RESULT"
}

# RUNS runs of one TCP stream host-a -> host-b (iperf3 options: e.g. -b 300M) with a ping every 10 ms alongside,
# from 0.5 s after the stream starts, for SECONDS_PER_RUN - 1 s. Sets STREAM_RESULT to
# "<median Mbit/s> <p50> <p99> <max RTT ms> <% lost>", the percentiles over every reply of every run.
ping_under_stream() {  # NAME [iperf3 options...]
    local name=$1 i json bps bytes pid rates=() out rtt sent=0 got=0 s g
    local ping_seconds=$((SECONDS_PER_RUN > 1 ? SECONDS_PER_RUN - 1 : 1))
    shift
    out=$WORK/$MODE-$name.ping
    : > "$out"
    for i in $(seq 1 "$RUNS"); do
        json=$WORK/$MODE-$name-$i.json
        ip netns exec "$NS_HA" timeout -k 5 $((SECONDS_PER_RUN + 20)) \
            iperf3 -c "$DST" -t "$SECONDS_PER_RUN" -J "$@" > "$json" 2>&1 &
        pid=$!
        track $pid
        sleep 0.5
        # Bounded by timeout (SIGINT: ping prints its summary) rather than ping's -w, with which any ICMP error ends
        # it; its status when a request went unanswered or the time ran out is a figure here, not a failure.
        bounded $((ping_seconds + 10)) ip netns exec "$NS_HA" timeout -s INT $ping_seconds \
            ping -n -i 0.01 -c $((ping_seconds * 100)) "$DST" >> "$out" || true
        wait $pid || fail "iperf3 $* run $i (with ping) failed"
        read -r bps bytes < <(iperf_received < "$json")
        rates+=("$bps")
    done
    rtt=$(ping_rtts < "$out" | percentiles)
    while read -r s g; do sent=$((sent + s)) got=$((got + g)); done < <(ping_counts < "$out")
    STREAM_RESULT="$(printf '%s\n' "${rates[@]}" | median | awk '{printf "%.0f", $1 / 1e6}') ${rtt:-- - -}"
    STREAM_RESULT="$STREAM_RESULT $(awk -v s=$sent -v g=$got 'BEGIN {printf "%.1f", s ? 100 * (s - g) / s : 100}')"
}

# One TCP stream for SECONDS_PER_RUN s: its Mbit/s.
one_stream() {  # NAME
    local json=$WORK/$MODE-$1.json bps bytes
    bounded $((SECONDS_PER_RUN + 20)) ip netns exec "$NS_HA" iperf3 -c "$DST" -t "$SECONDS_PER_RUN" -J > "$json" \
        || fail "iperf3 $1 failed"
    read -r bps bytes < <(iperf_received < "$json")
    awk -v b="$bps" 'BEGIN {printf "%.0f", b / 1e6}'
}

floods() { [ "$FLOOD_RATE" -gt 0 ] && [[ $1 == ocbridge-* || $1 == wg-* ]]; }

# The handshake flood at gw-b's listen port (UnderlayFlood: FLOOD_RATE valid-MAC1 initiations a second for gw-b's
# key, from FLOOD_SOURCES addresses): one TCP stream without, one 2 s into the flood; then gw-a's daemon is restarted
# during the flood and the time from its being ready to handshake to the first ping reply through gw-b (a ping every
# 10 ms) is taken.
# Sets FLOOD_RESULT to "<no-flood Mbit/s> <flood Mbit/s> <handshake ms, or - if none> <datagrams/s the flood sent>".
flood_measure() {
    local base under pid seconds hs=- reply offered
    base=$(one_stream flood-off)
    seconds=$((2 + SECONDS_PER_RUN + 20 + 2 * UP_TIMEOUT + HANDSHAKE_TIMEOUT + 20))  # upper bound; stopped when done
    ip netns exec "$NS_X" "$FLOOD_JAVA" -XX:+UseSerialGC -Xmx128m -cp "$FLOOD_CP" io.ocbridge.it.UnderlayFlood \
        handshake "$ATTACK_TARGET" "$LISTEN_PORT" "$ATTACK_FIRST_SOURCE" "$FLOOD_SOURCES" $seconds \
        $((seconds * FLOOD_RATE)) "$FLOOD_RATE" "$(cat "$WORK/b.pub")" > "$WORK/$MODE-flood.log" 2>&1 &
    pid=$!
    track $pid
    sleep 2
    kill -0 $pid 2>/dev/null || fail "the flood generator exited: $(tail -n 1 "$WORK/$MODE-flood.log" | cut -c1-120)"
    under=$(one_stream flood-on)
    restart_sender
    # ping's -D time of its first reply, against READY_NS; no reply by ping's deadline is a figure, not a failure
    while ! grep -q ' time=' "$WORK/$MODE-handshake.ping" && kill -0 "$HANDSHAKE_PING" 2>/dev/null; do sleep 0.05; done
    kill -TERM "$HANDSHAKE_PING" 2>/dev/null || true
    wait "$HANDSHAKE_PING" || true
    reply=$(awk -F'[][]' '/ time=/ {print $2; exit}' "$WORK/$MODE-handshake.ping")
    [ -z "$reply" ] || hs=$(awk -v r="$reply" -v t="$READY_NS" 'BEGIN {printf "%.0f", (r * 1e9 - t) / 1e6}')
    kill -TERM $pid 2>/dev/null || true
    wait $pid || true
    offered=$(awk '/^SENT/ {split($2, d, "="); split($3, t, "="); if (t[2] > 0) printf "%.0f", d[2] / (t[2] / 1e9)}' \
        "$WORK/$MODE-flood.log")
    FLOOD_RESULT="$base $under $hs ${offered:--}"
}

# Stops gw-a's tunnel daemon, starts pinging host-b every 10 ms (HANDSHAKE_PING, in the background, for at most
# UP_TIMEOUT + HANDSHAKE_TIMEOUT s; ping -D stamps each reply), and starts the daemon again. READY_NS: when the new
# daemon could first handshake: ocbridge's overlay-up log line (it sends its first initiation from there on, unasked),
# wireguard-go's device, peer, address and route set up (it initiates when the first ping reaches it).
restart_sender() {
    local deadline=$((SECONDS + UP_TIMEOUT)) up
    stop_pids "${DAEMONS[0]}"
    # bounded by a count and by timeout, not by ping's -w: with a deadline, ping gives up on the first "net
    # unreachable" from gw-a, whose route to host-b went with the old daemon's device
    ip netns exec "$NS_HA" timeout -k 5 $((UP_TIMEOUT + HANDSHAKE_TIMEOUT)) ping -n -D -i 0.01 \
        -c $(((UP_TIMEOUT + HANDSHAKE_TIMEOUT) * 100)) "$DST" > "$WORK/$MODE-handshake.ping" 2>&1 &
    HANDSHAKE_PING=$!
    track $HANDSHAKE_PING
    case $MODE in
        ocbridge-*)
            ocb_launch "${MODE##*-}" a -restart
            DAEMONS[0]=$LAUNCHED
            until up=$(awk '/ overlay-up / {print $1; exit}' "$WORK/$MODE-a-restart.log" 2>/dev/null) && [ -n "$up" ]; do
                [ $SECONDS -lt $deadline ] && kill -0 "$LAUNCHED" 2>/dev/null \
                    || fail "restarted gw-a daemon not up in ${UP_TIMEOUT} s: $(tail -n 1 "$WORK/$MODE-a-restart.log" | cut -c1-120)"
                sleep 0.05
            done
            READY_NS=$(date -d "$up" +%s%N)
            ;;
        wg-*)
            rm -f "/var/run/wireguard/wg${MODE#wg-l}${TAG}a.sock"
            ip -n "$NS_GA" link del "vx${TAG}a" 2>/dev/null || true
            wg_launch "${MODE#wg-}" a -restart
            DAEMONS[0]=$LAUNCHED
            READY_NS=$(date +%s%N)
            ;;
    esac
}

# gw-a|gw-b's ocbridge daemon now: "<ns since epoch> <GC threads' CPU ticks> <process CPU ticks> <JVM log lines>"
ocb_gc_mark() {  # a|b
    local pid
    if [ "$1" = a ]; then pid=${DAEMONS[0]}; else pid=${DAEMONS[1]}; fi
    echo "$(date +%s%N) $(jvm_gc_ticks "$pid") $(wc -l < "$WORK/$MODE-$1-jvm.log")"
}

# Between two marks: "gw-a|gw-b <collector> <GC threads' % of the daemon's CPU> <pauses' % of wall time> <longest
# pause ms> <pauses>", every safepoint in the JVM log counted as a pause (under load they are the collector's).
ocb_gc_figures() {  # a|b MARK0 MARK1
    awk -v m0="$2" -v m1="$3" -v side="gw-$1" '
        BEGIN { split(m0, a); split(m1, b) }
        / Using / && gc == "" { gc = $0; sub(/.* Using /, "", gc); sub(/^The Z Garbage Collector$/, "ZGC", gc); gsub(/ /, "-", gc) }
        FNR > a[4] && FNR <= b[4] && /Safepoint "/ { t = $0; sub(/.*Total: /, "", t); t += 0; n++; sum += t; if (t > max) max = t }
        END { cpu = b[3] - a[3]
              # (parenthesised: a bare ">" in printf arguments is a redirection)
              printf "%s %s %.1f %.2f %.1f %d", side, (gc == "" ? "?" : gc), (cpu > 0 ? 100 * (b[2] - a[2]) / cpu : 0),
                  100 * sum / (b[1] - a[1]), max / 1e6, n }' "$WORK/$MODE-$1-jvm.log"
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
    ( status= reason= tcp1= tcp4= rtt= cpu= heap= loaded= fixed= flood= gc=
      [ -f "$WORK/res.$1" ] && . "$WORK/res.$1"
      eval "echo \"\${$2}\"" )
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b}'; }

fixed_mbits() { awk -v r="$FIXED_RATE" 'BEGIN {u = substr(r, length(r)); n = r + 0
    printf "%g", u == "K" ? n / 1e3 : u == "M" ? n : u == "G" ? n * 1e3 : n / 1e6}'; }

loaded_cell() {  # MODE: "Mbit/s; p50 / p99 / max", and the loss if any
    result "$1" loaded | awk '{printf "%s; %s / %s / %s", $1, $2, $3, $4; if ($5 > 0) printf ", %s %% lost", $5}'
}

fixed_cell() {  # MODE: "p50 / p99 / max", and the rate if the stream fell short of FIXED_RATE, and the loss if any
    result "$1" fixed | awk -v want="$(fixed_mbits)" '{printf "%s / %s / %s", $2, $3, $4
        if ($1 < 0.9 * want) printf " (only %s Mbit/s)", $1
        if ($5 > 0) printf ", %s %% lost", $5}'
}

flood_cell() {  # MODE: "% of no-flood; handshake s"
    floods "$1" || { [ "$FLOOD_RATE" -gt 0 ] && echo "-" || echo "off"; return; }
    result "$1" flood | awk '{printf "%.0f %%; ", ($1 > 0 ? 100 * $2 / $1 : 0)
        if ($3 == "-") printf "none"; else printf "%.2f s", $3 / 1000}'
}

table() {
    local m mode base row
    echo "| peer | mode | TCP 1 stream Mbit/s | TCP 4 streams Mbit/s | RTT ms | CPU s/GB" \
        "| under load: TCP 1 stream Mbit/s; RTT p50 / p99 / max ms | RTT at $FIXED_RATE: p50 / p99 / max ms" \
        "| handshake flood: TCP 1 stream % of no-flood; handshake s | ocbridge ÷ peer: TCP 1 / TCP 4 / RTT / CPU |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for m in "${MODES[@]}"; do
        mode=L3 base=ocbridge-l3
        [ "${m%-l2}" = "$m" ] || mode=L2 base=ocbridge-l2
        if [ "$(result "$m" status)" != ok ]; then
            echo "| $(peer_label "$m") | $mode | failed: $(result "$m" reason | tr '|' '/') | | | | | | | |"
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
        echo "| $(peer_label "$m") | $mode | $(result "$m" tcp1) | $(result "$m" tcp4) | $(result "$m" rtt) | $(result "$m" cpu)" \
            "| $(loaded_cell "$m") | $(fixed_cell "$m") | $(flood_cell "$m") | $row |"
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
    local heap_rows=() gc_rows=() flood_rows=()
    for m in "${MODES[@]}"; do
        [ "$(result "$m" status)" = ok ] || continue
        if floods "$m"; then
            flood_rows+=("$(result "$m" flood | awk -v l="$(peer_label "$m")" '{printf "%s: %s Mbit/s without, %s with, %s/s sent", l, $1, $2, $4}')")
        fi
        [ "${m#ocbridge-}" != "$m" ] && [ -n "$(result "$m" heap)" ] || continue
        heap_rows+=("$(result "$m" heap | awk -F/ -v l="$(peer_label "$m")" '$2 == "" {print l ": n/a"; next}
            {printf "%s: gw-a %s B, gw-b %s B (%.1f M and %.1f M messages)", l, $1, $2, $3 / 1e6, $4 / 1e6}')")
        gc_rows+=("$(result "$m" gc | tr ';' '\n' | awk -v l="$(peer_label "$m")" '{
            printf "%s%s GC: %s %% of CPU, max pause %s ms (%s pauses, %s %% of the time)",
                NR == 1 ? l " (" $2 "): " : ", ", $1, $3, $5, $6, $4}')")
    done
    if [ ${#heap_rows[@]} -gt 0 ]; then
        echo "ocbridge heap allocated per transport message over the iperf3 runs (jvm_gc_memory_allocated_bytes_total ÷" \
            "ocbridge_peer_{rx,tx}_packets_total; bench/jfr-alloc.py tells where from): $(IFS=';'; echo "${heap_rows[*]}" | sed 's/;/; /g')."
        echo
        echo "ocbridge garbage collection from the start of the throughput runs to the end of the fixed-rate runs" \
            "(OCB_GC=${OCB_GC:-unset}; % of CPU: the collector's threads' CPU time ÷ the daemon's;" \
            "pauses: every safepoint in the JVM's log, time to reach it included): $(IFS=';'; echo "${gc_rows[*]}" | sed 's/;/; /g')."
        echo
    fi
    if [ ${#flood_rows[@]} -gt 0 ]; then
        echo "Handshake flood at gw-b's listen port: UnderlayFlood, $FLOOD_RATE valid-MAC1 initiations/s asked from" \
            "$FLOOD_SOURCES source addresses, run on the same cores as the tunnel; one TCP stream without and one 2 s" \
            "into the flood, then gw-a's tunnel daemon is restarted during the flood and the handshake time is from its" \
            "being ready to handshake (ocbridge: its overlay-up log line; wireguard-go: device and peer set up) to the" \
            "first ping reply, pinging every 10 ms: $(IFS=';'; echo "${flood_rows[*]}" | sed 's/;/; /g')."
        echo
    fi
    echo "iperf3 host-a -> host-b, $RUNS runs of $SECONDS_PER_RUN s each, medians; RTT: median of $RUNS ping averages" \
        "(50 × 20 ms, after a ${WARMUP_SECONDS} s warm-up transfer); CPU s/GB: utime+stime of both tunnel daemons over the" \
        "iperf3 runs ÷ GB received (softirq work of veth, bridge and kernel vxlan is not counted). Under load and at" \
        "$FIXED_RATE: one TCP stream (unlimited, or iperf3 -b $FIXED_RATE) with a ping every 10 ms alongside for" \
        "$((SECONDS_PER_RUN > 1 ? SECONDS_PER_RUN - 1 : 1)) s of each of its $RUNS runs; percentiles over every reply," \
        "lost requests named. Ratios above 1 mean ocbridge is faster (TCP) or slower / costlier (RTT, CPU)." \
        "$(nproc) cores, $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')."
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

check_knobs() {
    [[ $FIXED_RATE =~ ^[1-9][0-9]*[KMG]?$ ]] || { echo "compare: FIXED_RATE=$FIXED_RATE: want a rate like 300M" >&2; exit 2; }
    [[ $FLOOD_RATE =~ ^[0-9]+$ ]] || { echo "compare: FLOOD_RATE=$FLOOD_RATE: want datagrams a second, 0 for none" >&2; exit 2; }
    [[ $FLOOD_SOURCES =~ ^[1-9][0-9]*$ ]] && [ "$FLOOD_SOURCES" -le 65000 ] \
        || { echo "compare: FLOOD_SOURCES=$FLOOD_SOURCES: want 1..65000" >&2; exit 2; }
    case ${OCB_GC:-} in
        '' | serial | parallel | g1 | zgc) ;;
        *) echo "compare: OCB_GC=$OCB_GC: want serial, parallel, g1 or zgc" >&2; exit 2 ;;
    esac
    if [ -n "${OCB_GC:-}" ] && [[ " ${OCB_DAEMON_JAVA_OPTS:-} " == *" -XX:+Use"*"GC"* ]]; then
        echo "compare: OCB_GC and a collector in OCB_DAEMON_JAVA_OPTS: choose one" >&2; exit 2
    fi
}

main() {
    [ "$(id -u)" -eq 0 ] || { echo "compare: needs root" >&2; exit 1; }
    local modes m flooding=
    check_knobs
    modes=$(selected_modes) || exit 2
    MODES=($modes)
    for m in "${MODES[@]}"; do ! floods "$m" || flooding=1; done
    OUT=${OUT:-$ROOT/bench/results/last.md}
    case $OUT in /*) ;; *) OUT=$CALLER_DIR/$OUT ;; esac
    bash scripts/install-deps.sh bench
    if [[ " ${MODES[*]} " == *" ocbridge-"* || " ${MODES[*]} " == *" wg-"* ]] && [ ! -f bridge-cli/target/ocbridge.jar ]; then
        echo "compare: build ocbridge first: ./mvnw -B -q package -DskipTests" >&2; exit 1
    fi
    FLOOD_JAVA=
    if [ -n "$flooding" ]; then
        [ -f integration-tests/target/test-classes/io/ocbridge/it/UnderlayFlood.class ] || {
            echo "compare: the handshake flood needs integration-tests' UnderlayFlood: ./mvnw -B -q package -DskipTests" \
                "(or FLOOD_RATE=0)" >&2; exit 1; }
        . .mvn/jdk.sh
        ocb_find_jdk || exit 1
        FLOOD_JAVA=$JAVA_HOME/bin/java
    fi
    WORK=$(mktemp -d /tmp/ocbridge-compare.XXXXXX)
    trap parent_exit EXIT
    trap 'exit 130' INT TERM
    topology_up
    [ -z "$flooding" ] || attacker_up "$FLOOD_SOURCES"
    ! pings "$L3_DST" > /dev/null 2>&1 && ! pings "$L2_DST" > /dev/null 2>&1 \
        || { echo "compare: host-b answers with no tunnel up: the topology leaks" >&2; exit 1; }
    make_keys
    local limit start=$SECONDS
    # start, warm-up, throughput runs and idle pings, the two runs with ping, the flood (two streams, restart, handshake)
    limit=$((UP_TIMEOUT + WARMUP_SECONDS + 60 + RUNS * (2 * (SECONDS_PER_RUN + 20) + 20) + RUNS * 2 * (SECONDS_PER_RUN + 35)))
    [ -z "$flooding" ] || limit=$((limit + 2 * (SECONDS_PER_RUN + 20) + 2 + 10 + 2 * UP_TIMEOUT + HANDSHAKE_TIMEOUT + 20))
    for m in "${MODES[@]}"; do
        log "$m ..."
        BENCH_MODE=$m BENCH_TAG=$TAG BENCH_WORK=$WORK RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN UP_TIMEOUT=$UP_TIMEOUT \
            FIXED_RATE=$FIXED_RATE FLOOD_RATE=$FLOOD_RATE FLOOD_SOURCES=$FLOOD_SOURCES FLOOD_JAVA=$FLOOD_JAVA \
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
