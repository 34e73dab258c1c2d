#!/usr/bin/env bash
# Runs the JMH microbenchmarks (module benchmarks/) and prints JMH's table. Arguments go to JMH,
# e.g. `bench/jmh.sh TransportBenchmark -f 1 -wi 3 -i 5`. Default: every benchmark, 1 fork,
# 3 warm-up and 5 measured iterations of 1 s. Builds first unless OCB_SKIP_BUILD=1.
# The scale figures (10k peers: start-up, heap per peer, config load, handshakes/s) are bench/scale.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/benchmarks.sh"
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(-f 1 -wi 3 -w 1s -i 5 -r 1s)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$BENCH_CP" org.openjdk.jmh.Main "${ARGS[@]}"
