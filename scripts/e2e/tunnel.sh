#!/usr/bin/env bash
# The end-to-end scenario, ported from Linux's ovpn selftests (spec §5.11) and FreeBSD's
# if_ovpn.sh (spec §4.9) to our daemons with static keys through the command line:
# a server in MP mode and three P2P clients, each in its own namespace.
#
#   ALG=AES-256-GCM|AES-128-GCM|CHACHA20-POLY1305   cipher            (default AES-256-GCM)
#   TRANSPORT=4|6                                    outer IP version  (default 4)
#   BACKEND=socket|dpdk                              daemon backend    (default socket)
#   WIRE_PMD=af_packet|af_xdp                        the DPDK wire port (default af_packet;
#                                                    af_xdp: skipped where it cannot run)
#   CRYPTO=<--crypto value>                          every daemon's crypto engine (default: the
#                                                    daemon's, auto), e.g. cryptodev:crypto_aesni_gcm0
#   SERVER_CRYPTO=<--crypto value>                   the server's alone (default: CRYPTO)
#   PEER_IDS=asymmetric|symmetric                    asymmetric (Linux's selftests' default): the
#                                                    server knows client c as c and sends it c+9,
#                                                    client c knows the server as c+9 and sends c;
#                                                    symmetric: c on both (default asymmetric)
#
# BACKEND=socket, routed: one veth pair from the server to each client; server veth c =
#   10.10.c.1/24 / fd00:0:0:c::1/64, client c = 10.10.c.2/24 / fd00:0:0:c::2/64.
# BACKEND=dpdk, switched: a DPDK daemon owns exactly one wire port, so every daemon (server and
#   clients) gets one veth into a bridge in a namespace of its own ("w"), the veth being its
#   net_af_packet wire port, or net_af_xdp (--no-huge, net_tun, the net_tap exception interface;
#   dpdk_daemon in lib.sh). One subnet: server 10.10.0.1/16 / fd00::1/48, client c = 10.10.c.2/16 /
#   fd00:0:0:c::2/48 (the same client addresses as the routed topology).
# Tunnel: server 5.5.5.1 / fd05::1, client c = 5.5.5.(c+1) / fd05::(c+1). Peer-ids: a packet
# carries the receiver's id for its sender (the tx-id); with PEER_IDS=asymmetric the server's id
# for client c is c and client c's id for the server is c+9 (cid c), so the two directions carry
# different ids, which a capture on the wire checks.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root

ALG=${ALG:-AES-256-GCM}
TRANSPORT=${TRANSPORT:-4}
BACKEND=${BACKEND:-socket}
CLIENTS=3
PEER_IDS=${PEER_IDS:-asymmetric}
case $PEER_IDS in asymmetric) ID_OFFSET=9 ;; symmetric) ID_OFFSET=0 ;; *) die "PEER_IDS=$PEER_IDS: asymmetric or symmetric" ;; esac
# cid C -- client C's peer-id for the server
cid() { echo $(( $1 + ID_OFFSET )); }
pmd=; [ "$BACKEND" = dpdk ] && [ "$WIRE_PMD" != af_packet ] && pmd=",$WIRE_PMD"
ids=; [ "$PEER_IDS" = symmetric ] && ids=",symmetric-ids"
E2E_NAME="tunnel[$ALG,ipv$TRANSPORT,$BACKEND$pmd$ids]"
case $BACKEND in socket|dpdk) ;; *) die "BACKEND=$BACKEND: socket or dpdk" ;; esac
[ "$BACKEND" = dpdk ] && need_wire_pmd
log "== $E2E_NAME"

