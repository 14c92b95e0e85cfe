"""Plots bench-control.sh's per-1,000-peer CSV: time per peer and VmRSS against peers, one line per run size.
Usage: plot-control.py CSV PNG TITLE; exit 3 without matplotlib."""
import csv
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(3)

runs = {}
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f):
        runs.setdefault(int(row["n"]), []).append(row)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for n, rows in sorted(runs.items()):
    peers = [int(r["peers"]) for r in rows]
    left.plot(peers, [float(r["us_per_peer"]) for r in rows], label=f"N={n}")
    right.plot(peers, [int(r["rss_mib"]) for r in rows], label=f"N={n}")
left.set_xlabel("peers installed")
left.set_ylabel("µs per peer (NEW_PEER + NEW_KEY), per 1,000")
right.set_xlabel("peers installed")
right.set_ylabel("daemon VmRSS (MiB)")
for ax in (left, right):
    ax.grid(True, alpha=0.3)
    ax.legend()
fig.suptitle(sys.argv[3])
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
