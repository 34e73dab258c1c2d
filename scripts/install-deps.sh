#!/usr/bin/env bash
# Installs, as root, the Debian packages the demo and the tests use. Idempotent; quiet when all present.
#   scripts/install-deps.sh          the demo's and the tests' set
#   scripts/install-deps.sh bench    that set plus the peers bench/compare.sh measures against (openvpn, tinc)
# Packages that ship a service (keepalived, openvpn, tinc) are installed with a policy-rc.d that forbids starting it,
# and their units are disabled and stopped afterwards: nothing of theirs may run in the root namespace (the HA tests
# run keepalived themselves, one per gateway namespace). systemd-container: systemd-nspawn, for SystemdPackageTest.
set -euo pipefail
PACKAGES=(iproute2 iputils-ping iperf3 wireguard-go wireguard-tools curl procps dnsmasq-base busybox faketime nftables
    python3 keepalived systemd-container)
SERVICES=(keepalived)
case "${1:-}" in
    "") ;;
    bench) PACKAGES+=(openvpn tinc openssl); SERVICES+=(openvpn tinc) ;;
    *) echo "usage: scripts/install-deps.sh [bench]" >&2; exit 2 ;;
esac
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ocbridge: missing packages ${missing[*]}; run as root (sudo) to install them" >&2
    exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [ ${#SERVICES[@]} -gt 0 ] && [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$POLICY"; chmod 755 "$POLICY"; own_policy=1
    trap '[ $own_policy = 1 ] && rm -f "$POLICY"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ ${#SERVICES[@]} -gt 0 ] && [ -d /run/systemd/system ]; then
    for s in "${SERVICES[@]}"; do systemctl disable --now "$s.service" >/dev/null 2>&1 || true; done
fi