# The server's address as client c sees it: its own veth's in the routed topology, the one
# wire address in the switched one.
srv_ip() {
    local c=$1
    [ "$BACKEND" = dpdk ] && c=0
    if [ "$TRANSPORT" = 6 ]; then echo "fd00:0:0:$c::1"; else echo "10.10.$c.1"; fi
}
cli_ip() { if [ "$TRANSPORT" = 6 ]; then echo "fd00:0:0:$1::${2:-2}"; else echo "10.10.$1.${2:-2}"; fi; }
hostport() { if [ "$TRANSPORT" = 6 ]; then echo "[$1]:$2"; else echo "$1:$2"; fi; }
S=$(ns_of s)
# The server runs two workers, except on af_xdp: DPDK 22.11's net_af_xdp takes as many queues
# as the interface has combined channels, and a veth has separate RX/TX channels only
# (ethtool -l: "Combined: n/a"), so it gets one queue ("Specified queue count 2 is larger than
# combined queue count 1"). A NIC has them: ethtool -L IFACE combined N.
SERVER_WORKERS=2
[ "$BACKEND" = dpdk ] && [ "$WIRE_PMD" = af_xdp ] && SERVER_WORKERS=1

# --- topology -------------------------------------------------------------------------
ns_add "$S"
nsx "$S" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
if [ "$BACKEND" = dpdk ]; then
    W=$(ns_of w)
    ns_add "$W"
    # Nothing of the switch's own: no IPv6 (no MLD, no router solicitations), no STP delay,
    # multicast (neighbour solicitations) flooded like broadcast.
    nsx "$W" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    nsx "$W" ip link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    nsx "$W" ip link set br0 up
    # plug NODE VETH: a veth from the switch to NODE's namespace, named VETH there.
    plug() {
        local ns
        ns=$(ns_of "$1")
        ip link add "w$1-$E2E_ID" netns "$W" type veth peer name "$2" netns "$ns"
        nsx "$W" ip link set "w$1-$E2E_ID" name "w$1"
        nsx "$W" ip link set "w$1" master br0 up
        nsx "$ns" ip link set "$2" up
    }
    plug s vs
    for c in $(seq $CLIENTS); do ns_add "$(ns_of c$c)"; plug "c$c" "vc$c"; done
    if [ "$TRANSPORT" = 6 ]; then PLEN=48; else PLEN=16; fi
else
    for c in $(seq $CLIENTS); do
        C=$(ns_of c$c)
        ns_add "$C"
        ip link add "vs$c-$E2E_ID" netns "$S" type veth peer name "vc$c" netns "$C"
        nsx "$S" ip link set "vs$c-$E2E_ID" name "vs$c"
        nsx "$S" ip addr add "10.10.$c.1/24" dev "vs$c"
        nsx "$S" ip -6 addr add "fd00:0:0:$c::1/64" dev "vs$c" nodad
        nsx "$S" ip link set "vs$c" up
        nsx "$C" ip addr add "10.10.$c.2/24" dev "vc$c"
        nsx "$C" ip -6 addr add "fd00:0:0:$c::2/64" dev "vc$c" nodad
        nsx "$C" ip link set "vc$c" up
    done
fi

# --- daemons, peers, keys ---------------------------------------------------------------
# The DPDK daemons listen on their wire address (the fast path writes the IP headers: no
# wildcard), one IP version each.
CRYPTO_ARGS=()
[ -n "${CRYPTO:-}" ] && CRYPTO_ARGS=(--crypto "$CRYPTO")
SERVER_CRYPTO=${SERVER_CRYPTO:-${CRYPTO:-}}
SERVER_CRYPTO_ARGS=()
[ -n "$SERVER_CRYPTO" ] && SERVER_CRYPTO_ARGS=(--crypto "$SERVER_CRYPTO")
if [ "$BACKEND" = dpdk ]; then
    dpdk_daemon s vs "$(srv_ip 0)/$PLEN" --mode mp --workers "$SERVER_WORKERS" "${SERVER_CRYPTO_ARGS[@]}" || { e2e_finish; exit 1; }
    declare -A DPID=([s]=${E2E_PIDS[-1]})
else
    daemon s --tun tun0 --listen "[::]:1194" --mode mp --workers 2 --backend socket "${SERVER_CRYPTO_ARGS[@]}" || exit 1
    SERVER_PID=${E2E_PIDS[-1]}
