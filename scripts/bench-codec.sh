#!/usr/bin/env bash
# JMH: the data-channel codec (DataChannel.encrypt / open, per packet) next to direct
# intel-ipsec-mb calls on the same sizes, in one run; prints ops/s, codec/direct and B/op.
#   scripts/bench-codec.sh [--quick] [--rebuild] [-p cipher=AES_256_GCM] [-p size=64,1424] [JMH options]
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

bench_options "$@"
find_jdk
bench_jar bench-codec "$rebuild"
[ "$quick" -eq 1 ] && jmh_args=(-f 1 -wi 2 -w 1s -i 3 -r 1s "${jmh_args[@]}")
csv=$(mktemp --suffix=.csv)
trap 'rm -f "$csv"' EXIT

log "bench-codec: $(machine_summary)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" \
    'CodecBench|CryptoBench.directIpsecMb' -prof gc -rf csv -rff "$csv" "${jmh_args[@]}"

awk -F, '
    function unq(s) { gsub(/"/, "", s); return s }
    function num(v) { return v == "" ? "-" : sprintf("%.0f", v) }
    { sub(/\r$/, "") }
    NR == 1 { for (i = 1; i <= NF; i++) col[unq($i)] = i; next }
    {
        name = unq($col["Benchmark"]); sub(/.*(CodecBench|CryptoBench)\./, "", name)
        metric = "ops"; if (name ~ /:/) { metric = name; sub(/.*:/, "", metric); sub(/:.*/, "", name) }
        if (metric != "ops" && metric != "gc.alloc.rate.norm") next
        op = (name ~ /([Oo]pen|decrypt)$/) ? "decrypt" : "encrypt"
        path = (name ~ /^direct/) ? "direct" : unq($col["Param: engine"])
        key = unq($col["Param: cipher"]) " " unq($col["Param: size"]) " " op
        if (!(key in seen)) { seen[key] = 1; keys[++n] = key }
        val[key, path, metric] = $col["Score"]
    }
    END {
        printf "\n%-18s %5s %-7s %12s %12s %12s %10s %11s\n", "cipher", "size", "op", "codec aesni", "codec jdk",
            "direct", "aesni/dir", "aesni B/op"
        for (i = 1; i <= n; i++) {
            split(keys[i], k, " "); a = val[keys[i], "aesni", "ops"]; d = val[keys[i], "direct", "ops"]
            b = val[keys[i], "aesni", "gc.alloc.rate.norm"]
            printf "%-18s %5s %-7s %12s %12s %12s %10s %11s\n", k[1], k[2], k[3], num(a), num(val[keys[i], "jdk", "ops"]),
                num(d), (a != "" && d > 0) ? sprintf("%.0f%%", 100 * a / d) : "-", (b != "") ? sprintf("%.1f", b) : "-"
        }
    }' "$csv"
