#!/usr/bin/env bash
# JMH crypto benchmarks: AEAD seal/open through the SPI (aesni = intel-ipsec-mb, jdk) against
# direct intel-ipsec-mb calls on the same buffers; prints ops/s and the SPI/direct ratio.
#   scripts/bench-crypto.sh                 full run (about 15 minutes)
#   scripts/bench-crypto.sh --quick         short run (fewer, shorter iterations)
#   scripts/bench-crypto.sh --quick -prof gc              adds allocation per op (B/op)
#   scripts/bench-crypto.sh -p cipher=AES_256_GCM -p size=1424   any other JMH options
#   scripts/bench-crypto.sh --rebuild ...   rebuild bench/target/benchmarks.jar first
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

bench_options "$@"

find_jdk
bench_jar bench-crypto "$rebuild"

if [ "$quick" -eq 1 ]; then
    jmh_args=(-f 1 -wi 2 -w 1s -i 3 -r 1s "${jmh_args[@]}")
fi
csv=$(mktemp --suffix=.csv)
trap 'rm -f "$csv"' EXIT

log "bench-crypto: $(machine_summary)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" CryptoBench \
    -rf csv -rff "$csv" "${jmh_args[@]}"

# One line per cipher and size: the SPI engines and the direct baseline side by side.
awk -F, '
    function unq(s) { gsub(/"/, "", s); return s }
    function num(v) { return v == "" ? "-" : sprintf("%.0f", v) }
    { sub(/\r$/, "") }   # JMH writes CRLF
    NR == 1 { for (i = 1; i <= NF; i++) col[unq($i)] = i; next }
    {
        name = unq($col["Benchmark"]); sub(/.*CryptoBench\./, "", name)
        metric = "ops"; if (name ~ /:/) { metric = name; sub(/.*:/, "", metric); sub(/:.*/, "", name) }
        if (metric != "ops" && metric != "gc.alloc.rate.norm") next
        op = (name ~ /[Oo]pen$/) ? "open" : "seal"
        path = (name ~ /^direct/) ? "direct" : unq($col["Param: engine"])
        key = unq($col["Param: cipher"]) " " unq($col["Param: size"]) " " op
        if (!(key in seen)) { seen[key] = 1; keys[++n] = key }
        val[key, path, metric] = $col["Score"]
    }
    END {
        printf "\n%-18s %5s %-4s %12s %12s %12s %9s %10s %8s\n", "cipher", "size", "op", "aesni ops/s", "jdk ops/s",
            "direct ops/s", "aesni/dir", "aesni B/op", "jdk B/op"
        for (i = 1; i <= n; i++) {
            split(keys[i], k, " "); a = val[keys[i], "aesni", "ops"]; d = val[keys[i], "direct", "ops"]
            b = val[keys[i], "aesni", "gc.alloc.rate.norm"]; bj = val[keys[i], "jdk", "gc.alloc.rate.norm"]
            printf "%-18s %5s %-4s %12s %12s %12s %9s %10s %8s\n", k[1], k[2], k[3], num(a), num(val[keys[i], "jdk", "ops"]),
                num(d), (a != "" && d > 0) ? sprintf("%.0f%%", 100 * a / d) : "-",
                (b != "") ? sprintf("%.1f", b) : "-", (bj != "") ? sprintf("%.0f", bj) : "-"
        }
    }' "$csv"
