#!/usr/bin/env bash
# Every datagram accounted (issue 12): whatever reaches the daemon's UDP port — empty, one byte,
# truncated, junk, control, P_DATA_V1, unknown peer, unknown key, a forged tag, oversize — is
# delivered or counted under a drop reason or a named port counter. One daemon (mp, 2 workers,
# one peer with a key) in namespace a; namespace b sends COUNT datagrams of each kind in turn,
# and for each kind the daemon's counters must have moved by exactly COUNT in the counter that
# kind belongs to, and by COUNT in all of the receive side's counters together.
#
#   BACKEND=socket|dpdk   the daemon's backend (default socket)
#   COUNT=N               datagrams per kind (default 200)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root

BACKEND=${BACKEND:-socket}
COUNT=${COUNT:-200}
E2E_NAME="datagrams[$BACKEND]"
log "== $E2E_NAME"
WA=10.78.0.1 WB=10.78.0.2

ab_pair
if [ "$BACKEND" = dpdk ]; then
    dpdk_daemon a va $WA/24 --mode mp --workers 2 || { e2e_finish; exit 1; }
else
    nsx "$A" ip addr add $WA/24 dev va
    daemon a --tun tun0 --listen "$WA:1194" --mode mp --workers 2 --backend socket --cpus none || { e2e_finish; exit 1; }
fi
nsx "$B" ip addr add $WB/24 dev vb
# The sender's checksums filled in by the veth itself (af_packet hands frames on as they are).
nsx "$B" ethtool -K vb tx off >/dev/null
k=$(keyfile k)
check "a: peer 1"  ctl a peer new --id 1 --remote "$WB:1194" --vpn-ipv4 5.5.8.2
check "a: key"     ctl a key new --peer 1 --slot primary --key-id 0 --cipher AES-256-GCM --key-material "$k" --role server
check "b reaches a's address" nsx "$B" ping -c 2 -i 0.2 -W 2 $WA

# The counters a received datagram can end in (GET_STATS, docs/daemon.md, docs/dpdk-backend.md):
# every drop_*, the slow path, and the ports' own receive drops.
counters() { ctl a stats --json; }
delta() { # delta BEFORE AFTER -- "name=change" for every receive-side counter that moved
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rx = lambda k: k.startswith("drop_") or k == "slow_path" or k.startswith(("socket_wire_rx_", "dpdk_wire_rx_")) or k in ("dpdk_exception_to_kernel_drops", "dpdk_wire_imissed", "dpdk_wire_ierrors")
moved = {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b) if rx(k) and isinstance(b.get(k, 0), int)}
print(" ".join("%s=%d" % (k, v) for k, v in sorted(moved.items()) if v))
PY
}
# Where the two backends differ: the DPDK backend hands whatever is not data to the kernel
# (its exception path); the socket backend has no OpenVPN socket here and drops it as not_data.
# A datagram longer than a packet buffer: the socket port drops it itself (too_long). On DPDK
# it is the kernel's (a fragment, on a NIC); the veth here hands the 3000-byte datagram to
# af_packet as one frame, which the exception interface (MTU 1500) refuses: counted there.
# Shorter than 4 bytes: malformed where there is no slow path, the kernel's on DPDK.
if [ "$BACKEND" = dpdk ]; then not_data=slow_path; tiny=slow_path; oversize=dpdk_exception_to_kernel_drops
else not_data=drop_not_data; tiny=drop_malformed; oversize=socket_wire_rx_too_long_drops; fi
for kind in empty:$tiny short:$tiny truncated:drop_malformed junk:$not_data \
        control:$not_data data-v1:drop_data_v1 unknown-peer:drop_unknown_peer unknown-key:drop_unknown_key \
        forged:drop_auth_failed oversize:$oversize; do
    name=${kind%%:*} want=${kind#*:}
    before=$(counters)
    nsx "$B" python3 "$(dirname "$0")/datagram-sender.py" $WA 1194 "$name" "$COUNT"
    sleep 0.5
    after=$(counters)
    moved=$(delta "$before" "$after")
    log "    $name: $moved"
    total=$(tr ' ' '\n' <<<"$moved" | awk -F= '{ s += $2 } END { print s + 0 }')
    check "$COUNT $name datagrams: all $COUNT counted as ${want#drop_}" grep -qw "$want=$COUNT" <<<"$moved"
    check "…and nothing else moved ($total in all)" test "$total" -eq "$COUNT"
done
check "the tunnel's peer is still there" ctl a peer get --id 1
e2e_finish
