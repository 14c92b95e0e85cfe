#!/usr/bin/env bash
# The slow path, as if_ovpn's contract has it (ARCHITECTURE.md, socket backend): a process
# playing OpenVPN owns the UDP socket and hands it to the daemon with NEW_PEER; from then
# on P2P data packets are taken by the workers, and every other datagram still reaches
# that socket, unchanged. Run twice: the daemon started while an earlier OpenVPN process still
# holds the port (it waits for it to go, then that process's successor binds after the
# daemon, as after a lost daemon), and the daemon started first (the normal order).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
log "== slowpath"

A=$(ns_of a) B=$(ns_of b)
ns_add "$A"; ns_add "$B"
ip link add "va-$E2E_ID" netns "$A" type veth peer name "vb-$E2E_ID" netns "$B"
nsx "$A" ip addr add 10.79.0.1/24 dev "va-$E2E_ID"; nsx "$A" ip link set "va-$E2E_ID" up
nsx "$B" ip addr add 10.79.0.2/24 dev "vb-$E2E_ID"; nsx "$B" ip link set "vb-$E2E_ID" up
daemon b --tun tun0 --listen 10.79.0.2:1194 --mode p2p --workers 1 || exit 1
ctl b peer new --id 7 --remote 10.79.0.1:1194 >/dev/null
nsx "$B" ip addr add 5.9.0.2/24 dev tun0

for order in openvpn-first daemon-first; do
    # A fresh key each round: the new daemon A starts its packet-ids at 1 again.
    key=$(keyfile "slow-$order")
    ctl b key new --peer 7 --slot primary --key-id 0 --cipher AES-256-GCM --key-material "$key" --role client >/dev/null
    state=$E2E_TMP/$order; mkdir -p "$state"
    sock="/run/ovpn-dpdk/$E2E_ID-a.sock"
    if [ "$order" = openvpn-first ]; then
        # An OpenVPN process holds the port when the daemon starts: the daemon must wait for
        # it to go rather than bind behind it (its workers would then not be 0..N-1).
        early=$E2E_TMP/early; mkdir -p "$early"
        spawn "$early/py.log" "$early/py.log" "$A" python3 "$(dirname "$0")/openvpn-process.py" 10.79.0.1 1194 "$early" 90 -- true
        for _ in $(seq 100); do [ -f "$early/bound" ] && break; sleep 0.1; done
        spawn "$E2E_TMP/a.log" "$E2E_TMP/a.log" "$A" "$OVPN" daemon --control "$sock" --tun tun0 --listen 10.79.0.1:1194 --mode p2p --workers 2
        apid=$!
        for _ in $(seq 100); do grep -q "is held by another socket" "$E2E_TMP/a.log" && break; sleep 0.1; done
        check "$order: the daemon waits for the earlier process's socket to go" grep -q "waiting up to" "$E2E_TMP/a.log"
        touch "$early/release"
        for _ in $(seq 150); do ctl a stats >/dev/null 2>&1 && break; sleep 0.1; done
        check "$order: then it binds first and is ready" grep -q "ready:" "$E2E_TMP/a.log"
    else
        daemon a --tun tun0 --listen 10.79.0.1:1194 --mode p2p --workers 2 || exit 1
        apid=${E2E_PIDS[-1]}
    fi
    spawn "$state/py.log" "$state/py.log" "$A" python3 "$(dirname "$0")/openvpn-process.py" 10.79.0.1 1194 "$state" 90 -- \
        "$OVPN" --control "$sock" peer new --id 7 --remote 10.79.0.2:1194
    py=$!
    for _ in $(seq 100); do [ -f "$state/bound" ] && break; sleep 0.1; done
    touch "$state/go"
    for _ in $(seq 150); do [ -f "$state/handed" ] || [ -f "$state/failed" ] && break; sleep 0.1; done
    check "$order: the daemon adopted the OpenVPN socket" test -f "$state/handed"
    [ -f "$state/failed" ] && cat "$state/failed" >&2
    ctl a key new --peer 7 --slot primary --key-id 0 --cipher AES-256-GCM --key-material "$key" --role server >/dev/null
    nsx "$A" ip addr add 5.9.0.1/24 dev tun0 2>/dev/null

    check "$order: data flows through the workers" nsx "$A" ping -c 20 -i 0.05 -W 2 -q 5.9.0.2
    # Control-channel and other non-data datagrams from the peer's address to the port.
    slow_path_datagrams "$B" 10.79.0.1
    touch "$state/stop"   # the datagrams are sent: count what arrives and report
    wait "$py"
    counts=$(cat "$state/counts" 2>/dev/null)
    log "  OpenVPN's socket received: $counts"
    check "$order: every control packet reached the OpenVPN socket" grep -q 'control=11 ' "$state/counts"
    check "$order: no data packet reached it" grep -q 'data=0 ' "$state/counts"
    check "$order: junk reached it too, unchanged" grep -q 'other=1$' "$state/counts"
    rx=$(stat a link_rx_packets)
    check "$order: the workers decrypted the pings ($rx packets)" test "${rx:-0}" -ge 20
    # Next round: a fresh daemon A (its TUN goes with it).
    kill "$apid" 2>/dev/null
    wait "$apid" 2>/dev/null
done
e2e_finish
