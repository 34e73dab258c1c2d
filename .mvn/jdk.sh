# Sourced by ./mvnw, bin/ocbridge and .ci/run: sets JAVA_HOME to a JDK 25 or newer.
# Order: $JAVA_HOME if it is 25+, else the newest 25+ JDK under /usr/lib/jvm.

ocb_java_feature() {  # prints the feature release of the JDK at $1, or nothing
    local release="$1/release"
    [ -x "$1/bin/java" ] && [ -r "$release" ] || return 0
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

ocb_find_jdk() {
    local min=25 v candidate best="" best_v=0
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(ocb_java_feature "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge "$min" ]; then return 0; fi
    fi
    for candidate in /usr/lib/jvm/*; do
        v=$(ocb_java_feature "$candidate")
        if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$best_v" ]; then
            best="$candidate"; best_v="$v"
        fi
    done
    if [ -z "$best" ]; then
        echo "ocbridge: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, none under /usr/lib/jvm); install one, e.g. Temurin 25" >&2
        return 1
    fi
    export JAVA_HOME="$best"
}