fi
events s
for c in $(seq $CLIENTS); do
    if [ "$BACKEND" = dpdk ]; then
        dpdk_daemon "c$c" "vc$c" "$(cli_ip "$c")/$PLEN" --mode p2p --workers 1 "${CRYPTO_ARGS[@]}" || { e2e_finish; exit 1; }
        DPID[c$c]=${E2E_PIDS[-1]}
    else
        daemon "c$c" --tun tun0 --listen "[::]:1194" --mode p2p --workers 1 --backend socket "${CRYPTO_ARGS[@]}" || exit 1
    fi
    events "c$c"
    k=$(keyfile "k$c")
    check "server: peer $c added" ctl s peer new --id "$c" --tx-id "$(cid "$c")" \
        --remote "$(hostport "$(cli_ip "$c")" 1194)" --vpn-ipv4 "5.5.5.$((c + 1))" --vpn-ipv6 "fd05::$((c + 1))"
    check "server: key for peer $c" ctl s key new --peer "$c" --slot primary --key-id 0 --cipher "$ALG" --key-material "$k" --role server
    check "client $c: peer $(cid "$c") added" ctl "c$c" peer new --id "$(cid "$c")" --tx-id "$c" \
        --remote "$(hostport "$(srv_ip "$c")" 1194)"
    check "client $c: key" ctl "c$c" key new --peer "$(cid "$c")" --slot primary --key-id 0 --cipher "$ALG" --key-material "$k" --role client
    nsx "$(ns_of "c$c")" ip addr add "5.5.5.$((c + 1))/24" dev tun0
    nsx "$(ns_of "c$c")" ip -6 addr add "fd05::$((c + 1))/64" dev tun0 nodad
done
nsx "$S" ip addr add 5.5.5.1/24 dev tun0
nsx "$S" ip -6 addr add fd05::1/64 dev tun0 nodad
NODES="s $(for c in $(seq $CLIENTS); do echo "c$c"; done)"
if [ "$BACKEND" = dpdk ] && [ "$WIRE_PMD" = af_xdp ]; then
    # From here on every daemon's sockets are bound: the kernel behind each wire veth must see
    # nothing more (lib.sh, dpdk_daemon).
    declare -A KFRAMES
    for node in $NODES; do KFRAMES[$node]=$(kernel_frames "$node"); done
    kernel_frames_still() { local now; now=$(kernel_frames "$1"); [ -n "$now" ] && [ "$now" = "${KFRAMES[$1]}" ]; }
fi

# --- traffic ----------------------------------------------------------------------------
if [ "$BACKEND" = dpdk ]; then
    # The wire addresses live on the exception interfaces: ARP/ND and ICMP between two kernels
    # through both DPDK daemons and the switch. This also teaches every daemon its neighbours
    # (otherwise the first tunnel packet to a client is dropped as no_neighbour, with an ARP
    # request sent; the pings below would still pass with one reply of two).
    for c in $(seq $CLIENTS); do
        check "client $c pings the server's wire address (exception paths)" \
            nsx "$(ns_of c$c)" ping -c 2 -i 0.2 -W 2 "$(srv_ip "$c")"
    done
fi
for c in $(seq $CLIENTS); do
    C=$(ns_of c$c)
    check "ping server→client $c"            nsx "$S" ping -c 2 -i 0.2 -W 2 "5.5.5.$((c + 1))"
    check "ping client $c→server"            nsx "$C" ping -c 2 -i 0.2 -W 2 5.5.5.1
    check "ping 3000 B server→client $c"     nsx "$S" ping -c 2 -i 0.2 -W 2 -s 3000 "5.5.5.$((c + 1))"
    check "ping6 server→client $c"           nsx "$S" ping -6 -c 2 -i 0.2 -W 2 "fd05::$((c + 1))"
    check "ping6 3000 B client $c→server"    nsx "$C" ping -6 -c 2 -i 0.2 -W 2 -s 3000 fd05::1
done
check "client 1→client 3 through the server" nsx "$(ns_of c1)" ping -c 2 -i 0.2 -W 2 5.5.5.4

