#!/usr/bin/env bash
# Installs, as root, the Debian packages the demo and the tests use. Idempotent; quiet when all present.
set -euo pipefail
PACKAGES=(iproute2 iputils-ping iperf3 wireguard-go wireguard-tools curl procps dnsmasq-base busybox faketime nftables)
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
