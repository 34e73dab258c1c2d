#!/usr/bin/env bash
# The stretched-LAN rows of bench/compare.sh: ocbridge segment and wireguard-go + kernel vxlan + bridge, L2
# (ONLY= picks others; see compare.sh).
exec env ONLY="${ONLY:-ocbridge-l2,wg-l2}" bash "$(dirname "${BASH_SOURCE[0]}")/compare.sh"
