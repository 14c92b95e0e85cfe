#!/usr/bin/env bash
# The DPDK backend with an mbuf pool barely larger than its drivers' receive rings (net_tun and
# net_tap fill theirs at start): under a flood through the tunnel the drivers run out of mbufs
# to receive into. That must stay a counted drop (rx_nombuf and the like, in `stats`): the
# daemon keeps running, the tunnel works afterwards, and every mbuf is back in the pool when
# it stops. The DPDK side as in dpdk-pair.sh (lib.sh's dpdk_daemon: net_af_packet on a veth kept
# off the kernel by an nftables netdev chain); the other side is the socket backend.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root

E2E_NAME="dpdk-mbufs"
# The pool: what the tunnel and exception interfaces' receive rings take at start (1023 each
# with one worker) and a few dozen for everything else.
MBUFS=${MBUFS:-2080}
log "== $E2E_NAME (--mbufs $MBUFS)"
if ! "$OVPN" daemon --help >/dev/null 2>&1; then die "ovpn-dpdk is not built"; fi
if ! ldconfig -p | grep 'librte_eal\.so\.23 ' >/dev/null; then # no -q: pipefail and SIGPIPE
    log "$E2E_NAME: DPDK 22.11 is not installed (librte_eal.so.23); skipped"; exit 77
fi

ab_pair

WIRE_PMD=af_packet   # the pool above is sized for it (net_af_xdp keeps 2048 mbufs in its fill ring)
dpdk_daemon a va 10.78.0.1/24 --workers 1 --mbufs "$MBUFS" || { e2e_finish; exit 1; }
apid=${E2E_PIDS[-1]}
nsx "$B" ip addr add 10.78.0.2/24 dev vb
nsx "$B" ethtool -K vb tx off >/dev/null # see dpdk-pair.sh: af_packet passes unfilled checksums on
daemon b --tun tun0 --listen 10.78.0.2:1194 --backend socket --workers 1 --cpus none || { e2e_finish; exit 1; }
nsx "$B" ip link set tun0 mtu 1448

k=$(keyfile k)
check "a: peer"  ctl a peer new --id 1 --remote 10.78.0.2:1194
check "a: key"   ctl a key new --peer 1 --slot primary --key-id 0 --cipher AES-256-GCM --key-material "$k" --role server
check "b: peer"  ctl b peer new --id 1 --remote 10.78.0.1:1194
check "b: key"   ctl b key new --peer 1 --slot primary --key-id 0 --cipher AES-256-GCM --key-material "$k" --role client
nsx "$A" ip addr add 5.5.7.1/24 dev tun0
nsx "$B" ip addr add 5.5.7.2/24 dev tun0
nsx "$A" ip link set tun0 up; nsx "$B" ip link set tun0 up

check "a → b tunnel ping"                       nsx "$A" ping -c 3 -i 0.2 -W 2 5.5.7.2
free0=$(stat a dpdk_mbufs_free)
log "  a's pool: $(stat a dpdk_mbufs_in_use) mbufs in use, $free0 free"
check "a's pool has only a few dozen mbufs free" test "${free0:-9999}" -le 64
check "…and a warned about it at start"         grep -q "is fewer than the rings and bursts" "$E2E_TMP/a.log"

# The flood: UDP both ways through the tunnel at once, and a flood ping.
spawn /dev/null /dev/null "$A" timeout 20 iperf3 -s -1 -B 5.5.7.1 -p 5201
spawn /dev/null /dev/null "$B" timeout 20 iperf3 -s -1 -B 5.5.7.2 -p 5202
sleep 0.5
nsx "$B" timeout 15 iperf3 -c 5.5.7.1 -p 5201 -u -b 1G -l 1400 -t 3 >/dev/null 2>&1 &
f1=$!
nsx "$A" timeout 15 iperf3 -c 5.5.7.2 -p 5202 -u -b 1G -l 1400 -t 3 >/dev/null 2>&1 &
f2=$!
nsx "$B" timeout 10 ping -f -c 2000 -s 1400 -W 1 5.5.7.1 >/dev/null 2>&1
wait "$f1" "$f2" 2>/dev/null

check "a is still running after the flood"      alive "$apid"
check "a: stats"                                ctl a stats
log "$(cat "$LAST")"
check "…carries the drivers' rx_nombuf"         test -n "$(stat a dpdk_wire_rx_nombuf)"
log "  a ran out: rx_nombuf wire $(stat a dpdk_wire_rx_nombuf) tunnel $(stat a dpdk_tunnel_rx_nombuf)" \
    "exception $(stat a dpdk_exception_rx_nombuf), imissed wire $(stat a dpdk_wire_imissed)," \
    "no_buffer $(stat a drop_no_buffer), tx_full $(stat a drop_tx_full)"
check "…and the pool is whole again at rest"    test "$(stat a dpdk_mbufs_free)" -ge "$((free0 - 32))"
# DPDK 22.11's tap driver (net_tun, net_tap) stops reading a queue after it found no mbuf, until
# the process's next SIGIO from any tap device; if the kernel's tun0 queue filled meanwhile, no
# new packet queues there to raise one. The exception path's traffic does: the ping to the
# wire address first (docs/dpdk-backend.md, "Drops and counters").
if nsx "$A" ping -c 1 -W 1 5.5.7.2 >/dev/null 2>&1; then came=yes; else came=no; fi
log "  the tunnel answered at once after the flood: $came"
check "b still reaches a's wire address"        nsx "$B" ping -c 2 -i 0.2 -W 2 10.78.0.1
check "a → b tunnel ping after the flood"       nsx "$A" ping -c 3 -i 0.2 -W 2 5.5.7.2
check "b → a 3000 B after the flood"            nsx "$B" ping -c 3 -i 0.2 -W 2 -s 3000 5.5.7.1

check "a stops on SIGTERM"                      kill -TERM "$apid"
for _ in $(seq 50); do alive "$apid" || break; sleep 0.2; done
check_fails "…and exits"                        alive "$apid"
log "$(grep -E 'dpdk:|SEVERE|died' "$E2E_TMP/a.log")"
check "…no worker died"                         sh -c "! grep -Eq 'SEVERE|died' '$E2E_TMP/a.log'"
check "…and every mbuf back in the pool"        grep -q "mbufs in use after the ports closed: 0" "$E2E_TMP/a.log"
e2e_finish