# Peer-ids on the wire, client 1's link (the switch's port in the DPDK topology): each direction
# carries the receiver's id for its sender — 1 towards the server, $(cid 1) towards client 1.
if [ "$BACKEND" = dpdk ]; then cap_ns=$W; cap_if=wc1; else cap_ns=$S; cap_if=vs1; fi
spawn "$E2E_TMP/cap.log" "$E2E_TMP/cap.log" "$cap_ns" timeout 15 tcpdump -i "$cap_if" -U -n -w "$E2E_TMP/ids.pcap" udp port 1194
cap_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$E2E_TMP/cap.log" && break; sleep 0.2; done
nsx "$S" ping -c 3 -i 0.2 -W 2 5.5.5.2 >/dev/null 2>&1
sleep 0.5
kill -INT "$cap_pid" 2>/dev/null; wait "$cap_pid" 2>/dev/null
"$(dirname "$0")/peer-ids.py" "$E2E_TMP/ids.pcap" "$(srv_ip 1)" >"$E2E_TMP/ids.txt" 2>&1
sed 's/^/    /' "$E2E_TMP/ids.txt" >&2
check "wire: data packets to the server carry peer-id 1, and only that" \
    test "$(awk '$1 == "to-server" { print $2 }' "$E2E_TMP/ids.txt" | sort -u | tr '\n' ' ')" = "1 "
check "wire: data packets to client 1 carry peer-id $(cid 1), and only that" \
    test "$(awk '$1 == "from-server" { print $2 }' "$E2E_TMP/ids.txt" | sort -u | tr '\n' ' ')" = "$(cid 1) "
check "flood ping 100 server→client 1"       nsx "$S" ping -f -c 100 -W 2 5.5.5.2

# A LAN behind client 1, reached through an iroute; RPF drops the same source from client 2.
nsx "$(ns_of c1)" ip addr add 11.11.11.11/32 dev lo
nsx "$(ns_of c2)" ip addr add 11.11.11.11/32 dev lo
check "iroute added"                         ctl s route add --peer 1 11.11.11.0/24
nsx "$S" ip route add 11.11.11.0/24 dev tun0
check "ping the LAN behind client 1"         nsx "$S" ping -c 2 -i 0.2 -W 2 11.11.11.11
before=$(stat s drop_source_not_allowed)
check_fails "spoofed source from client 2"   nsx "$(ns_of c2)" ping -c 2 -i 0.2 -W 1 -I 11.11.11.11 5.5.5.1
after=$(stat s drop_source_not_allowed)
check "RPF counted the spoofed packets"      test "$((after - before))" -ge 2

# iperf3 for a few seconds.
spawn "$E2E_TMP/iperf-s.log" "$E2E_TMP/iperf-s.log" "$S" timeout 20 iperf3 -s -1 -B 5.5.5.1
sleep 0.5
check "iperf3 client 1→server 3 s"           nsx "$(ns_of c1)" timeout 20 iperf3 -c 5.5.5.1 -t 3 -f m
grep -E 'receiver' "$LAST" | sed 's/^/    /' >&2 || true

# Junk and a truncated data packet to the server's port do not disturb the tunnel.
json_field() { grep -o "\"$2\":[0-9]*" <<<"$1" | head -1 | cut -d: -f2; }
before=$(ctl s stats --json)
nsx "$(ns_of c1)" bash -c "echo foo > /dev/udp/$(srv_ip 1)/1194; printf '\x48\x00\x00\x01\x00\x00' > /dev/udp/$(srv_ip 1)/1194"
check "tunnel works after junk"              nsx "$S" ping -c 2 -i 0.2 -W 2 5.5.5.2
after=$(ctl s stats --json)
check "the truncated data packet counted as malformed" \
    test "$(( $(json_field "$after" drop_malformed) - $(json_field "$before" drop_malformed) ))" -ge 1
# The junk is not data. The socket backend here has no OpenVPN process's socket to give it to
# (none was handed over) and drops it as not_data; the DPDK backend always has the exception
# path and hands it to the kernel there, as every datagram for the port that is not data.
if [ "$BACKEND" = dpdk ]; then junk=slow_path; else junk=drop_not_data; fi
check "the junk counted as ${junk#drop_}" \
    test "$(( $(json_field "$after" $junk) - $(json_field "$before" $junk) ))" -ge 1
