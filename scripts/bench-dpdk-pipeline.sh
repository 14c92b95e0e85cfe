#!/usr/bin/env bash
# JMH: the DPDK data path per core — the real Worker on the real DPDK wire and tunnel ports
# (DpdkBackend.overPorts) over net_ring / net_null ethdevs, no kernel in the way — next to raw
# intel-ipsec-mb on the same packets in the same run (bench/.../DpdkPipelineBench.java). Prints
# a markdown table (packets/s by wall clock and per CPU-second of the benchmark thread, inside
# the timed part only; ratio to crypto; bytes allocated per packet), writes it to
# bench/results/dpdk-pipeline-<date>.md, and ends with `dpdk pipeline/crypto at 1424B: R`
# (R: the lower of encrypt and decrypt, sink=null, from CPU time).
#   scripts/bench-dpdk-pipeline.sh               full run (3 x 1 s warmup, 3 x 2 s measurement; ~2 minutes)
#   scripts/bench-dpdk-pipeline.sh --quick       short run (2 x 1 s warmup, 2 x 1 s; ~1 minute), noisier
#   scripts/bench-dpdk-pipeline.sh -p size=64,512,1424,imix -p sink=null,ring   any other JMH options
#   scripts/bench-dpdk-pipeline.sh --rebuild ... rebuild bench/target/benchmarks.jar first
#   scripts/bench-dpdk-pipeline.sh -p offload=none,crypto_aesni_gcm0,scheduler   the worker on an
#       asynchronous cryptodev engine next to the synchronous pipeline (docs/crypto-offload.md)
# Needs DPDK 22.11 (net_ring, net_null), intel-ipsec-mb and root (EAL, --no-huge); where they are
# missing it says so and exits 0 without measuring. JMH_IGNORE_LOCK=1 runs next to another JMH.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

bench_options "$@"

find_jdk
bench_jar bench-dpdk-pipeline "$rebuild"

# Where DPDK (or its drivers, or ipsec-mb) is absent: say why and skip.
if ! why=$("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" dev.ovpndpdk.bench.DpdkPipelineBench 2>&1); then
    log "bench-dpdk-pipeline: skipped, DPDK pipeline benchmark cannot run here: $why"
    echo "dpdk pipeline/crypto at 1424B: skipped (no DPDK)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    log "bench-dpdk-pipeline: skipped, needs root (EAL with --no-huge)"
    echo "dpdk pipeline/crypto at 1424B: skipped (not root)"
    exit 0
fi

# Quick still warms up 2 s: on a loaded 2-core machine the JIT needs that before doWork is compiled.
[ "$quick" -eq 1 ] && jmh_args=(-f 1 -wi 2 -w 1s -i 2 -r 1s "${jmh_args[@]}")
jvm_flags=(--enable-native-access=ALL-UNNAMED)
[ "${JMH_IGNORE_LOCK:-0}" = 1 ] && jvm_flags+=(-Djmh.ignoreLock=true)
csv=$(mktemp --suffix=.csv)
trap 'rm -f "$csv" "$csv.ratio" "$csv.ratio.offload"' EXIT

machine="$(machine_summary), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
log "bench-dpdk-pipeline: $machine"
"$JAVA_HOME/bin/java" "${jvm_flags[@]}" -jar "$jar" 'DpdkPipelineBench\.(pipeline|crypto)$' -rf csv -rff "$csv" "${jmh_args[@]}" >&2

mkdir -p "$OVPN_ROOT/bench/results"
out="$OVPN_ROOT/bench/results/dpdk-pipeline-$(date +%Y-%m-%d-%H%M).md"

