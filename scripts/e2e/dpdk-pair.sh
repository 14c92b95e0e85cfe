#!/usr/bin/env bash
# The DPDK backend end to end: two namespaces on one veth pair; side a runs ovpn-dpdk with
# --backend dpdk (net_af_packet on its veth, net_tun, the net_tap exception interface,
# --no-huge), side b runs either the socket backend (PEER=socket: the mixed pair) or DPDK too
# (PEER=dpdk); IDLE=spin|backoff|interrupt is the DPDK daemons' --idle (default: theirs).
# Checks: the worker's idle strategy, ARP and ping to the wire address through the exception
# path, tunnel ping v4/v6 (small and 3000 B, fragmented inside), iperf3 TCP, counters, the
# exception path's counters in stats and in the log, and that the daemon stops cleanly (mbufs
# back in the pool).
#
# The kernel must stay out of the DPDK side's veth: af_packet does not steal frames, so an
# nftables netdev ingress chain with policy drop on it stops the kernel while af_packet still
# sees every frame (ARCHITECTURE.md, dpdk backend); the veth has no address of its own, the
# exception interface has it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root

PEER=${PEER:-socket}
ALG=${ALG:-AES-256-GCM}
TRANSPORT=${TRANSPORT:-4}
E2E_NAME="dpdk-pair[a=dpdk,b=$PEER,$ALG,ipv$TRANSPORT${DPDK_HUGE:+,hugepages}${IDLE:+,idle=$IDLE}]"
if [ "$TRANSPORT" = 6 ]; then
    WA=fd77::1 WB=fd77::2 PLEN=64 HA="[fd77::1]" HB="[fd77::2]" TUN_MTU=1428 PING="ping -6"
else
    WA=10.77.0.1 WB=10.77.0.2 PLEN=24 HA=10.77.0.1 HB=10.77.0.2 TUN_MTU=1448 PING=ping
fi
log "== $E2E_NAME"
if ! "$OVPN" daemon --help >/dev/null 2>&1; then die "ovpn-dpdk is not built"; fi

ab_pair

dpdk_daemon a va $WA/$PLEN --workers 1 || { e2e_finish; exit 1; }
apid=${E2E_PIDS[-1]}
if [ "$PEER" = dpdk ]; then
    dpdk_daemon b vb $WB/$PLEN --workers 1 || { e2e_finish; exit 1; }
else
    nsx "$B" ip addr add "$WB/$PLEN" dev vb nodad 2>/dev/null || nsx "$B" ip addr add "$WB/$PLEN" dev vb
    # A veth hands frames on with the UDP/TCP checksum left for "hardware" to fill in; af_packet
    # on the DPDK side then passes them to the kernel as they are, and the kernel drops them as
    # bad. Real NICs fill the checksum in: so does this veth, with the offload off.
    nsx "$B" ethtool -K vb tx off >/dev/null
    daemon b --tun tun0 --listen "$HB:1194" --backend socket --workers 1 --cpus none || { e2e_finish; exit 1; }
    # The same tunnel MTU on both ends, as OpenVPN's tun-mtu would be: the DPDK side does not
    # reassemble outer IP fragments (they go to the kernel through the exception path).
    nsx "$B" ip link set tun0 mtu "$TUN_MTU"
fi
events a; events b

if [ -n "${DPDK_HUGE:-}" ]; then
    # The EAL took its memory from the reserved pages, not from the heap.
    check "the DPDK sides' EAL memory is hugepages ($(awk '/HugePages_Free/ {f=$2} /HugePages_Total/ {t=$2} END {print t - f " of " t}' /proc/meminfo) in use)" \
        test "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -lt "$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)"
fi

# The idle strategy (--idle, IDLE= here): by default the worker sleeps on RX interrupts of all
# three of its queues — net_tun's and net_tap's own descriptors, the wire driver's socket.
if [ "${IDLE:-interrupt}" = interrupt ]; then
    check "a: the worker sleeps on the RX interrupts of its wire, tunnel and exception queues" grep -q \
        "idle strategy interrupt (.*sleep on the RX interrupts of wire port queue 0 (its net_$WIRE_PMD socket), tunnel port queue 0, exception port queue 0)" "$E2E_TMP/a.log"
else
    check "a: the worker idles by --idle $IDLE" grep -q "worker 0: idle strategy $IDLE " "$E2E_TMP/a.log"
fi
check "a: the exception interface carries the wire address" nsx "$A" ip -o addr show dev tun0-x
check "…$WA/$PLEN"                            grep -q "$WA/$PLEN" "$LAST"
check "a: exception interface has the wire MAC" test "$(nsx "$A" cat /sys/class/net/tun0-x/address)" = "$(nsx "$A" cat /sys/class/net/va/address)"
check "a: tunnel MTU is the wire MTU less the overhead" test "$(nsx "$A" cat /sys/class/net/tun0/mtu)" = "$TUN_MTU"
check "b pings a's wire address (ARP/ND + ICMP through the exception path)" nsx "$B" $PING -c 3 -i 0.2 -W 2 $WA

# A process plays OpenVPN on a: its UDP socket is bound to the wire address, which lives on
# the exception interface, and handed over with NEW_PEER as OpenVPN does; the DPDK backend
# has nothing to take over and leaves the socket where it is.
state=$E2E_TMP/openvpn; mkdir -p "$state"
spawn "$state/py.log" "$state/py.log" "$A" python3 "$(dirname "$0")/openvpn-process.py" $WA 1194 "$state" 90 -- \
    "$OVPN" --control "/run/ovpn-dpdk/$E2E_ID-a.sock" peer new --id 1 --remote "$HB:1194"
