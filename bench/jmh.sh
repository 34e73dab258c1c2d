#!/usr/bin/env bash
# Runs the JMH microbenchmarks (module benchmarks/) and prints JMH's table. Arguments go to JMH,
# e.g. `bench/jmh.sh TransportBenchmark -f 1 -wi 3 -i 5`. Default: every benchmark, 1 fork,
# 3 warm-up and 5 measured iterations of 1 s. Builds first unless OCB_SKIP_BUILD=1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. .mvn/jdk.sh
ocb_find_jdk
if [ "${OCB_SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q package -DskipTests -pl benchmarks -am
fi
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(-f 1 -wi 3 -w 1s -i 5 -r 1s)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" org.openjdk.jmh.Main "${ARGS[@]}"
