#!/usr/bin/env bash
# The routed rows of bench/compare.sh: ocbridge and wireguard-go, L3 (ONLY= picks others; see compare.sh).
exec env ONLY="${ONLY:-ocbridge-l3,wg-l3}" bash "$(dirname "${BASH_SOURCE[0]}")/compare.sh"
