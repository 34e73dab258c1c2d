#!/usr/bin/env bash
# The ocbridge daemon's memory footprint, one row per JVM setting: what each flag buys in resident memory and what it
# costs in throughput and GC. bench/compare.sh's routed pair (ocbridge-l3, its topology and its daemon start), one
# setting after the other, both daemons run with that row's options on top of bin/ocbridge's defaults.
#
#   sudo bench/footprint.sh                                  the rows below (ROWS)
#   sudo bench/footprint.sh 'young 16m|-Xmn16m' 'one arena, C1 only|MALLOC_ARENA_MAX=1|-XX:TieredStopAtLevel=1'
#        a row is LABEL|OPTIONS or LABEL|VAR=VALUE ...|OPTIONS: JVM options (OCBRIDGE_JAVA_OPTS, after the launcher's
#        own, so they win) and environment variables for the daemons (e.g. MALLOC_ARENA_MAX=16, glibc's default here)
#   OCB_METRICS=off          the daemons' config has no metrics: section (compare.sh's has one)
#   IDLE_SECONDS=10 LOAD_SECONDS=10 STREAMS=4   the idle wait after the first ping, the iperf3 run and its streams
#
# Each row: idle, IDLE_SECONDS after host-a first pings host-b through the tunnel: RSS (VmRSS) and PSS
# (/proc/PID/smaps_rollup: file-backed pages shared with other processes, libjvm.so, the JDK's CDS archive, the .deb's
# AOT cache, are split among their users) of gw-a's and gw-b's daemon, its thread count and loaded classes (jstat).
# Then under an iperf3 run host-a -> host-b (after a WARMUP_SECONDS one, as compare.sh's): the largest RSS and PSS,
# sampled every 0.5 s, the throughput, and the GC pauses that run saw (-Xlog:gc, added to every row): count per GB
# received, median and longest (on a busy host a pause includes the time the collector waited for a core); and the CPU
# time of the JVM's "VM Thread", where the serial collector runs (with a little other VM work), as a share of the
# daemon's (utime+stime of each over the run). Then, IDLE_SECONDS after the run, the RSS the load left ("after").
# Figures are gw-a / gw-b (gw-a encrypts the data, gw-b decrypts it).
# KEEP_LOGS=DIR keeps each row's GC and daemon logs there, each daemon's smaps and heap summary idle and after the
# load, and its class histogram after the load (a full GC, once the row's figures are taken); with NMT=1 as well (and
# -XX:NativeMemoryTracking=summary in the row) the JVM's native-memory summary too.
# Needs root and a built ocbridge; creates only namespaces named with its PID, and removes them and every process it
# started (by PID) on exit, failure and Ctrl-C. Prints figures, asserts nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/compare.sh"   # cds to the repository; its functions and bench/lib.sh's
IDLE_SECONDS=${IDLE_SECONDS:-10}
LOAD_SECONDS=${LOAD_SECONDS:-10}
STREAMS=${STREAMS:-4}

ROWS=(
    "bin/ocbridge's defaults|"
    "the defaults before: no trim, glibc's arenas|MALLOC_ARENA_MAX=$((8 * $(nproc)))|-XX:TrimNativeHeapInterval=0"
    "-Xmn32m|-Xmn32m"
    "-Xmn24m|-Xmn24m"
    "-Xmn16m|-Xmn16m"
    "no native heap trim|-XX:TrimNativeHeapInterval=0"
    "trim every 1 s|-XX:TrimNativeHeapInterval=1000"
    "glibc's arenas (8 a core)|MALLOC_ARENA_MAX=$((8 * $(nproc)))|"
    "-XX:ReservedCodeCacheSize=24m|-XX:ReservedCodeCacheSize=24m"
    "-Xss256k|-Xss256k"
    "Netty: 1 arena each, 1 MiB chunks|-Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1 -Dio.netty.allocator.maxOrder=7"
    "-Xmx48m|-Xmx48m"
    "-XX:MaxMetaspaceSize=48m -XX:CompressedClassSpaceSize=16m|-XX:MaxMetaspaceSize=48m -XX:CompressedClassSpaceSize=16m"
    "no metrics: section|OCB_METRICS=off|"
    "C1 only (-XX:TieredStopAtLevel=1)|-XX:TieredStopAtLevel=1"
    "floor: C1 only, -Xmn8m, code cache 24m, -Xss256k, no metrics|OCB_METRICS=off|-XX:TieredStopAtLevel=1 -Xmn8m -XX:ReservedCodeCacheSize=24m -Xss256k"
)
[ $# -eq 0 ] || ROWS=("$@")

kib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }  # KiB -> MiB, rounded