# Routing-loop protection (if_ovpn.sh 4in4/6in6): a host route sends the server's outer address
# into the tunnel, so client 1's own datagrams come back out of its tun0. They are dropped and
# counted, not sealed again; the tunnel works once the route is gone. (A DPDK daemon writes its
# outer frames itself, past the kernel's routes: nothing can loop there.)
if [ "$BACKEND" = socket ]; then
    if [ "$TRANSPORT" = 6 ]; then loop_route=(ip -6 route add "$(srv_ip 1)/128" dev tun0)
    else loop_route=(ip route add "$(srv_ip 1)/32" dev tun0); fi
    before=$(stat c1 drop_routing_loop)
    nsx "$(ns_of c1)" "${loop_route[@]}"
    check_fails "client 1 with the server's address routed into the tunnel: no reply" \
        nsx "$(ns_of c1)" ping -c 2 -i 0.2 -W 1 5.5.5.1
    after=$(stat c1 drop_routing_loop)
    check "…its looping datagrams counted as routing_loop (${after:-none})" test "$(( ${after:-0} - ${before:-0} ))" -ge 2
    nsx "$(ns_of c1)" "${loop_route[@]/add/del}"
    check "…and the tunnel works without the route" nsx "$(ns_of c1)" ping -c 2 -i 0.2 -W 2 5.5.5.1
fi
check_fails "a bad command is refused"       ctl s peer del --id 99
check "…with a message"                      grep -q "no peer 99" "$LAST"

# --- key rollover under traffic -----------------------------------------------------------
k2=$(keyfile k1b)
check "server: secondary key-id 1"           ctl s key new --peer 1 --slot secondary --key-id 1 --cipher "$ALG" --key-material "$k2" --role server
check "client 1: secondary key-id 1"         ctl c1 key new --peer "$(cid 1)" --slot secondary --key-id 1 --cipher "$ALG" --key-material "$k2" --role client
spawn "$E2E_TMP/rollover-ping.log" /dev/null "$(ns_of c1)" ping -i 0.05 -w 6 5.5.5.1
roll_pid=$!
sleep 1
check "client 1 swaps keys"                  ctl c1 key swap --peer "$(cid 1)"
check "traffic with the client on key 1"     nsx "$S" ping -c 2 -i 0.2 -W 2 5.5.5.2
check "server swaps keys"                    ctl s key swap --peer 1
check "traffic with both on key 1"           nsx "$S" ping -c 2 -i 0.2 -W 2 5.5.5.2
check "server deletes the old key"           ctl s key del --peer 1 --slot secondary
check "client 1 deletes the old key"         ctl c1 key del --peer "$(cid 1)" --slot secondary
check "traffic after the old key is gone"    nsx "$(ns_of c1)" ping -c 2 -i 0.2 -W 2 5.5.5.1
check "server: key get primary"              ctl s key get --peer 1 --slot primary
check "…is key-id 1"                         grep -Eq 'key-id 1|key_id=1|"key_id":1' "$LAST"
wait "$roll_pid"
# ping prints a fraction when the loss is not whole ("0.892857% packet loss"): compare as a number.
lost=$(grep -o '[0-9.]*% packet loss' "$E2E_TMP/rollover-ping.log" | cut -d% -f1)
check "ping during the rollover lost ≤ 5 % (${lost:-no summary} %)" awk -v l="${lost:-100}" 'BEGIN { exit !(l <= 5) }'

# --- float: client 1 changes its address; the server follows after the next packet ---------
C1=$(ns_of c1)
if [ "$BACKEND" = dpdk ]; then
    # A DPDK client's wire address is its daemon's for life (--listen: the fast path writes the
    # IP headers itself), so it cannot move the way a socket's source does. The switch moves it
    # instead, as a NAT rebinding does: from now on the server sees client 1's tunnel datagrams
    # come from the new address, and what it sends there goes back to client 1 (stateless,
    # checksums updated by nftables). The server's side of the float is the same.
    if [ "$TRANSPORT" = 6 ]; then fam=ip6; else fam=ip; fi
    nsx "$W" nft -f - <<NFT