# One row per cipher/size/direction/sink. The aux counters are sums per iteration over the timed
# part only (worker.doWork calls for the pipeline, the AEAD calls for crypto): packets, cpuNanos
# (the thread's CPU time), wallNanos (System.nanoTime), allocBytes.
table=$(awk -F, -v ratio_file="$csv.ratio" '
    function unq(s) { gsub(/"/, "", s); return s }
    function mpps(v) { return v == "" ? "-" : sprintf("%.2f M", v / 1e6) }
    function pct(a, b) { return (a != "" && b > 0) ? sprintf("%.0f %%", 100 * a / b) : "-" }
    function rate(k, b, clk) { return val[k, b, clk] > 0 ? 1e9 * val[k, b, "packets"] / val[k, b, clk] : "" }
    { sub(/\r$/, "") }
    NR == 1 { for (i = 1; i <= NF; i++) col[unq($i)] = i; next }
    {
        name = unq($col["Benchmark"]); sub(/.*DpdkPipelineBench\./, "", name)
        metric = "ops"; if (name ~ /:/) { metric = name; sub(/.*:/, "", metric); sub(/:.*/, "", name) }
        cs = unq($col["Param: cipher"]) SUBSEP unq($col["Param: size"]) SUBSEP unq($col["Param: direction"])
        sk = unq($col["Param: sink"])
        # With an asynchronous crypto engine (offload=<cryptodev vdev>) the row is sink+engine.
        if ("Param: offload" in col) { o = unq($col["Param: offload"]); if (o != "" && o != "none") sk = sk "+" o }
        if (name == "pipeline") { key = cs SUBSEP sk; sinks[sk] = 1 } else key = cs
        val[key, name, metric] = $col["Score"]
        cfg[cs] = 1
    }
    END {
        nc = split("AES_256_GCM AES_128_GCM CHACHA20_POLY1305", ciphers, " ")
        ns = split("64 512 1424 imix", sizes, " ")
        nd = split("encrypt decrypt", dirs, " ")
        print "| cipher | size | direction | sink[+crypto offload] | pipeline pkt/s | crypto pkt/s | ratio | pipeline pkt/CPU-s | crypto pkt/CPU-s | ratio (CPU) | B/pkt |"
        print "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"
        worst = ""
        for (c = 1; c <= nc; c++) for (s = 1; s <= ns; s++) for (d = 1; d <= nd; d++) for (sk in sinks) {
            cs = ciphers[c] SUBSEP sizes[s] SUBSEP dirs[d]; k = cs SUBSEP sk
            if (!(cs in cfg) || val[k, "pipeline", "packets"] == "") continue
            pw = rate(k, "pipeline", "wallNanos"); pc = rate(k, "pipeline", "cpuNanos")
            cw = rate(cs, "crypto", "wallNanos"); cc = rate(cs, "crypto", "cpuNanos")
            b = val[k, "pipeline", "packets"] > 0 ? val[k, "pipeline", "allocBytes"] / val[k, "pipeline", "packets"] : ""
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", ciphers[c], sizes[s], dirs[d], sk,
                mpps(pw), mpps(cw), pct(pw, cw), mpps(pc), mpps(cc), pct(pc, cc), b == "" ? "-" : sprintf("%.3f", b)
            if (ciphers[c] == "AES_256_GCM" && sizes[s] == "1424" && sk == "null" && pc != "" && cc > 0) {
                r = pc / cc; if (worst == "" || r < worst) worst = r
            }
        }
        if (worst != "") printf "%.2f\n", worst > ratio_file
        # An offload next to the synchronous pipeline (wall clock: the engine may use another core).
        for (sk in sinks) {
            if (sk !~ /^null\+/) continue
            for (d = 1; d <= nd; d++) {
                cs = "AES_256_GCM" SUBSEP "1424" SUBSEP dirs[d]
                a = rate(cs SUBSEP sk, "pipeline", "wallNanos"); z = rate(cs SUBSEP "null", "pipeline", "wallNanos")
                if (a != "" && z > 0) printf "offload %s/sync pipeline, AES-256-GCM 1424 B %s: %.2f\n", substr(sk, 6), dirs[d], a / z > (ratio_file ".offload")
            }
        }
    }' "$csv")

# The bars of issue 4, on the CPU-time ratios, over every cipher/direction/sink measured.
bars=$(awk -F'|' '
    function num(s) { gsub(/[^0-9.]/, "", s); return s + 0 }
    NR <= 2 { next }
    {
        size = $3; gsub(/ /, "", size); ratio = num($11)
        if (size == "1424") { n1424++; if (ratio < 70) bad1424++; if (min1424 == "" || ratio < min1424) min1424 = ratio }
        if (size == "64") { n64++; if (ratio < 40) bad64++; if (min64 == "" || ratio < min64) min64 = ratio }
    }
    function verdict(n, bad) { return n == 0 ? "not measured" : (bad == 0 ? "met" : "NOT met (" bad " of " n ")") }
    END {
        printf "- one worker at 1424 B >= 70 %% of raw crypto (CPU time): %s (lowest %s %%)\n", verdict(n1424, bad1424), min1424
        printf "- one worker at 64 B >= 40 %% of raw crypto (CPU time): %s (lowest %s %%)\n", verdict(n64, bad64), min64
    }' <<<"$table")

r=$(cat "$csv.ratio" 2>/dev/null || true)
offload_ratios=$(cat "$csv.ratio.offload" 2>/dev/null || true)
{
    echo "# DPDK pipeline per core, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "$machine. \`scripts/bench-dpdk-pipeline.sh $*\`"
    echo
    echo "Timed: worker.doWork per burst on DpdkWirePort/DpdkTunnelPort over net_ring (input) and net_null"
    echo "(sink=null: the output ethdev frees in tx_burst) or net_ring (sink=ring: drained outside);"
    echo "not timed: mbuf allocation and frame copy into the input ring, re-key per ring pass, draining."
    echo "crypto: raw intel-ipsec-mb, in place, on the same packets staged the same way. One thread, pinned."
    echo
    echo "$table"
    echo
    echo "$bars"
    [ -z "$offload_ratios" ] || { echo; echo "$offload_ratios" | sed 's/^/- /'; }
} >"$out"
echo
echo "$table"
echo
echo "$bars"
[ -z "$offload_ratios" ] || { echo; echo "$offload_ratios"; }
echo
log "bench-dpdk-pipeline: written to ${out#"$OVPN_ROOT"/}"
echo "dpdk pipeline/crypto at 1424B: ${r:-n/a}"