status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }  # PID FIELD
pss_kib() { awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup"; }

classes_loaded() {  # PID: classes loaded so far, or "-" (-XX:-UsePerfData)
    "$JSTAT" -class "$1" 2>/dev/null | awk 'NR == 2 {print $1}' | grep . || echo -
}

gc_pauses() {  # LOG FROM_LINE: "COUNT SUM_MS MEDIAN_MS MAX_MS" of the pauses logged after line FROM_LINE
    awk -v from="$2" 'NR > from && / Pause / {ms = $NF; sub(/ms$/, "", ms); print ms}' "$1" | sort -g | awk '
        {p[NR] = $1; s += $1} END {printf "%d %.1f %.2f %.2f\n", NR, s, NR ? p[int((NR + 1) / 2)] : 0, NR ? p[NR] : 0}'
}

nmt_dump() {  # PID NAME: with KEEP_LOGS, its mappings (smaps) and heap to KEEP_LOGS/NAME-PID.*; with NMT=1 too, the
              # JVM's own account of its native memory
    [ -n "${KEEP_LOGS:-}" ] || return 0
    cp "/proc/$1/smaps" "$KEEP_LOGS/$2-$1.smaps" 2>/dev/null || true
    "$JAVA_HOME/bin/jcmd" "$1" GC.heap_info > "$KEEP_LOGS/$2-$1.heap" 2>&1 || true
    [ -z "${NMT:-}" ] || "$JAVA_HOME/bin/jcmd" "$1" VM.native_memory summary > "$KEEP_LOGS/$2-$1.nmt" 2>&1 || true
    [ "$2" = idle ] || "$JAVA_HOME/bin/jcmd" "$1" GC.class_histogram > "$KEEP_LOGS/$2-$1.histo" 2>&1 || true
}

both() { echo "$1 / $2"; }

vm_thread_ticks() {  # PID: utime+stime of its "VM Thread", where the serial collector does its work
    local task stat
    for task in /proc/"$1"/task/*; do
        [ "$(cat "$task/comm" 2>/dev/null)" = "VM Thread" ] || continue
        stat=$(cat "$task/stat"); stat=${stat##*) }
        set -- $stat
        echo $(( ${12} + ${13} )); return
    done
    echo 0
}

sample_max() {  # PID INDEX: raises max_rss[INDEX] and max_pss[INDEX] (KiB) to PID's current figures
    local rss pss
    rss=$(status_kib "$1" VmRSS) pss=$(pss_kib "$1")
    [ "$rss" -le "${max_rss[$2]}" ] || max_rss[$2]=$rss
    [ "$pss" -le "${max_pss[$2]}" ] || max_pss[$2]=$pss
}

run_row() {  # LABEL ENV OPTS: one table row on stdout
    local label=$1 env=$2 opts=$3 a b i pid
    DAEMONS=() PID_FILE=$WORK/pids.row MODE=row
    : > "$PID_FILE"
    rm -f "$WORK"/gc-*.log
    # the daemons are started in a subshell that exports the row's variables; their PIDs come back through PID_FILE
    ( [ -z "$env" ] || export $env
      start_ocbridge l3 "$opts -Xlog:gc:file=$WORK/gc-%p.log" )
    mapfile -t DAEMONS < "$PID_FILE"
    a=${DAEMONS[0]} b=${DAEMONS[1]}
    if ! wait_until "$UP_TIMEOUT" pings "$L3_DST"; then
        echo "| $label | failed: no ping through the tunnel in $UP_TIMEOUT s; $(tail -n 1 "$WORK/row-a.log" | cut -c1-100 | tr '|' /) |"
        [ -z "${KEEP_LOGS:-}" ] || cp "$WORK"/row-*.log "$KEEP_LOGS/" 2>/dev/null || true
        stop_pids "${DAEMONS[@]}"; gateways_reset; return
    fi
    sleep "$IDLE_SECONDS"
    local idle_rss=() idle_pss=() threads=() classes=() gc_from=() max_rss=(0 0) max_pss=(0 0)
    for pid in "$a" "$b"; do
        idle_rss+=("$(kib "$(status_kib "$pid" VmRSS)")") idle_pss+=("$(kib "$(pss_kib "$pid")")")
        threads+=("$(status_kib "$pid" Threads)")
    done
    for pid in "$a" "$b"; do  # after the figures above: jstat and jcmd make the JVM start an attach thread
        classes+=("$(classes_loaded "$pid")")
        nmt_dump "$pid" idle
        gc_from+=("$(wc -l < "$WORK/gc-$pid.log")")
    done
    bounded $((WARMUP_SECONDS + 20)) ip netns exec "$NS_HA" iperf3 -c "$L3_DST" -t "$WARMUP_SECONDS" > /dev/null || true
    sample_max "$a" 0; sample_max "$b" 1
    local c0 c1 json=$WORK/iperf.json client
    c0=$(cpu_ticks "$a") c0b=$(cpu_ticks "$b") v0=$(vm_thread_ticks "$a") v0b=$(vm_thread_ticks "$b")
    timeout -k 5 $((LOAD_SECONDS + 20)) ip netns exec "$NS_HA" \
        iperf3 -c "$L3_DST" -P "$STREAMS" -t "$LOAD_SECONDS" -J > "$json" 2>&1 & client=$!
    for i in $(seq 1 $((LOAD_SECONDS * 2 + 40))); do  # bounded: the client's own limit ends it first
        kill -0 "$client" 2>/dev/null || break
        sample_max "$a" 0; sample_max "$b" 1
        sleep 0.5
    done
    local rc=0; wait "$client" || rc=$?
    c1=$(cpu_ticks "$a") c1b=$(cpu_ticks "$b") v1=$(vm_thread_ticks "$a") v1b=$(vm_thread_ticks "$b")
    local after_rss=()
    sleep "$IDLE_SECONDS"  # idle again: what the load left resident
    for pid in "$a" "$b"; do after_rss+=("$(kib "$(status_kib "$pid" VmRSS)")"); done
    nmt_dump "$a" load; nmt_dump "$b" load
    local mbit gb=0 gc_a gc_b bps bytes
    if [ $rc -ne 0 ]; then
        mbit="failed ($(tail -c 200 "$json" | tr '\n|' ' /'))"
    else
        read -r bps bytes < <(iperf_received < "$json")
        mbit=$(awk -v b="$bps" 'BEGIN {printf "%.0f", b / 1e6}') gb=$(awk -v b="$bytes" 'BEGIN {print b / 1e9}')
    fi
    gc_a=$(gc_pauses "$WORK/gc-$a.log" "${gc_from[0]}") gc_b=$(gc_pauses "$WORK/gc-$b.log" "${gc_from[1]}")
    local gc_cols
    gc_cols=$(awk -v a="$gc_a" -v b="$gc_b" -v gb="$gb" -v ca=$((c1 - c0)) -v cb=$((c1b - c0b)) \
        -v va=$((v1 - v0)) -v vb=$((v1b - v0b)) 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        printf "%s / %s | %.1f / %.1f | %s / %s | %s / %s",
            gb ? sprintf("%.0f", x[1] / gb) : "n/a", gb ? sprintf("%.0f", y[1] / gb) : "n/a",
            ca ? 100 * va / ca : 0, cb ? 100 * vb / cb : 0, x[3], y[3], x[4], y[4] }')
    echo "| $label | $(both "${idle_rss[@]}") | $(both "${idle_pss[@]}") | $(both "$(kib "${max_rss[0]}")" "$(kib "${max_rss[1]}")") |" \
        "$(both "$(kib "${max_pss[0]}")" "$(kib "${max_pss[1]}")") | $(both "${after_rss[@]}") | $(both "${threads[@]}") |" \
        "$(both "${classes[@]}") |" \
        "$mbit | $gc_cols |"
    stop_pids "${DAEMONS[@]}"
    [ -z "${KEEP_LOGS:-}" ] || cp "$WORK"/gc-*.log "$WORK"/row-*.log "$json" "$KEEP_LOGS/" 2>/dev/null || true
    gateways_reset
}

footprint_exit() {
    [ ! -f "${PID_FILE:-}" ] || stop_pids $(cat "$PID_FILE")
    stop_tracked
    topology_down
    rm -rf "$WORK"
}

footprint_main() {
    [ "$(id -u)" -eq 0 ] || { echo "footprint: needs root" >&2; exit 1; }
    [ -f bridge-cli/target/ocbridge.jar ] || { echo "footprint: build ocbridge first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
    . .mvn/jdk.sh; ocb_find_jdk; JSTAT=$JAVA_HOME/bin/jstat
    bash scripts/install-deps.sh bench
    WORK=$(mktemp -d /tmp/ocbridge-footprint.XXXXXX)
    trap footprint_exit EXIT
    trap 'exit 130' INT TERM
    topology_up
    MODES=(ocbridge-l3); make_keys
    ip netns exec "$NS_HB" iperf3 -s -B "$L3_DST" > "$WORK/iperf-server.log" 2>&1 &
    track $!
    local row label env opts
    echo "| setting | idle RSS MiB | idle PSS MiB | load RSS max MiB | load PSS max MiB | RSS after MiB | threads | classes |" \
        "load Mbit/s | GCs per GB | GC % of daemon CPU | median pause ms | longest pause ms |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for row in "${ROWS[@]}"; do
        label=${row%%|*} opts=${row#*|} env=
        if [ "${opts#*|}" != "$opts" ]; then env=${opts%%|*} opts=${opts#*|}; fi
        log "$label ..."
        run_row "$label" "$env" "$opts"
    done
    echo
    echo "gw-a / gw-b; idle: ${IDLE_SECONDS} s after the first ping through the tunnel; load: iperf3 -P $STREAMS" \
        "-t $LOAD_SECONDS host-a -> host-b after a ${WARMUP_SECONDS} s one; after: ${IDLE_SECONDS} s after it; metrics" \
        "${OCB_METRICS:-on} unless the row says. $(nproc) cores, $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')."
}

footprint_main
