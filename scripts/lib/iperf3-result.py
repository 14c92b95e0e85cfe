#!/usr/bin/env python3
"""Numbers for scripts/bench-iperf3.sh; standard library only.

  iperf3-result.py rate FILE.json      -> "MBPS LOSS%" at the receiver (LOSS 0 for TCP)
  iperf3-result.py table RESULTS.csv   -> the markdown tables of a run
  iperf3-result.py ratio RESULTS.csv   -> best ovpn-dpdk tcp1 A->B / stock OpenVPN tcp1 A->B
  iperf3-result.py ratio RESULTS.csv SYSTEM BASE -> SYSTEM's tcp1 A->B / BASE's ("n/a" if either is missing)

RESULTS.csv has one row per measurement (see COLUMNS); rows of kind "udp-step" are the
steps of the UDP rate search, kept for the record; the tables show kind "result".
"""
import csv
import json
import sys

COLUMNS = ["system", "test", "kind", "offered_mbps", "mbps", "loss_pct",
           "cpu_a_pct", "cpu_b_pct", "busy_pct", "seconds", "status"]
TESTS = ["tcp1-ab", "tcp1-ba", "tcp4-ab", "tcp4-ba", "udp-ab", "udp-ba"]
HEADS = ["TCP 1 A→B", "TCP 1 B→A", "TCP 4 A→B", "TCP 4 B→A", "UDP A→B", "UDP B→A"]
NAMES = {"veth": "veth (no tunnel)", "openvpn": "stock OpenVPN 2.6",
         "socket": "ovpn-dpdk, socket backend", "dco": "OpenVPN 2.6 + ovpn-dpdk (socket backend)",
         "dpdk": "ovpn-dpdk, DPDK backend",
         "afxdp": "ovpn-dpdk, DPDK backend on net_af_xdp",
         "cryptodev": "ovpn-dpdk, socket backend, AEAD through DPDK cryptodev"}
OVPN_DPDK = ["socket", "dco", "dpdk", "afxdp", "cryptodev"]


def rate(path):
    end = json.load(open(path))["end"]
    s = end.get("sum_received") or end.get("sum")  # UDP in old iperf3 has only "sum"
    print("%.1f %.3f" % (s["bits_per_second"] / 1e6, s.get("lost_percent", 0.0)))


def load(path):
    rows = list(csv.DictReader(open(path)))
    systems = list(dict.fromkeys(r["system"] for r in rows))
    res = {(r["system"], r["test"]): r for r in rows if r["kind"] == "result"}
    return systems, res


def num(r, key):
    try:
        return float(r[key])
    except (KeyError, TypeError, ValueError):
        return None


def mbit(v):
    return "%.2f Gbit/s" % (v / 1000) if v >= 1000 else "%.0f Mbit/s" % v


def cell(r):
    if r is None:
        return "–"
    if r["status"] != "ok":
        return r["status"]
    return mbit(float(r["mbps"]))


def best_ratio(systems, res):
    base = res.get(("openvpn", "tcp1-ab"))
    o = num(base, "mbps") if base and base["status"] == "ok" else None
    best = [num(res[(s, "tcp1-ab")], "mbps") for s in OVPN_DPDK
            if (s, "tcp1-ab") in res and res[(s, "tcp1-ab")]["status"] == "ok"]
    if not o or not best:
        return "n/a"
    return "%.2f" % (max(best) / o)


def pair_ratio(res, system, base):
    a, b = res.get((system, "tcp1-ab")), res.get((base, "tcp1-ab"))
    va = num(a, "mbps") if a and a["status"] == "ok" else None
    vb = num(b, "mbps") if b and b["status"] == "ok" else None
    return "%.2f" % (va / vb) if va and vb else "n/a"


def cpu(r):
    a, b = num(r, "cpu_a_pct"), num(r, "cpu_b_pct")
    if r is None or r["status"] != "ok" or a is None or b is None:
        return "–"
    return "%.0f / %.0f" % (a, b)


def table(path):
    systems, res = load(path)
    base = {t: num(res.get(("openvpn", t)), "mbps") if ("openvpn", t) in res
            and res[("openvpn", t)]["status"] == "ok" else None for t in TESTS}
    print("| system | " + " | ".join(HEADS) + " | CPU A / B % (TCP 1 A→B) | vs OpenVPN (TCP 1 A→B) |")
    print("|---|" + "---:|" * (len(HEADS) + 2))
    for s in systems:
        r1 = res.get((s, "tcp1-ab"))
        v = num(r1, "mbps") if r1 and r1["status"] == "ok" else None
        x = "%.2f×" % (v / base["tcp1-ab"]) if v is not None and base["tcp1-ab"] else "–"
        print("| %s | %s | %s | %s |" % (NAMES.get(s, s), " | ".join(cell(res.get((s, t))) for t in TESTS),
                                         cpu(r1), x))
    print()
    print("CPU of the tunnel process on side A / side B (utime + stime from `/proc/<pid>/stat`,"
          " % of one core) and whole-machine busy % (`/proc/stat`), per test; UDP: at the rate reported:")
    print()
    print("| system | " + " | ".join(HEADS) + " |")
    print("|---|" + "---:|" * len(HEADS))
    for s in systems:
        cells = []
        for t in TESTS:
            r = res.get((s, t))
            busy = num(r, "busy_pct") if r and r["status"] == "ok" else None
            c = cpu(r) if s != "veth" else "–"
            cells.append("–" if busy is None else "%s (%.0f)" % (c, busy))
        print("| %s | %s |" % (NAMES.get(s, s), " | ".join(cells)))


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "rate":
        rate(path)
    elif cmd == "table":
        table(path)
    elif cmd == "ratio" and len(sys.argv) == 5:
        print(pair_ratio(load(path)[1], sys.argv[3], sys.argv[4]))
    elif cmd == "ratio":
        print(best_ratio(*load(path)))
    else:
        sys.exit("iperf3-result.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
