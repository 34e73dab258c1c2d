#!/usr/bin/env python3
"""Where a daemon's heap allocation comes from, from a JFR recording's allocation samples.

    bench/jfr-alloc.py recording.jfr [...]      (needs the JDK's `jfr` tool: JAVA_HOME or PATH)

Sorts the sampled bytes (jdk.ObjectAllocationSample weights) into:
  jdk-aead   the JDK's ChaCha20-Poly1305 and what its API makes the caller build per message
             (IvParameterSpec, the key copy it zeroes on re-init)
  netty      allocated in Netty's own code: only Netty frames above the nearest ocbridge frame, and that one a
             lambda (a callback of ours that Netty runs), or no ocbridge frame within the 40 recorded; a heuristic,
             so each category's top sites are printed to check it
  ocbridge   everything else with an ocbridge frame on the stack
  other      JFR, JIT, logging, start-up
and prints each category's share and its top allocation sites. Prints figures, asserts nothing.
"""
import collections
import json
import os
import shutil
import subprocess
import sys

AEAD_MARKERS = ("com/sun/crypto/provider/ChaCha20Cipher", "com/sun/crypto/provider/Poly1305",
                "sun/security/util/math/intpoly", "io/ocbridge/crypto/aead/TransportCipher")


def jfr_tool():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "jfr")):
        return os.path.join(home, "bin", "jfr")
    found = shutil.which("jfr")
    if not found:
        sys.exit("jfr-alloc: no jfr tool; set JAVA_HOME to a JDK 25")
    return found


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    out = []
    for f in trace.get("frames", []):
        m = f["method"]
        out.append("%s.%s:%s" % (m["type"]["name"], m["name"], f.get("lineNumber")))
    return out


def category(names):
    if any(n.startswith(AEAD_MARKERS) for n in names):
        return "jdk-aead"
    if any(n.startswith("io/ocbridge") for n in names):
        first = next(i for i, n in enumerate(names) if n.startswith("io/ocbridge"))
        if all(n.startswith("io/netty") for n in names[:first]) and first > 0 and "Lambda" in names[first]:
            return "netty"  # reached from a callback: Netty's own read or write machinery
        return "ocbridge"
    if any(n.startswith("io/netty") for n in names):
        return "netty"
    return "other"


def main(paths):
    if not paths:
        sys.exit(__doc__)
    tool = jfr_tool()
    for path in paths:
        raw = subprocess.run([tool, "print", "--json", "--stack-depth", "40", "--events",
                              "jdk.ObjectAllocationSample", path], check=True, capture_output=True, text=True).stdout
        events = json.loads(raw)["recording"]["events"]
        total = sum(e["values"]["weight"] for e in events) or 1
        by_cat = collections.Counter()
        sites = collections.defaultdict(collections.Counter)
        for e in events:
            names = frames(e)
            cat = category(names)
            by_cat[cat] += e["values"]["weight"]
            sites[cat][" < ".join(n.split("/")[-1] for n in names[:6])] += e["values"]["weight"]
        print("== %s: %.0f MB sampled" % (path, total / 1e6))
        for cat in ("jdk-aead", "netty", "ocbridge", "other"):
            print("  %-9s %6.2f%%" % (cat, 100.0 * by_cat[cat] / total))
            for site, w in sites[cat].most_common(3 if cat != "jdk-aead" else 1):
                print("      %5.2f%%  %s" % (100.0 * w / total, site[:200]))


if __name__ == "__main__":
    main(sys.argv[1:])