table bridge ovd_rebind {
    chain rebind {
        type filter hook forward priority 0; policy accept;
        $fam saddr $(cli_ip 1) udp sport 1194 $fam saddr set $(cli_ip 1 3)
        $fam daddr $(cli_ip 1 3) udp dport 1194 $fam daddr set $(cli_ip 1)
    }
}
NFT
elif [ "$TRANSPORT" = 6 ]; then
    nsx "$C1" ip -6 addr add "fd00:0:0:1::3/64" dev vc1 nodad
    nsx "$C1" ip -6 addr del "fd00:0:0:1::2/64" dev vc1
else
    # Delete first: removing a primary IPv4 address also removes its secondaries.
    nsx "$C1" ip addr del 10.10.1.2/24 dev vc1
    nsx "$C1" ip addr add 10.10.1.3/24 dev vc1
fi
check "client 1 reaches the server from its new address" nsx "$C1" ping -c 2 -i 0.2 -W 2 5.5.5.1
check "the server follows it"                ctl s peer get --id 1
check "…to $(hostport "$(cli_ip 1 3)" 1194)" grep -qF "$(hostport "$(cli_ip 1 3)" 1194)" "$LAST"
check "and replies reach it"                 nsx "$S" ping -c 2 -i 0.2 -W 2 5.5.5.2

# --- delete a peer while a flood ping runs --------------------------------------------------
spawn /dev/null /dev/null "$(ns_of c2)" ping -f -w 4 5.5.5.1
flood=$!
sleep 2
check "server deletes peer 2 under a flood"  ctl s peer del --id 2
wait "$flood"
check "client 2 deletes its peer"            ctl c2 peer del --id "$(cid 2)"
check "the server still serves client 1"     nsx "$S" ping -c 2 -i 0.2 -W 2 5.5.5.2
check_fails "peer 2 is gone"                 ctl s peer get --id 2

# --- keepalive expiry (3 s / 3 s): the server drops the silent client 3 ----------------------
# Setting keepalive restarts the clock (Linux, spec §5.7): with an 8 s timeout the peer is
# still there a second later (each ctl call is a JVM start, seconds on a loaded machine), and
# gone within 20 s; polled, so that load does not fail the check.
check "server: keepalive 3/8 for peer 3"     ctl s peer set --id 3 --keepalive-interval 3 --keepalive-timeout 8
sleep 1
check "peer 3 still there after 1 s (the timer restarted)" ctl s peer get --id 3
check_fails_within "peer 3 expired on the server" 20 ctl s peer get --id 3
check "client 3: keepalive 3/3"              ctl c3 peer set --id "$(cid 3)" --keepalive-interval 3 --keepalive-timeout 3
check_fails_within "and on client 3" 10      ctl c3 peer get --id "$(cid 3)"

