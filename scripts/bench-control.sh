#!/usr/bin/env bash
# Control-plane scale: for each N, a fresh daemon (socket backend, mp mode, 2 workers, in its
# own network namespace) and one control client (scripts/lib/ControlBench.java on the CLI's
# jar, one process) that installs N peers one by one as OpenVPN does (NEW_PEER with a VPN
# IPv4 address, NEW_KEY AES-256-GCM), then times 500 rekeys (NEW_KEY + SWAP_KEYS + DEL_KEY)
# on random peers and a full GET_PEER; the daemon's VmRSS after every 1,000 peers and its
# native memory (NMT summary) at N. Writes bench/results/control-<date>.{md,csv,png}.
#   scripts/bench-control.sh                  N = 1000 10000 100000
#   scripts/bench-control.sh 1000 5000 20000  any list of N
# The plot needs python3-matplotlib (apt-get install python3-matplotlib; scripts/setup.sh).
# Daemon JVM options: the launcher's (bin/ovpn-dpdk) plus OVPN_DPDK_JAVA_OPTS and NMT.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { print_help; exit 0; }
[ "$(id -u)" -eq 0 ] || die "bench-control.sh needs root (a network namespace and a TUN device)"
find_jdk
jar="$OVPN_ROOT/control/target/ovpn-dpdk.jar"
[ -f "$jar" ] || die "$jar is missing: build first (mvn -o -q -DskipTests package)"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

stamp=$(date -u +%Y-%m-%d-%H%M)
mkdir -p "$OVPN_ROOT/bench/results"
base="$OVPN_ROOT/bench/results/control-$stamp"
work=$(mktemp -d)
ns="ovscale$$"
pid=
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

summary="$work/summary.tsv"
printf 'peers\tinstall_s\tpeers_per_s\tfirst_1000_ms\tlast_1000_ms\trekey_median_ms\trekey_p99_ms\tget_peer_all_ms\tget_peer_all_mib\trss_mib\tnmt_committed_mib\theap_committed_mib\tlive_heap_mib\n' > "$summary"
echo "n,peers,block_ms,us_per_peer,rss_mib" > "$base.csv"
log "bench-control: $(machine_summary), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${sizes[@]}"; do
    sock="$work/control-$n.sock"
    OVPN_DPDK_JAVA_OPTS="${OVPN_DPDK_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary" \
        ip netns exec "$ns" "$OVPN_ROOT/bin/ovpn-dpdk" daemon --tun "ovs$n" --listen 127.0.0.1:1194 --mode mp \
        --workers 2 --backend socket --control "$sock" > "$work/daemon-$n.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
    [ -S "$sock" ] || { cat "$work/daemon-$n.log" >&2; die "the daemon did not start"; }
    jpid=$(pgrep -P "$pid" java || echo "$pid")   # ip netns exec forks; the JVM is its child
    log "N=$n: daemon pid $jpid"
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" "$OVPN_ROOT/scripts/lib/ControlBench.java" \
        "$sock" "$jpid" "$n" "$work/blocks.csv" | tee "$work/out-$n.txt" >&2 \
        || { tail -20 "$work/daemon-$n.log" >&2; die "the control client failed at N=$n"; }
    tail -n +2 "$work/blocks.csv" | sed "s/^/$n,/" >> "$base.csv"
    "$JAVA_HOME/bin/jcmd" "$jpid" VM.native_memory summary scale=MB > "$work/nmt-$n.txt"
    # Live heap: the histogram forces a full collection first.
    "$JAVA_HOME/bin/jcmd" "$jpid" GC.class_histogram > "$work/histo-$n.txt"
    live=$(awk '$1 == "Total" { printf "%.0f", $3 / 1048576 }' "$work/histo-$n.txt")
    { head -33 "$work/histo-$n.txt"; grep '^Total' "$work/histo-$n.txt"; } > "$base-heap-$n.txt"
    nmt=$(awk '/^Total:/ { for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) { sub(/committed=/, "", $i); sub(/MB/, "", $i); print $i } }' "$work/nmt-$n.txt")
    heap=$(awk '/^-  *Java Heap/ { for (i = 1; i <= NF; i++) if ($i ~ /committed=/) { sub(/.*committed=/, "", $i); sub(/MB.*/, "", $i); print $i } }' "$work/nmt-$n.txt")
    cp "$work/nmt-$n.txt" "$base-nmt-$n.txt"
    v() { awk -v k="$1" '$1 == k { print $2 }' "$work/out-$n.txt"; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$(v install_s)" "$(v peers_per_s)" "$(v first_1000_ms)" \
        "$(v last_1000_ms)" "$(v rekey_median_ms)" "$(v rekey_p99_ms)" "$(v get_peer_all_ms)" \
        "$(awk -v b="$(v get_peer_all_bytes)" 'BEGIN { printf "%.1f", b / 1048576 }')" "$(v rss_mib)" "$nmt" "$heap" "$live" >> "$summary"
    kill "$jpid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
done

plot_py=python3
python3 -c 'import matplotlib' 2>/dev/null || [ ! -x /usr/bin/python3 ] || plot_py=/usr/bin/python3
chart="![time per peer and RSS](control-$stamp.png)"
"$plot_py" "$OVPN_ROOT/scripts/lib/plot-control.py" "$base.csv" "$base.png" "control operations, $(date -u '+%Y-%m-%d %H:%M') UTC" \
    || chart="chart skipped: python3-matplotlib is not installed (apt-get install python3-matplotlib)"
{
    echo "# Control-plane scale, $(date -u '+%Y-%m-%d %H:%M') UTC, $(git -C "$OVPN_ROOT" rev-parse --short HEAD)"
    echo
    echo "| peers | install (s) | peers/s | first 1,000 (ms) | last 1,000 (ms) | rekey median (ms) | rekey p99 (ms) | GET_PEER all (ms) | GET_PEER all (MiB) | VmRSS (MiB) | NMT committed (MiB) | heap committed (MiB) | live heap (MiB) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    tail -n +2 "$summary" | awk -F'\t' '{ printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i; print "" }'
    echo
    echo "- Machine: $(machine_summary); daemon: socket backend, mp mode, 2 workers, JVM options of bin/ovpn-dpdk" \
        "${OVPN_DPDK_JAVA_OPTS:+plus $OVPN_DPDK_JAVA_OPTS }and NMT summary."
    echo "- One control client, one request at a time (each waits for its reply). A peer: NEW_PEER (remote, VPN IPv4)" \
        "+ NEW_KEY (AES-256-GCM, primary). Rekey: NEW_KEY secondary + SWAP_KEYS + DEL_KEY secondary, 500 random peers at N." \
        "GET_PEER all: best of 3, reply assembled by the client. VmRSS and NMT before, live heap after a full collection. Per-1,000 blocks in control-$stamp.csv; NMT in control-$stamp-nmt-N.txt, the largest classes on the heap in control-$stamp-heap-N.txt."
    echo
    echo "$chart"
} > "$base.md"
cat "$base.md"
