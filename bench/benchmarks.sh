# Sourced by bench/jmh.sh and bench/scale.sh: moves to the repository root, sets JAVA_HOME to a JDK 25+,
# builds the benchmarks module unless OCB_SKIP_BUILD=1, and sets BENCH_CP to its classpath.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. .mvn/jdk.sh
ocb_find_jdk
if [ "${OCB_SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q package -DskipTests -pl benchmarks -am
fi
BENCH_CP="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