py=$!
for _ in $(seq 100); do [ -f "$state/bound" ] && break; sleep 0.1; done
touch "$state/go"
for _ in $(seq 150); do [ -f "$state/handed" ] || [ -f "$state/failed" ] && break; sleep 0.1; done
check "a: peer, with the OpenVPN process's socket" test -f "$state/handed"
[ -f "$state/failed" ] && cat "$state/failed" >&2
k=$(keyfile k)
check "a: key"   ctl a key new --peer 1 --slot primary --key-id 0 --cipher "$ALG" --key-material "$k" --role server
check "b: peer"  ctl b peer new --id 1 --remote "$HA:1194"
check "b: key"   ctl b key new --peer 1 --slot primary --key-id 0 --cipher "$ALG" --key-material "$k" --role client
nsx "$A" ip addr add 5.5.6.1/24 dev tun0
nsx "$A" ip -6 addr add fd06::1/64 dev tun0 nodad
nsx "$B" ip addr add 5.5.6.2/24 dev tun0
nsx "$B" ip -6 addr add fd06::2/64 dev tun0 nodad
nsx "$A" ip link set tun0 up; nsx "$B" ip link set tun0 up

# The first packet from a may find no neighbour entry for b yet (counted, ARP sent): retry.
check "a → b tunnel ping"                       nsx "$A" ping -c 3 -i 0.2 -W 2 5.5.6.2
check "b → a tunnel ping"                       nsx "$B" ping -c 3 -i 0.2 -W 2 5.5.6.1
check "a → b tunnel ping IPv6"                  nsx "$A" ping -6 -c 3 -i 0.2 -W 2 fd06::2
check "a → b 3000 B (fragmented inside)"        nsx "$A" ping -c 3 -i 0.2 -W 2 -s 3000 5.5.6.2
check "b → a 3000 B IPv6"                       nsx "$B" ping -6 -c 3 -i 0.2 -W 2 -s 3000 fd06::1
check "b still reaches a's wire address"        nsx "$B" $PING -c 2 -i 0.2 -W 2 $WA

# Control-channel datagrams to a's port go through the exception path to the OpenVPN process.
slow_path_datagrams "$B" "$WA"
touch "$state/stop"   # the datagrams are sent: count what arrives and report
wait "$py"
log "  OpenVPN's socket on a received: $(cat "$state/counts" 2>/dev/null)"
check "every control packet reached the OpenVPN process's socket" grep -q 'control=11 ' "$state/counts"
check "no data packet reached it (the fast path took them all)"  grep -q 'data=0 ' "$state/counts"
check "junk reached it too"                     grep -q 'other=1$' "$state/counts"
check "a counted them as slow path"              test "$(stat a slow_path)" -ge 12

spawn /dev/null /dev/null "$A" timeout 20 iperf3 -s -1 -B 5.5.6.1
sleep 0.5
check "iperf3 TCP b → a through the tunnel"     nsx "$B" timeout 20 iperf3 -c 5.5.6.1 -t 3 -J
rate=$(python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6))' "$LAST" 2>/dev/null || echo 0)
log "  iperf3 through the $E2E_NAME tunnel: $rate Mbit/s"
check "…moved data"                             test "${rate:-0}" -gt 0

check "a: counters" ctl a peer get --id 1
check "…no auth failures or replays on a"        sh -c "! grep -Eq 'auth_failed|replay' $LAST"
check "a: stats" ctl a stats
log "$(cat "$LAST")"
# The exception path's counters in stats (GET_STATS dpdk_*): the pings to the wire address,
# the 11 control packets and the junk went to the kernel; nothing dropped on the way.
check "a: stats counts the exception path"      test "$(stat a dpdk_exception_to_kernel_packets)" -ge 12
check "…and frames from the kernel"             test "$(stat a dpdk_exception_from_kernel_packets)" -ge 5
check "…none dropped"                           test "$(stat a dpdk_exception_to_kernel_drops)$(stat a dpdk_exception_from_kernel_drops)" = 00
check "…and shows the mbuf pool"                test "$(stat a dpdk_mbufs_in_use)" -gt 0

check "a stops on SIGTERM"                      kill -TERM "$apid"
for _ in $(seq 50); do [ -S "/run/ovpn-dpdk/$E2E_ID-a.sock" ] || break; sleep 0.2; done
check "…and removed its socket"                 test ! -S "/run/ovpn-dpdk/$E2E_ID-a.sock"
# The socket goes first; the ports, the pool and the EAL after it: wait for the exit.
for _ in $(seq 150); do alive "$apid" || break; sleep 0.2; done
check_fails "…and exited"                       alive "$apid"
check "…its log reports the exception path counters" grep -q "exception path: to kernel" "$E2E_TMP/a.log"
log "$(grep -E 'dpdk:|EAL|WARN|SEVERE' "$E2E_TMP/a.log")"
check "…and every mbuf back in the pool"        grep -q "mbufs in use after the ports closed: 0" "$E2E_TMP/a.log"
check_fails "…and the exception interface is gone" nsx "$A" ip link show tun0-x
e2e_finish
