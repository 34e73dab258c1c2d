#!/usr/bin/env bash
# The whole test suite on a fresh machine, as root: Debian packages, JDK 25 check, build, unit
# tests, and the integration tests in network namespaces (-Pintegration).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ "$(id -u)" -ne 0 ]; then
    echo "ocbridge: the integration tests create network namespaces and TUN devices: run as root" >&2
    exit 1
fi
bash scripts/install-deps.sh
. .mvn/jdk.sh
ocb_find_jdk
exec ./mvnw -B verify -Pintegration "$@"
