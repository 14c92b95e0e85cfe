#!/usr/bin/env bash
# usage: scripts/bench-idle.sh [options]          (root; run it under flock /tmp/ovpn-heavy.lock)
#
# What each idle strategy (--idle spin|backoff|interrupt) costs and gives on the DPDK backend:
# two DPDK daemons (one worker each, --no-huge, the wire port on a veth pair as in
# scripts/e2e/dpdk-pair.sh) with a tunnel between them, started afresh per strategy, and for each
#   - the idle CPU of daemon a: utime+stime from /proc/PID/stat over --seconds, in % of one core
#     (the whole JVM: workers, control thread, GC), with the tunnel up and nothing on it;
#   - ping RTT a → b through the idle tunnel: --pings pings at 0.2 s, min / avg / p99 in ms;
#   - iperf3 TCP b → a for --iperf seconds, to show the strategy costs no throughput.
# Writes a Markdown table to OUT/idle-DATE.md and prints it.
#
#   --strategies "S..."  which ones (default: "spin backoff interrupt")
#   --wire PMD          af_packet or af_xdp, the daemons' wire port driver (default af_packet)
#   --seconds N         idle CPU measured over N seconds (default 10)
#   --pings N           pings (default 50)
#   --iperf N           iperf3 seconds (default 3; 0: none)
#   --out DIR           where the table goes (default bench/results; scratch runs: bench/results/tmp)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

STRATEGIES="spin backoff interrupt" SECONDS_IDLE=10 PINGS=50 IPERF=3 OUT= ONE=
export WIRE_PMD=${WIRE_PMD:-af_packet}
while [ $# -gt 0 ]; do
    case $1 in
        --strategies) STRATEGIES=$2; shift 2 ;;
        --wire) WIRE_PMD=$2; shift 2 ;;
        --seconds) SECONDS_IDLE=$2; shift 2 ;;
        --pings) PINGS=$2; shift 2 ;;
        --iperf) IPERF=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --one) ONE=$2; shift 2 ;;   # internal: measure one strategy, print one result line
        -h|--help) awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) echo "unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done

# cpu_ticks PID -- utime + stime of the whole process, in clock ticks
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

if [ -n "$ONE" ]; then
    . "$HERE/e2e/lib.sh"
    need_root
    need_wire_pmd
    ab_pair
    dpdk_daemon a va 10.79.0.1/24 --workers 1 --idle "$ONE" || exit 1
    apid=${E2E_PIDS[-1]}
    dpdk_daemon b vb 10.79.0.2/24 --workers 1 --idle "$ONE" || exit 1
    k=$(keyfile k)
    ctl a peer new --id 1 --remote 10.79.0.2:1194 >/dev/null &&
        ctl a key new --peer 1 --slot primary --key-id 0 --cipher AES-256-GCM --key-material "$k" --role server >/dev/null &&
        ctl b peer new --id 1 --remote 10.79.0.1:1194 >/dev/null &&
        ctl b key new --peer 1 --slot primary --key-id 0 --cipher AES-256-GCM --key-material "$k" --role client >/dev/null ||
        die "peers and keys"
    nsx "$A" ip addr add 5.5.7.1/24 dev tun0; nsx "$A" ip link set tun0 up
    nsx "$B" ip addr add 5.5.7.2/24 dev tun0; nsx "$B" ip link set tun0 up
    nsx "$A" ping -c 3 -i 0.2 -W 2 5.5.7.2 >/dev/null || nsx "$A" ping -c 3 -i 0.2 -W 2 5.5.7.2 >/dev/null ||
        die "no ping through the tunnel"
    sleep 2 # the JIT and the ctl calls settle
    hz=$(getconf CLK_TCK)
    t0=$(cpu_ticks "$apid"); s0=$(date +%s.%N)
    sleep "$SECONDS_IDLE"
    t1=$(cpu_ticks "$apid"); s1=$(date +%s.%N)
    cpu=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v a="$s0" -v b="$s1" 'BEGIN { printf "%.1f", 100 * t / hz / (b - a) }')
    rtt=$(nsx "$A" ping -c "$PINGS" -i 0.2 -W 2 5.5.7.2 | grep -o 'time=[0-9.]*' | cut -d= -f2 | sort -n |
        awk '{ v[NR] = $1; s += $1 } END { if (NR == 0) { print "- | - | -"; exit }
                 i = int(NR * 0.99 + 0.999); if (i > NR) i = NR
                 printf "%.3f | %.3f | %.3f | %d", v[1], s / NR, v[i], NR }')
    mbit=-
    if [ "$IPERF" -gt 0 ]; then
        spawn /dev/null /dev/null "$A" timeout $((IPERF + 15)) iperf3 -s -1 -B 5.5.7.1
        sleep 0.5
        mbit=$(nsx "$B" timeout $((IPERF + 10)) iperf3 -c 5.5.7.1 -t "$IPERF" -J |
            python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))' 2>/dev/null || echo -)
    fi
    how=$(grep -E "idle strategy|RX interrupts" "$E2E_TMP/a.log")
    printf '| %s | %s | %s | %s |\n' "$ONE" "$cpu" "$rtt" "$mbit"
    log "$how"
    exit 0
fi

. "$HERE/lib/common.sh"
[ "$(id -u)" = 0 ] || die "run as root (namespaces, DPDK)"
find_jdk >/dev/null
OUT=${OUT:-$OVPN_ROOT/bench/results}
mkdir -p "$OUT"
report="$OUT/idle-$(date -u +%Y-%m-%d-%H%M).md"
rows=() n=0
for s in $STRATEGIES; do
    n=$((n + 1))
    log "== --idle $s ($WIRE_PMD wire)"
    row=$(E2E_ID="i$$$n" "$0" --one "$s" --seconds "$SECONDS_IDLE" --pings "$PINGS" --iperf "$IPERF") || die "--idle $s failed"
    rows+=("$row")
    log "$row"
done
{
    echo "# Idle strategies, DPDK backend ($(date -u +%Y-%m-%d\ %H:%M) UTC)"
    echo
    echo "$(machine_summary); two DPDK daemons, one worker each, $WIRE_PMD wire on a veth pair, net_tun, --no-huge;"
    echo "idle CPU of daemon a over ${SECONDS_IDLE} s (whole JVM, % of one core); ping a → b through the idle tunnel,"
    echo "$PINGS at 0.2 s; iperf3 TCP b → a ${IPERF} s, one stream. \`scripts/bench-idle.sh --wire $WIRE_PMD\`"
    echo
    echo "| --idle | idle CPU % | ping min ms | avg ms | p99 ms | pings | iperf3 Mbit/s |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
} > "$report"
cat "$report"
log "written to $report"
