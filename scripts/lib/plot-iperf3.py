#!/usr/bin/env python3
"""Bar chart of a scripts/bench-iperf3.sh run: one group per test, one bar per system,
each tunnel's bar annotated with its ratio to stock OpenVPN in the same test.

  plot-iperf3.py RESULTS.csv OUT.png [TITLE]

Exits 3 when matplotlib is missing (Debian: python3-matplotlib), so the caller can say
the chart was skipped.
"""
import importlib.util
import os
import sys

res_mod = importlib.util.spec_from_file_location(
    "iperf3_result", os.path.join(os.path.dirname(os.path.abspath(__file__)), "iperf3-result.py"))
result = importlib.util.module_from_spec(res_mod)
res_mod.loader.exec_module(result)

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(3)

COLORS = {"veth": "#b0b0b0", "openvpn": "#d62728", "socket": "#1f77b4", "dpdk": "#2ca02c", "afxdp": "#9467bd", "cryptodev": "#8c564b"}


def main():
    path, out = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else "iperf3 through the tunnel"
    systems, res = result.load(path)
    ok = {(s, t): float(r["mbps"]) for (s, t), r in res.items() if r["status"] == "ok"}
    shown = [s for s in systems if any((s, t) in ok for t in result.TESTS)]
    fig, ax = plt.subplots(figsize=(12, 5.5))
    width = 0.8 / max(1, len(shown))
    for i, s in enumerate(shown):
        xs, ys = [], []
        for j, t in enumerate(result.TESTS):
            if (s, t) in ok:
                xs.append(j - 0.4 + width * (i + 0.5))
                ys.append(ok[(s, t)])
        bars = ax.bar(xs, ys, width, label=result.NAMES.get(s, s), color=COLORS.get(s))
        for bar, t in zip(bars, [t for t in result.TESTS if (s, t) in ok]):
            base = ok.get(("openvpn", t))
            label = result.mbit(bar.get_height()).replace(" Gbit/s", " G").replace(" Mbit/s", " M")
            if s != "veth" and base:
                label += "\n%.2f×" % (bar.get_height() / base)
            ax.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_ylabel("Mbit/s at the receiver (log scale)")
    ax.set_xticks(range(len(result.TESTS)))
    ax.set_xticklabels(result.HEADS)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.margins(y=0.25)
    ax.grid(axis="y", which="major", alpha=0.3)
    absent = ["%s: %s" % (result.NAMES.get(s, s), r["status"]) for s in systems if s not in shown
              for r in [res.get((s, "tcp1-ab"))] if r]
    if absent:
        fig.text(0.01, 0.01, "; ".join(absent), fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.03 if absent else 0, 1, 1))
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
