#!/usr/bin/env bash
# Issue #5 scale figures: start-up time and heap per idle peer for one overlay of N peers, the config
# loader on an N-peer YAML, and sustained handshakes/s on one core (benchmarks/ScaleBench.java).
# Usage: bench/scale.sh [peers=10000] [handshake-seconds=10] [initiators=1000]. Serial GC and a
# fixed heap keep the heap deltas steady. Builds first unless OCB_SKIP_BUILD=1. Not part of any test run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. .mvn/jdk.sh
ocb_find_jdk
if [ "${OCB_SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q package -DskipTests -pl benchmarks -am
fi
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms1g -Xmx1g -XX:ActiveProcessorCount=1 \
    -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" io.ocbridge.bench.ScaleBench "$@"
