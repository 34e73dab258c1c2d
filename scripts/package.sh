#!/usr/bin/env bash
# Builds dist/ocbridge_<version>_amd64.deb: a self-contained package (its own Java 25 runtime, trimmed with jlink to
# the modules the jars use), built with plain dpkg-deb from packaging/debian/ (no tool beyond Debian's own).
#   scripts/package.sh              builds the jars (./mvnw package -DskipTests), then the package
#   scripts/package.sh --prebuilt   packages bridge-cli/target as it is (the integration tests, mid-build)
# As root, the AOT cache is trained on a real `ocbridge up` (two sites in a private network namespace, handshake and
# keepalives); otherwise on `ocbridge check` of the example config. Network: none.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
prebuilt=0
case "${1:-}" in
    "") ;;
    --prebuilt) prebuilt=1 ;;
    *) echo "usage: scripts/package.sh [--prebuilt]" >&2; exit 2 ;;
esac
if ! command -v dpkg-deb >/dev/null; then
    echo "ocbridge: dpkg-deb not found; build the package on Debian or Ubuntu" >&2; exit 1
fi
. .mvn/jdk.sh
ocb_find_jdk
if [ "$prebuilt" = 0 ]; then
    ./mvnw -B -q package -DskipTests
fi
TARGET=bridge-cli/target
if [ ! -f "$TARGET/ocbridge.jar" ]; then
    echo "ocbridge: $TARGET/ocbridge.jar not built; run scripts/package.sh without --prebuilt" >&2
    exit 1
fi
# 0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT: Debian sorts ~ before the release, as Maven does a snapshot.
POM_VERSION=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)
VERSION=${POM_VERSION//-/\~}
DEB="dist/ocbridge_${VERSION}_amd64.deb"

WORK=$(mktemp -d /tmp/ocbridge-package.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/root"
APP="$STAGE/usr/lib/ocbridge"
mkdir -p "$APP/bin" "$STAGE/usr/bin" "$STAGE/usr/lib/systemd/system" "$STAGE/usr/share/bash-completion/completions" \
    "$STAGE/usr/share/doc/ocbridge/examples" "$STAGE/etc/ocbridge" "$STAGE/DEBIAN"

# The runtime: the modules jdeps finds the jars using, minus java.desktop, whose only users are snakeyaml's JavaBean
# introspection and micrometer's Log4j2 binder (neither runs: configs are read as plain maps, no Log4j2).
MODULES=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release 25 --print-module-deps \
    --class-path "$TARGET/lib/*" "$TARGET/ocbridge.jar" "$TARGET"/lib/*.jar 2>/dev/null | tail -1)
MODULES=$(echo "$MODULES" | tr ',' '\n' | grep -vx java.desktop | paste -sd, -)
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
    --output "$APP/runtime"
cp "$TARGET/ocbridge.jar" "$APP/"
cp -r "$TARGET/lib" "$APP/lib"
install -m 0755 bin/ocbridge "$APP/bin/ocbridge"
ln -s ../lib/ocbridge/bin/ocbridge "$STAGE/usr/bin/ocbridge"
install -m 0644 configs/ocbridge@.service "$STAGE/usr/lib/systemd/system/"
install -m 0644 configs/dc-east.yaml configs/cloud-a.yaml "$STAGE/usr/share/doc/ocbridge/examples/"
install -m 0644 packaging/debian/README.etc "$STAGE/etc/ocbridge/README"
OCBRIDGE_AOT=off "$APP/bin/ocbridge" completion bash > "$STAGE/usr/share/bash-completion/completions/ocbridge"

# The AOT cache (JEP 483/514): recorded by a training run of the staged launcher, runtime and jars, so the flags, the
# runtime and the class path match what runs once installed (the JVM accepts the whole tree moved elsewhere).
echo "package: runtime and jars staged in ${SECONDS}s; training the AOT cache" >&2
bash packaging/aot-train.sh "$APP" "$WORK/train" > "$WORK/train.log" 2>&1 || {
    echo "ocbridge: AOT training failed; its log:" >&2; tail -30 "$WORK/train.log" >&2; exit 1; }
if [ ! -s "$APP/ocbridge.aot" ]; then
    echo "ocbridge: AOT training wrote no cache; its log:" >&2; tail -30 "$WORK/train.log" >&2; exit 1
fi
chmod 0644 "$APP/ocbridge.aot"

echo "package: AOT cache trained (${SECONDS}s)" >&2
sed -e "s/@VERSION@/$VERSION/" -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)/" \
    packaging/debian/control.in > "$STAGE/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$STAGE/DEBIAN/"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$STAGE/DEBIAN/"
find "$STAGE" -type d -exec chmod 0755 {} +
mkdir -p dist
# zstd: 3 s for 41 MB where xz takes a minute for 35 MB; dpkg reads it since Debian 12 and Ubuntu 22.04.
dpkg-deb --root-owner-group -Zzstd -z9 --build "$STAGE" "$DEB" >/dev/null
echo "package: $DEB $(du -h "$DEB" | cut -f1) (installed $(du -sh --exclude=DEBIAN "$STAGE" | cut -f1)) in ${SECONDS}s" >&2