# --- notifications seen on each side -----------------------------------------------------------
sleep 0.5
expect_events() {
    local node=$1; shift
    : >"$E2E_TMP/$node.expected"
    [ $# -eq 0 ] || printf '%s\n' "$@" >"$E2E_TMP/$node.expected"
    if diff <(sed -e 's/ *$//' "$E2E_TMP/$node.events") "$E2E_TMP/$node.expected" >"$E2E_TMP/$node.diff"; then
        ok "notifications on $node"
    else
        bad "notifications on $node" "$(tr '\n' ' ' <"$E2E_TMP/$node.diff")"
    fi
}
expect_events s "peer_float peer=1 remote=$(hostport "$(cli_ip 1 3)" 1194)" \
    "peer_deleted peer=2 reason=userspace" "peer_deleted peer=3 reason=expired"
expect_events c1
expect_events c2 "peer_deleted peer=$(cid 2) reason=userspace"
expect_events c3 "peer_deleted peer=$(cid 3) reason=expired"

check "server counters: nothing lost to auth failures" test "$(stat s drop_auth_failed)" -eq 0
log "server stats:"; ctl s stats >&2 || true
if [ "$BACKEND" = socket ]; then
    # The socket backend's own counters (docs/daemon.md): its TUN drops are read from sysfs,
    # which must be the daemon's namespace's, not the host's tun0.
    check "server: the socket backend's counters are in GET_STATS" test -n "$(stat s socket_wire_rx_queue_drops)"
    check "…its TUN drops are its own tun0's" \
        test "$(stat s socket_tun_rx_queue_drops)" = "$(nsx "$S" cat /sys/class/net/tun0/statistics/tx_dropped)"
fi

if [[ $SERVER_CRYPTO == cryptodev* ]]; then
    # The packets went through the offload, and every request came back (docs/engine.md,
    # "Packets in flight"): nothing failed, nothing refused, nothing left in flight.
    for node in $NODES; do
        [ "$node" = s ] || [[ ${CRYPTO:-} == cryptodev* ]] || continue
        check "$node: PING names the cryptodev engine" ctl "$node" ping
        check "…crypto cryptodev"                      grep -Eq 'crypto[ =:"]+cryptodev' "$LAST"
    done
    check "server: packets went through the engine ($(stat s crypto_submitted) requests)" \
        test "$(stat s crypto_submitted)" -gt 1000
    check "server: every request completed, none failed or refused" \
        test "$(stat s crypto_failed)" -eq 0 -a "$(stat s drop_crypto_failed)" -eq 0 -a "$(stat s crypto_busy)" -eq 0
fi

if [ "$BACKEND" = dpdk ] && [ "$WIRE_PMD" = af_xdp ]; then
    for node in $NODES; do
        check "$node: af_xdp took every frame (none reached the kernel on its veth)" kernel_frames_still "$node"
    done
fi

# --- DPDK: every daemon stops cleanly ----------------------------------------------------------
# After floats, peer deletions under a flood, key swaps and expiries: SIGTERM stops each DPDK
# daemon with every mbuf back in its pool and its interfaces gone (the socket backend has no
# pool: nothing to check there).
# afxdp_left_ok LOG -- the close line: one queue's fill ring (2048), at most a TX ring sent after
afxdp_left_ok() {
    local sent
    sent=$(grep -o "2048 in the kernel's fill and RX rings, [0-9]* sent" "$1" | awk '{ print $9 }')
    [ -n "$sent" ] && [ "$sent" -le 1024 ]
}
if [ "$BACKEND" = dpdk ]; then
    for node in "${!DPID[@]}"; do kill -TERM "${DPID[$node]}"; done
    for node in $NODES; do
        for _ in $(seq 100); do alive "${DPID[$node]}" || break; sleep 0.2; done
        if alive "${DPID[$node]}"; then
            bad "$node: stopped on SIGTERM" "still running after 20 s"
            stuck_report "${DPID[$node]}" "$E2E_TMP/$node.log"
        else
            ok "$node: stopped on SIGTERM"
        fi
        if [ "$WIRE_PMD" = af_xdp ]; then
            # DPDK 22.11's net_af_xdp never gives back the 2048 mbufs of its queue's fill ring,
            # nor those the kernel completed after its last look (DpdkBackend.leftOver): anything
            # beyond that, more than one TX ring (1024), would be ours. The exact check is the
            # af_packet run's (tunnel-dpdk.sh).
            check "…with every mbuf back but those net_af_xdp keeps" afxdp_left_ok "$E2E_TMP/$node.log"
        else
            check "…with every mbuf back in the pool" grep -q "mbufs in use after the ports closed: 0" "$E2E_TMP/$node.log"
        fi
        if [[ $node == s && $SERVER_CRYPTO == cryptodev* || $node != s && ${CRYPTO:-} == cryptodev* ]]; then
            check "…and every crypto op and session back" grep -q "closed: ops in use 0, sessions in use 0" "$E2E_TMP/$node.log"
        fi
        check_fails "…and its interfaces gone"    nsx "$(ns_of "$node")" ip link show tun0-x
    done
fi
if [ "$BACKEND" = socket ] && [[ $SERVER_CRYPTO == cryptodev* ]]; then
    # The socket backend's cryptodev engine runs in an EAL of its own: at stop every op and
    # session must be back there too (the DPDK backend's daemons are checked above).
    kill -TERM "$SERVER_PID"
    for _ in $(seq 100); do alive "$SERVER_PID" || break; sleep 0.2; done
    check_fails "s: stopped on SIGTERM"          alive "$SERVER_PID"
    check "…and every crypto op and session back" grep -q "closed: ops in use 0, sessions in use 0" "$E2E_TMP/s.log"
fi
e2e_finish
