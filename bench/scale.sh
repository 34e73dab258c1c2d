#!/usr/bin/env bash
# Issue #5 scale figures: start-up time and heap per idle peer for one overlay of N peers, the config
# loader on an N-peer YAML, and sustained handshakes/s on one core (benchmarks/ScaleBench.java).
# Usage: bench/scale.sh [peers=10000] [handshake-seconds=10] [initiators=1000]. Serial GC and a
# fixed heap keep the heap deltas steady. Builds first unless OCB_SKIP_BUILD=1. Not part of any test run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/benchmarks.sh"
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms1g -Xmx1g -XX:ActiveProcessorCount=1 \
    -cp "$BENCH_CP" io.ocbridge.bench.ScaleBench "$@"
