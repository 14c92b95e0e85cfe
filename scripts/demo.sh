#!/usr/bin/env bash
# The demo: a tunnel between two network namespaces with traffic through it.
# Sets up if needed, starts an ovpn-dpdk daemon in each namespace (socket backend), installs
# static keys, assigns tunnel addresses, pings and runs iperf3 through the tunnel, prints the
# throughput and the daemons' counters, and cleans everything up. Needs root.
#   scripts/demo.sh [--cipher AES-256-GCM] [--seconds 5] [--workers 1]
set -uo pipefail
cipher=AES-256-GCM seconds=5 workers=1
while [ $# -gt 0 ]; do
    case $1 in
        --cipher) cipher=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "demo: unknown option $1" >&2; exit 2 ;;
    esac
done
. "$(dirname "$0")/e2e/lib.sh"
E2E_NAME=demo
need_root
[ -f "$OVPN_ROOT/control/target/ovpn-dpdk.jar" ] || "$OVPN_ROOT/scripts/setup.sh" || exit 1

A=$(ns_of a) B=$(ns_of b)
log "demo: namespaces $A (10.77.0.1) and $B (10.77.0.2) on a veth pair"
ns_add "$A"; ns_add "$B"
ip link add "va-$E2E_ID" netns "$A" type veth peer name "vb-$E2E_ID" netns "$B"
nsx "$A" ip addr add 10.77.0.1/24 dev "va-$E2E_ID"; nsx "$A" ip link set "va-$E2E_ID" up
nsx "$B" ip addr add 10.77.0.2/24 dev "vb-$E2E_ID"; nsx "$B" ip link set "vb-$E2E_ID" up

log "demo: starting a daemon in each ($cipher, $workers worker(s))"
daemon a --tun ovpn0 --listen 10.77.0.1:1194 --mode p2p --workers "$workers" || exit 1
daemon b --tun ovpn0 --listen 10.77.0.2:1194 --mode p2p --workers "$workers" || exit 1
key=$(keyfile demo)
ctl a peer new --id 1 --remote 10.77.0.2:1194 >/dev/null && \
ctl a key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role server >/dev/null && \
ctl b peer new --id 1 --remote 10.77.0.1:1194 >/dev/null && \
ctl b key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role client >/dev/null || exit 1
nsx "$A" ip addr add 5.5.5.1/24 dev ovpn0
nsx "$B" ip addr add 5.5.5.2/24 dev ovpn0

log "demo: ping through the tunnel"
nsx "$A" ping -c 3 -i 0.2 5.5.5.2 || exit 1
log "demo: iperf3 TCP for $seconds s through the tunnel"
spawn /dev/null /dev/null "$B" timeout $((seconds + 15)) iperf3 -s -1 -B 5.5.5.2
sleep 0.5
nsx "$A" timeout $((seconds + 10)) iperf3 -c 5.5.5.2 -t "$seconds" -f m | tee "$E2E_TMP/iperf.txt" || exit 1
rate=$(awk '/receiver/ {print $(NF-2), $(NF-1)}' "$E2E_TMP/iperf.txt")
echo
echo "demo: ovpn-dpdk tunnel throughput: ${rate:-unknown} (iperf3 TCP, $cipher, socket backend)"
echo "demo: counters of the daemon in $A:"
ctl a stats
echo "demo: peer 1 as the daemon in $B sees it:"
ctl b peer get --id 1
