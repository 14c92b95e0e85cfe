#!/usr/bin/env bash
# End to end with real OpenVPN processes (spec openvpn-integration.md §7): an OpenVPN 2.6
# server in netns srv, four stock Debian OpenVPN clients (disable-dco, explicit-exit-notify 1)
# on a bridge, the fourth behind a NAT; topology in openvpn-lib.sh.
#
#   OVPN_SERVER=patched|stock   patched (default): the DCO-patched OpenVPN with an ovpn-dpdk
#                               daemon (--mode mp) started first; stock: /usr/sbin/openvpn with
#                               its userspace data path and no daemon (the baseline, check 9)
#   BACKEND=socket|dpdk         the daemon's backend (default socket); dpdk: af_packet on the
#                               server's veth (dpdk_daemon), OpenVPN's local is the wire address
#                               on the exception interface and its tun-mtu the daemon's
#   OVPN_P2P=1                  check 10 instead: client 1 is the patched OpenVPN in p2p mode on a
#                               --mode p2p daemon (bind, local/lport = the daemon's --listen),
#                               the server is stock; checks 1, 2 and 4 (on client 1)
#   OPENVPN_PATCHED=PATH        the patched binary; default: what scripts/build-openvpn.sh
#                               built (skipped, exit 77, when there is none)
#
# Checks (numbers as in the spec; "DCO" = only where a daemon carries the data):
#  1 pings both ways (iroutes), 0 % loss; iperf3 through every client in parallel; DCO: the
#    daemon's link_/vpn_ counters moved by at least iperf3's bytes, no auth/replay/no-key drops,
#    the DCO OpenVPN process's CPU time < 10 % of the wall time; no decrypt errors in any log
#  2 renegotiations under ping -i 0.02 (odd clients initiate, the server those of even ones;
#    p2p: client 1, then the server): 0 lost, no data on a retired key-id, ≥ 3 per client;
#    DCO: the key-id in `key get` advances
#  3 client 2 exits (SIGTERM, explicit-exit-notify): gone from the status file, DCO: peer_deleted
#    userspace and gone from peer get; its iroute gone; restarted, it works again
#  4 client 3 silenced on the bridge: the server drops it after ping-restart (DCO: peer_deleted
#    expired, "ping expired"); unsilenced, it comes back
#  5 client 4's NAT rebinds mid-ping: "floated" (DCO: peer_float), ≤ 3 pings lost, then a
#    renegotiation completes without a reconnect
#  6 server SIGHUP, then SIGTERM and a new process: every client back
#  7 server SIGKILL (DCO: its peers deleted, reason teardown), a new process: clients back
#  7b DCO server: OpenVPN stopped while 2000 notifications go by and client 1's peer is deleted:
#    resumed, it sees the gap, re-reads the peers and closes client 1 (expired); it comes back
#  8 DCO: the daemon SIGKILLed and restarted under the running server: clients back, on the daemon
#  9 patched: no daemon: the server says it falls back ("disabling data channel offload") and
#    serves the clients in userspace
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/openvpn-lib.sh"
need_root

OVPN_SERVER=${OVPN_SERVER:-patched}
BACKEND=${BACKEND:-socket}
OVPN_P2P=${OVPN_P2P:-0}
case $OVPN_SERVER in patched|stock) ;; *) die "OVPN_SERVER=$OVPN_SERVER: patched or stock" ;; esac
case $BACKEND in socket|dpdk) ;; *) die "BACKEND=$BACKEND: socket or dpdk" ;; esac
if [ "$OVPN_P2P" = 1 ]; then
    E2E_NAME="openvpn[p2p client, $BACKEND]"
    OVPN_SERVER=stock DCO_NODE=c1 DCO_MODE=p2p
elif [ "$OVPN_SERVER" = patched ]; then
    E2E_NAME="openvpn[patched server, $BACKEND]"
    DCO_NODE=srv DCO_MODE=mp
else
    E2E_NAME="openvpn[stock server]"
    DCO_NODE= DCO_MODE=
fi
for cmd in openssl iperf3 nft python3 "$OPENVPN_STOCK"; do
    command -v "$cmd" >/dev/null || { log "$E2E_NAME: skipped: $cmd is not installed"; exit 77; }
done

# The patched binary: OPENVPN_PATCHED, else the build script's, if it says it is built.
# Built means build/openvpn/sbin/openvpn exists (scripts/setup.sh runs the build); the script
# then only checks its stamp and prints the path (or builds again if the series changed).
PATCHED=
if [ -n "$DCO_NODE" ]; then
    if [ -n "${OPENVPN_PATCHED:-}" ]; then
        [ -x "$OPENVPN_PATCHED" ] || die "OPENVPN_PATCHED=$OPENVPN_PATCHED is not an executable"
        PATCHED=$OPENVPN_PATCHED
    elif [ -x "$OVPN_ROOT/build/openvpn/sbin/openvpn" ] && [ -x "$OVPN_ROOT/scripts/build-openvpn.sh" ]; then
        PATCHED=$("$OVPN_ROOT/scripts/build-openvpn.sh" 2>"$E2E_TMP/build-openvpn.log" | tail -1)
        [ -x "$PATCHED" ] || { cat "$E2E_TMP/build-openvpn.log" >&2; die "scripts/build-openvpn.sh failed"; }
    else
        log "$E2E_NAME: skipped: no patched OpenVPN (build/openvpn/sbin/openvpn: run scripts/build-openvpn.sh, or set OPENVPN_PATCHED)"
        exit 77
    fi
fi
[ "$BACKEND" = dpdk ] && [ -n "$DCO_NODE" ] && need_wire_pmd
[ "$BACKEND" = dpdk ] && [ -z "$DCO_NODE" ] && die "BACKEND=dpdk needs a daemon (OVPN_SERVER=patched or OVPN_P2P=1)"
log "== $E2E_NAME${PATCHED:+ ($PATCHED)}"
T0=$SECONDS
S=$(ns_of srv)
CLIENTS=$(seq -f 'c%g' "$OV_CLIENTS")
DCO_SOCK=/run/ovpn-dpdk/$E2E_ID-$DCO_NODE.sock
CLK_TCK=$(getconf CLK_TCK)
# dco_line: the configuration line that names the daemon's control socket to the patched binary
dco_line() { echo "dco-ovpn-dpdk $DCO_SOCK"; }

# --- set-up -------------------------------------------------------------------------------
DPDK=0; [ "$BACKEND" = dpdk ] && DPDK=1
ov_pki || die "openssl failed to make the PKI"
# p2p: client 1's veth is its daemon's wire port on the DPDK backend, so only srv keeps its address.
if [ "$OVPN_P2P" = 1 ]; then ov_topology $((DPDK * 2)) || die "topology"; else ov_topology "$DPDK" || die "topology"; fi
if [ "$OVPN_P2P" = 1 ] && [ "$DPDK" = 1 ]; then nsx "$(ns_of c1)" ip addr flush dev vc; fi

# start_daemon -- DCO_NODE's daemon (socket: 2 workers; dpdk: on its veth), and an events
# subscription. DAEMON_PID is its PID.
start_daemon() {
    local ifc=vs ip
    ip=$(ov_wire_ip "$DCO_NODE")
    [ "$DCO_NODE" = srv ] || ifc=vc
    if [ "$BACKEND" = dpdk ]; then
        # One worker: DPDK 22.11's net_af_packet joins its queues' sockets in a fanout group
        # with PACKET_FANOUT_FLAG_ROLLOVER (no devarg turns it off), so when one worker falls
        # behind, a client's frames move to the other, and two workers then share one replay
        # window (drop_replay; docs/dpdk-backend.md). A NIC's RSS keeps a flow on its queue.
        dpdk_daemon "$DCO_NODE" "$ifc" "$ip/24" --mode "$DCO_MODE" --workers 1 || return 1
    else
        daemon "$DCO_NODE" --tun tun0 --listen "$ip:$OV_PORT" --mode "$DCO_MODE" --workers 2 --backend socket || return 1
    fi
    DAEMON_PID=${E2E_PIDS[-1]}
    ov_events_start "$DCO_NODE" || log "  (no events subscription for $DCO_NODE)"
}
if [ -n "$DCO_NODE" ]; then
    start_daemon || { e2e_finish; exit 1; }
    # The DPDK backend's tunnel MTU is the wire's less the outer headers: every OpenVPN uses it.
    if [ "$BACKEND" = dpdk ]; then
        OV_TUN_MTU=$(nsx "$(ns_of "$DCO_NODE")" cat /sys/class/net/tun0/mtu)
        log "  tunnel MTU of the DPDK backend: $OV_TUN_MTU"
    fi
fi

if [ "$OVPN_SERVER" = patched ]; then
    ov_server_conf "$OV_DIR/srv.conf" "$(dco_line)"; SERVER_BIN=$PATCHED
else
    ov_server_conf "$OV_DIR/srv.conf" disable-dco; SERVER_BIN=$OPENVPN_STOCK
fi
# The server initiates the renegotiations of even clients (reneg-sec 10 against their 14), odd
# ones initiate their own (7), so both directions of a soft reset are exercised.
declare -A CLIENT_BIN=() CLI_RENEG=()
client_conf() {
    local c=$1
    if [ "$OVPN_P2P" = 1 ] && [ "$c" = c1 ]; then
        OV_CLI_RENEG=${CLI_RENEG[$c]} ov_client_conf "$c" "$OV_DIR/$c.conf" "dev tun0" bind \
            "local $(ov_wire_ip c1)" "lport $OV_PORT" "$(dco_line)"
        CLIENT_BIN[$c]=$PATCHED
    else
        OV_CLI_RENEG=${CLI_RENEG[$c]} ov_client_conf "$c" "$OV_DIR/$c.conf" nobind disable-dco
        CLIENT_BIN[$c]=$OPENVPN_STOCK
    fi
}
for c in $CLIENTS; do
    if [ $((${c#c} % 2)) = 1 ]; then CLI_RENEG[$c]=7; else CLI_RENEG[$c]=14; fi
    client_conf "$c"
done
# server reneg-sec 10, no jitter (min = max), so the even clients' renegotiations are its own
sed -i 's/^reneg-sec .*/reneg-sec 10 10/' "$OV_DIR/srv.conf"

start_server() { ov_mark_up srv; ov_start srv "$SERVER_BIN" "$OV_DIR/srv.conf"; }
start_client() { ov_mark_up "$1"; ov_start "$1" "${CLIENT_BIN[$1]}" "$OV_DIR/$1.conf"; }

# all_back SECS [CLIENT...] -- every (given) client completes a new initialisation within SECS
# (marks taken by the caller with ov_mark_up), then pings the server
all_back() {
    local secs=$1 c list; shift
    list=("$@"); [ $# -gt 0 ] || read -r -a list <<<"$(echo $CLIENTS)"
    for c in "${list[@]}"; do par "$c is back (connected within $secs s)" ov_up "$c" "$secs"; done
    par_wait
    for c in "${list[@]}"; do par "$c pings 10.8.0.1 again" check_ping_eventually "$c" 10; done
    par_wait
}
# check_ping_eventually NODE SECS -- one ping answered within SECS (the first may go before
# the route is there)
check_ping_eventually() {
    local deadline=$((SECONDS + $2))
    until nsx "$(ns_of "$1")" ping -c 1 -W 1 -q 10.8.0.1 >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "no reply to $1's pings for $2 s"; return 1; }
        sleep 0.2     # "Network is unreachable" fails at once
    done
}

dco_peers() { ov_peers "$DCO_NODE"; }
# peer_id_of NODE -- the daemon's peer-id for client NODE (server: by VPN address; p2p: the only one)
peer_id_of() {
    local peers
    peers=$(dco_peers 2>/dev/null) || return 1
    if [ "$DCO_MODE" = p2p ]; then json_num "$(head -1 <<<"$peers")" peer_id
    else json_num "$(ov_peer_of "$peers" "$(ov_vpn_ip "$1")")" peer_id; fi
}
# no_peer_for NODE -- the daemon lists no peer with NODE's VPN address
no_peer_for() { ! dco_peers | grep -qF "\"vpn_ipv4\":\"$(ov_vpn_ip "$1")\""; }
# event_seen ERE -- one of the daemon's events (since the scenario began) matches
event_seen() { ov_events "$DCO_NODE" | grep -qE "$1"; }
LOG_ERRORS='AEAD Decrypt error|bad packet ID|authentication failed'
logs_clean() { ! grep -HE "$LOG_ERRORS" "$OV_DIR"/*.log | cut -c1-200; }
# logs_clean_since NODE... -- the same in what each node logged since its ov_mark
logs_clean_since() {
    local n bad=0
    for n in "$@"; do
        ov_since "$n" | grep -E "$LOG_ERRORS" | sed "s/^/$n: /" | cut -c1-200 | grep . && bad=1
    done
    return $bad
}
drops_zero() {
    local st n v bad=0
    st=$(ctl "$DCO_NODE" stats --json) || return 1
    for n in drop_auth_failed drop_replay drop_no_key; do
        v=$(json_num "$st" "$n"); echo "$n=${v:-missing}"
        [ "${v:-x}" = 0 ] || bad=1
    done
    # every drop counter that is not zero, for the log
    echo "daemon drops: $(grep -o '"drop_[a-z_]*":[1-9][0-9]*' <<<"$st" | tr -d '"' | tr '\n' ' ')"
    return $bad
}
# check_drops NAME -- check NAME drops_zero, and every non-zero drop counter into the log
check_drops() {
    check "$1" drops_zero
    grep -h '^daemon drops' "$LAST" | sed 's/^/    /' >&2
}
# DCO_OVPN: the node whose OpenVPN process the daemon carries (its CPU time is measured)
DCO_OVPN=${DCO_NODE:-srv}

start_server
check "server up" ov_up srv 15
for c in $CLIENTS; do start_client "$c"; done
for c in $CLIENTS; do par "$c connects" ov_up "$c" 30; done
par_wait
if [ "$E2E_FAIL" -gt 0 ]; then
    log "$E2E_NAME: not every client connected; the other checks would only repeat that"
    log "--- the server's log ends:"; grep -vE 'us=[0-9]+   ' "$OV_DIR/srv.log" | tail -15 | cut -c1-200 >&2
    [ -n "$DCO_NODE" ] && { log "--- the daemon:"; ctl "$DCO_NODE" stats >&2; }
    e2e_finish
    exit 1
fi
if [ "$OVPN_SERVER" = patched ]; then
    check "server: DCO enabled (status file)" grep -q '^GLOBAL_STATS,dco_enabled,1' "$OV_DIR/srv.status"
    check "server: the daemon has a peer for every client" test "$(dco_peers | grep -c peer_id)" -eq "$OV_CLIENTS"
elif [ "$OVPN_P2P" = 1 ]; then
    check "c1: the daemon has its peer" test -n "$(peer_id_of c1)"
fi

# --- 1. data path -------------------------------------------------------------------------
log "-- 1. data path ($((SECONDS - T0)) s)"
for c in $CLIENTS; do par "$c pings 10.8.0.1, 100 × 0.01 s, 0 % loss" ping_clean "$(ns_of "$c")" 10.8.0.1 100 0.01; done
par_wait
for c in $CLIENTS; do
    par "srv pings 10.55.${c#c}.1 behind $c (iroute), 0 % loss" ping_clean "$S" "10.55.${c#c}.1" 100 0.01
done
par_wait

# iperf3: odd clients send, even ones receive (-R), all at once, 10 s
IPERF_SECS=${IPERF_SECS:-10}
for c in $CLIENTS; do
    spawn "$OV_DIR/iperf-s-$c.log" "$OV_DIR/iperf-s-$c.log" "$S" timeout $((IPERF_SECS + 30)) iperf3 -s -1 -B 10.8.0.1 -p $((5200 + ${c#c}))
done
sleep 0.5
[ -n "$DCO_NODE" ] && peers_before=$(dco_peers)
cpu_before=$(cpu_ticks "${OV_PID[$DCO_OVPN]}")
t_before=$(date +%s.%N)
declare -A IPERF_OUT=()
for c in $CLIENTS; do
    dir=; [ $((${c#c} % 2)) = 0 ] && dir=-R
    par "iperf3 through $c ($([ -n "$dir" ] && echo download || echo upload), ${IPERF_SECS} s)" \
        nsx "$(ns_of "$c")" timeout $((IPERF_SECS + 20)) iperf3 -c 10.8.0.1 -p $((5200 + ${c#c})) -t "$IPERF_SECS" $dir -J
    IPERF_OUT[$c]=${PAR_OUTS[-1]}
done
par_wait
cpu_after=$(cpu_ticks "${OV_PID[$DCO_OVPN]}")
t_after=$(date +%s.%N)
[ -n "$DCO_NODE" ] && peers_after=$(dco_peers)
iperf_bytes() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"])' "$1" 2>/dev/null; }
iperf_mbps() { python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' "$1" 2>/dev/null; }
total=0
for c in $CLIENTS; do
    b=$(iperf_bytes "${IPERF_OUT[$c]}"); log "    $c: ${b:-?} bytes, $(iperf_mbps "${IPERF_OUT[$c]}") Mbit/s"
    total=$((total + ${b:-0}))
done
cpu_pct=$(awk -v a="$cpu_before" -v b="$cpu_after" -v t0="$t_before" -v t1="$t_after" -v hz="$CLK_TCK" \
    'BEGIN { printf "%.1f", 100 * (b - a) / hz / (t1 - t0) }')
log "    total $((total / 1000000)) MB in the iperf3 runs; the $DCO_OVPN OpenVPN process used $cpu_pct % of one CPU meanwhile"
if [ -n "$DCO_NODE" ]; then
    check "the $DCO_OVPN OpenVPN process's CPU time during iperf3 < 10 % of the wall time ($cpu_pct %)" \
        awk -v p="$cpu_pct" 'BEGIN { exit !(p < 10) }'
    # moved_by C DIR: the daemon's counters for client C's peer moved by ≥ iperf3's bytes
    moved_by() {
        local c=$1 want=$2 side=$3 b a n d fail=0
        if [ "$DCO_MODE" = p2p ]; then b=$(head -1 <<<"$peers_before"); a=$(head -1 <<<"$peers_after")
        else b=$(ov_peer_of "$peers_before" "$(ov_vpn_ip "$c")"); a=$(ov_peer_of "$peers_after" "$(ov_vpn_ip "$c")"); fi
        [ -n "$a" ] && [ -n "$b" ] || { echo "no peer for $c"; return 1; }
        for n in "link_${side}_bytes" "vpn_${side}_bytes"; do
            d=$(( $(json_num "$a" "$n") - $(json_num "$b" "$n") ))
            echo "$n +$d (iperf3 $want)"
            [ "$d" -ge "$want" ] || fail=1
        done
        return $fail
    }
    for c in $CLIENTS; do
        [ "$DCO_MODE" = p2p ] && [ "$c" != c1 ] && continue
        b=$(iperf_bytes "${IPERF_OUT[$c]}")
        # the server's daemon receives what odd clients send; client 1's daemon sends it
        if [ $((${c#c} % 2)) = 1 ]; then side=rx; else side=tx; fi
        [ "$DCO_MODE" = p2p ] && { [ "$side" = rx ] && side=tx || side=rx; }
        check "daemon: $c's peer link_/vpn_${side}_bytes moved by ≥ iperf3's ${b:-?} B" moved_by "$c" "${b:-0}" "$side"
        sed 's/^/    /' "$LAST" >&2
    done
    check_drops "daemon: no auth_failed, replay or no_key drops"
fi
# The status file's byte counts (DCO: OpenVPN's control bytes plus GET_PEER's link bytes, spec
# §1.4) cover iperf3's: received from odd clients, sent to even ones. It is written every
# second: polled for 5 s. Each try prints the status file's time and, DCO, the daemon's
# link bytes for the peer at that moment.
status_bytes_cover() {
    local c=$1 want=$2 col=$3 got when peer=
    got=$(awk -F, -v cn="client${c#c}" -v col="$col" '$1 == "CLIENT_LIST" && $2 == cn { print $col }' "$OV_DIR/srv.status")
    when=$(awk -F, '$1 == "TIME" { print $2 }' "$OV_DIR/srv.status")
    if [ "$OVPN_SERVER" = patched ]; then
        peer=$(ov_peer_of "$(dco_peers)" "$(ov_vpn_ip "$c")")
        peer=", daemon link rx $(json_num "$peer" link_rx_bytes) tx $(json_num "$peer" link_tx_bytes) at $(date +%T)"
    fi
    echo "status at ${when#* }: ${got:-none} B, iperf3 $want B$peer"
    [ -n "$got" ] && [ "$got" -ge "$want" ]
}
for c in $CLIENTS; do
    b=$(iperf_bytes "${IPERF_OUT[$c]}")
    if [ $((${c#c} % 2)) = 1 ]; then col=6 what=received; else col=7 what=sent; fi
    check_within "status file: client${c#c}'s bytes $what ≥ iperf3's ${b:-?}" 5 status_bytes_cover "$c" "${b:-0}" "$col"
done
check "no AEAD decrypt, packet-ID or authentication errors in any OpenVPN log" logs_clean

# --- 2. renegotiation under traffic -------------------------------------------------------------
# reneg_round CLIENT... -- ping -i 0.02 from each client for RENEG_SECS s while the keys are
# renegotiated (by the side CLI_RENEG says), and the daemon's primary key-id of each sampled
RENEG_SECS=${RENEG_SECS:-32}
reneg_round() {
    local c n i who lost sent ids k now end
    log "-- 2. renegotiations under ping -i 0.02 for $RENEG_SECS s: $* ($((SECONDS - T0)) s)"
    for c in "$@" srv; do ov_mark "$c"; done
    declare -A ping_pid=() pid_of=()
    for c in "$@"; do
        rm -f "$OV_DIR/keyids-$c"
        spawn "$OV_DIR/reneg-ping-$c.log" /dev/null "$(ns_of "$c")" ping -q -n -i 0.02 -w "$RENEG_SECS" 10.8.0.1
        ping_pid[$c]=$!
    done
    if [ -n "$DCO_NODE" ]; then
        # one CLI process a round (batch), stamped with the time, to set beside the OpenVPN logs
        for c in "$@"; do pid_of[$c]=$(peer_id_of "$c"); done
        end=$((SECONDS + RENEG_SECS - 2))
        while [ "$SECONDS" -lt "$end" ]; do
            for c in "$@"; do echo "key get --peer ${pid_of[$c]} --slot primary --json"; done |
                ctl "$DCO_NODE" batch --force - >"$OV_DIR/keys.now" 2>/dev/null
            now=$(date +%T.%N)
            for c in "$@"; do
                k=$(grep -F "\"peer_id\":${pid_of[$c]}," "$OV_DIR/keys.now")
                echo "${now:0:12} $(json_num "$k" key_id)" >>"$OV_DIR/keyids-$c"
            done
            sleep 0.3
        done
    fi
    for c in "$@"; do wait "${ping_pid[$c]}" 2>/dev/null; done
    for c in "$@"; do
        lost=$(ping_lost "$OV_DIR/reneg-ping-$c.log")
        sent=$(awk '/packets transmitted/ { print $1 }' "$OV_DIR/reneg-ping-$c.log")
        check "$c: 0 of ${sent:-?} pings lost during the renegotiations ($lost lost)" test "$lost" = 0
        # data on a key-id the client has no key for any more: the other side still encrypts
        # with a key the client retired (it drops its lame duck at its next soft reset)
        n=$(ov_since "$c" | grep -c 'TLS keys are out of sync')
        check "$c: no data on a key-id it no longer has ($n × 'TLS keys are out of sync')" test "$n" = 0
        [ "$n" = 0 ] || ov_since "$c" | grep -m2 'TLS keys are out of sync' | cut -c1-230 | sed 's/^/      /' >&2
        n=$(ov_since "$c" | grep -c 'Control Channel: TLS')
        if [ "${CLI_RENEG[$c]}" -lt 10 ]; then
            who="$c initiated"; i=$(ov_since "$c" | grep -c 'TLS: soft reset')
        else
            who="the server initiated"; i=$(ov_since srv | grep -c "client${c#c}/.*TLS: soft reset")
        fi
        # Renegotiations every 10 s or less in a window of RENEG_SECS (32) whose phase against
        # the last one is arbitrary: the initiating side starts 3, or 2 when its first falls late.
        check "$c: ≥ 3 renegotiations completed ($n), ≥ 2 of them $who ($i)" test "$n" -ge 3 -a "$i" -ge 2
        check "$c: no reconnect meanwhile" test "$(ov_since "$c" | grep -c 'Initialization Sequence Completed')" = 0
        if [ -n "$DCO_NODE" ]; then
            ids=$(awk 'NF == 2 { print $2 }' "$OV_DIR/keyids-$c" 2>/dev/null | uniq | tr '\n' ' ')
            check "daemon: $c's primary key-id advanced ≥ 2 times (seen: $ids)" test "$(wc -w <<<"$ids")" -ge 3
        fi
    done
    [ -n "$DCO_NODE" ] && check_drops "daemon: still no auth_failed, replay or no_key drops"
    check "no AEAD decrypt, packet-ID or authentication errors logged meanwhile" logs_clean_since "$@" srv
}
if [ "$OVPN_P2P" = 1 ]; then
    # client 1 initiates (7 s), then, restarted with 14 s, the server does
    reneg_round c1
    CLI_RENEG[c1]=14; client_conf c1
    ov_stop c1 TERM
    # Back only once the server has let the old session go: client 1 comes back from the same
    # address and port (bind), and a stock 2.6.14 server that missed the exit notification
    # (an EXIT sent during a soft reset is lost) takes the new handshake into the old instance,
    # whose next soft reset the client cannot unwrap ("tls-crypt unwrap error: packet too short").
    check_within "server: client1's old session gone (exit notification or ping-restart)" 25 \
        eval '! ov_status_has client1'
    start_client c1
    check "c1 reconnects with reneg-sec ${CLI_RENEG[c1]}" ov_up c1 20
    check_within "c1 pings 10.8.0.1" 10 nsx "$(ns_of c1)" ping -c 1 -W 1 -q 10.8.0.1
    reneg_round c1
else
    reneg_round $CLIENTS
fi

# --- 4 (begins). keepalive expiry: the silent client --------------------------------------------
# Client 3 (client 1 in p2p mode, whose daemon is the one under test) goes silent now; the
# expiry is checked after checks 3 and 5, which run meanwhile on other clients.
if [ "$OVPN_P2P" = 1 ]; then QUIET=c1; else QUIET=c3; fi
log "-- 4. $QUIET silenced on the bridge ($((SECONDS - T0)) s)"
[ -n "$DCO_NODE" ] && QUIET_PEER=$(peer_id_of "$QUIET")
ov_mark srv; ov_mark "$QUIET"
QUIET_SRV_MARK=${OV_MARK[srv]} # checks 3 and 5 move srv's mark meanwhile
ov_silence "$QUIET" on
QUIET_T=$SECONDS

if [ "$OVPN_P2P" != 1 ]; then
    # --- 3. client exit ---------------------------------------------------------------------------
    log "-- 3. c2 exits ($((SECONDS - T0)) s)"
    [ -n "$DCO_NODE" ] && P2=$(peer_id_of c2)
    # OpenVPN 2.6.14 loses an EXIT sent while a renegotiation is under way (the server never
    # logs it and the client is dropped only when its keepalive expires; a stock server does
    # the same): stop c2 just after a renegotiation has completed, not at a random moment.
    tls_done=$(ov_count c2 'Control Channel:')
    for _ in $(seq 75); do [ "$(ov_count c2 'Control Channel:')" -gt "$tls_done" ] && break; sleep 0.2; done
    sleep 1
    check "c2 exits on SIGTERM (explicit-exit-notify)" ov_stop c2 TERM
    [ -n "$DCO_NODE" ] && check_within "daemon: peer_deleted peer=$P2 reason=userspace" 10 event_seen "peer_deleted peer=$P2 reason=userspace"
    check_within "status file no longer lists client2" 10 eval '! ov_status_has client2'
    [ -n "$DCO_NODE" ] && check "daemon: no peer for c2 in peer get" no_peer_for c2
    if [ -n "$DCO_NODE" ]; then
        check_fails "server: no route to 10.55.2.0/24 via c2's 10.8.0.12 any more" \
            eval "nsx $S ip route show 10.55.2.0/24 | grep -q 'via 10.8.0.12'"
    fi
    check_fails "srv cannot reach 10.55.2.1 behind c2" nsx "$S" ping -c 3 -i 0.2 -W 1 -q 10.55.2.1
    start_client c2
    all_back 20 c2
    check "srv reaches 10.55.2.1 again" ping_clean "$S" 10.55.2.1 20 0.05

    # --- 5. float behind NAT ----------------------------------------------------------------------
    log "-- 5. c4's NAT rebinds to $OV_NAT_IP2:40100-40199 ($((SECONDS - T0)) s)"
    [ -n "$DCO_NODE" ] && P4=$(peer_id_of c4)
    ov_mark c4; ov_mark srv
    spawn "$OV_DIR/float-ping.log" /dev/null "$(ns_of c4)" ping -q -n -i 0.05 -w 6 10.8.0.1
    fp=$!
    sleep 2
    check "nat: rebinds (new SNAT source, conntrack flushed)" nat_rebind "$OV_NAT_IP2" 40100-40199
    wait "$fp" 2>/dev/null
    lost=$(ping_lost "$OV_DIR/float-ping.log")
    check "c4: ≤ 3 pings lost across the float ($lost)" test "$lost" != none -a "$lost" -le 3
    NEW4="$OV_NAT_IP2:401[0-9][0-9]"
    [ -n "$DCO_NODE" ] && check_within "daemon: peer_float peer=$P4 remote=$OV_NAT_IP2:401xx" 5 \
        event_seen "peer_float peer=$P4 remote=$NEW4"
    check_within "server log: client4 floated to $OV_NAT_IP2:401xx" 5 \
        eval "ov_since srv | grep -E 'floated from .* to .*$NEW4'"
    check_within "status file: client4 at $OV_NAT_IP2:401xx" 5 grep -qE "^CLIENT_LIST,client4,$NEW4," "$OV_DIR/srv.status"
    # the next renegotiation (the server's, ≤ 10 s) must complete over the new address
    n0=$(ov_since c4 | grep -c 'Control Channel: TLS')
    check_within "c4: a renegotiation completes after the float" 25 \
        eval "[ \$(ov_since c4 | grep -c 'Control Channel: TLS') -gt $n0 ]"
    check "c4: …without a reconnect" test "$(ov_since c4 | grep -c 'Initialization Sequence Completed')" = 0
    check "c4: traffic continues on the new key, 0 % loss" ping_clean "$(ns_of c4)" 10.8.0.1 50 0.02
    check "srv reaches 10.55.4.1 behind the NAT" ping_clean "$S" 10.55.4.1 20 0.05
fi

# --- 4 (ends). the silent client expires --------------------------------------------------------
# The server's timeout is twice the pushed ping-restart: 2 × 10 s (spec §1.3, dco_set_peer).
left=$((QUIET_T + 32 - SECONDS))
[ "$left" -gt 2 ] || left=2
if [ "$OVPN_P2P" = 1 ]; then
    # client 1's daemon expires the server (its own ping-restart, 10 s), and the patched client
    # restarts on that; the stock server drops client 1 after its 20 s
    check_within "c1's daemon: peer_deleted peer=$QUIET_PEER reason=expired" "$left" \
        event_seen "peer_deleted peer=$QUIET_PEER reason=expired"
    check_within "c1 log: the expiry restarts it" 5 eval "ov_since c1 | grep -E 'ping expired|Inactivity timeout|ping-restart'"
    check_within "server log: client1's inactivity timeout" "$((left + 5))" \
        eval "ov_since srv | grep -E 'client1/.*(Inactivity timeout|ping-restart)'"
elif [ -n "$DCO_NODE" ]; then
    check_within "daemon: peer_deleted peer=$QUIET_PEER reason=expired" "$left" \
        event_seen "peer_deleted peer=$QUIET_PEER reason=expired"
    check_within "server log: client3's ping expired" 5 \
        eval "tail -n +$((QUIET_SRV_MARK + 1)) '$OV_DIR/srv.log' | grep -E 'client3/.*ping expired'"
    check "daemon: no peer for c3 in peer get" no_peer_for c3
else
    check_within "server log: client3's inactivity timeout" "$left" \
        eval "tail -n +$((QUIET_SRV_MARK + 1)) '$OV_DIR/srv.log' | grep -E 'client3/.*Inactivity timeout'"
fi
check_within "status file no longer lists client${QUIET#c}" 5 eval "! ov_status_has client${QUIET#c}"
log "    expired after $((SECONDS - QUIET_T)) s of silence"
ov_mark_up "$QUIET"
ov_silence "$QUIET" off
all_back 30 "$QUIET"
if [ "$OVPN_P2P" = 1 ]; then
    check "c1: the daemon has a peer again" test -n "$(peer_id_of c1)"
    check "c1 pings 10.8.0.1, 0 % loss" ping_clean "$(ns_of c1)" 10.8.0.1 50 0.02
    log "$E2E_NAME: $((SECONDS - T0)) s"
    e2e_finish
    exit
fi
check "srv reaches 10.55.3.1 again" ping_clean "$S" 10.55.3.1 20 0.05

# --- 6. server restarts ---------------------------------------------------------------------------
log "-- 6. server SIGHUP ($((SECONDS - T0)) s)"
ov_mark_up $CLIENTS srv
kill -HUP "${OV_PID[srv]}"
check "server: restarted on SIGHUP" ov_up srv 20
all_back 30
log "-- 6. server SIGTERM and a new process ($((SECONDS - T0)) s)"
ov_mark_up $CLIENTS
check "server: exits on SIGTERM" ov_stop srv TERM
start_server
check "server: a new process is up" ov_up srv 20
all_back 30
[ -n "$DCO_NODE" ] && check "daemon: a peer for every client" test "$(dco_peers | grep -c peer_id)" -eq "$OV_CLIENTS"

# --- 7. server killed ------------------------------------------------------------------------------
log "-- 7. server SIGKILL ($((SECONDS - T0)) s)"
if [ -n "$DCO_NODE" ]; then
    declare -A PIDS7=()
    for c in $CLIENTS; do PIDS7[$c]=$(peer_id_of "$c"); done
fi
ov_mark_up $CLIENTS
ov_stop srv KILL
if [ -n "$DCO_NODE" ]; then
    for c in $CLIENTS; do
        check_within "daemon: peer_deleted peer=${PIDS7[$c]} reason=teardown ($c)" 5 \
            event_seen "peer_deleted peer=${PIDS7[$c]} reason=teardown"
    done
    check_within "daemon: peer get lists no peer" 5 eval '[ -z "$(dco_peers)" ]'
    check_fails "c1: no traffic on the old keys" nsx "$(ns_of c1)" ping -c 3 -i 0.2 -W 1 -q 10.8.0.1
fi
start_server
check "server: a new process is up" ov_up srv 20
all_back 40

# --- 7b. notifications lost: the server resynchronises --------------------------------------------
# OpenVPN stopped (SIGSTOP) reads no notification; meanwhile client 1's peer is deleted behind
# its back and a thousand throw-away peers come and go, far more notifications than its socket
# holds. Resumed, it sees the gap in the sequence numbers, re-reads the peers, closes client 1's
# instance as expired, and client 1 comes back (spec G6).
if [ -n "$DCO_NODE" ] && [ "$OVPN_P2P" != 1 ]; then
    log "-- 7b. notifications lost while the server is stopped ($((SECONDS - T0)) s)"
    P1=$(peer_id_of c1)
    ov_mark srv; ov_mark_up c1
    kill -STOP "${OV_PID[srv]}"
    ctl "$DCO_NODE" peer del --id "$P1" >/dev/null
    for i in $(seq 1000); do
        echo "peer new --id $((200000 + i)) --remote 10.201.0.1:$((20000 + i)) --vpn-ipv4 10.202.$((i / 250)).$((i % 250 + 2))"
        echo "peer del --id $((200000 + i))"
    done >"$OV_DIR/churn.batch"
    check "daemon: 2000 notifications while OpenVPN sleeps" ctl "$DCO_NODE" batch "$OV_DIR/churn.batch"
    kill -CONT "${OV_PID[srv]}"
    check_within "server log: the gap is seen and the peers re-read" 10 eval "ov_since srv | grep -q 'notifications lost'"
    ov_since srv | grep 'notifications lost' | head -1 | cut -c1-200 | sed 's/^/    /' >&2
    check_within "server log: client1's instance closed (expired)" 10 eval "ov_since srv | grep -qE 'client1/.*ping expired'"
    all_back 40 c1
fi

# --- 8. the daemon restarts under the server ------------------------------------------------------------
if [ -n "$DCO_NODE" ]; then
    log "-- 8. the daemon SIGKILLed and started again ($((SECONDS - T0)) s)"
    ov_mark_up $CLIENTS srv; ov_mark srv
    disown "$DAEMON_PID" 2>/dev/null    # no "Killed" job notice on the scenario's output
    kill -9 "$DAEMON_PID"
    for _ in $(seq 50); do alive "$DAEMON_PID" || break; sleep 0.1; done
    mv "$E2E_TMP/$DCO_NODE.log" "$E2E_TMP/$DCO_NODE.log.1"    # the new daemon's log starts afresh
    check "a new daemon starts" start_daemon
    check "server: still running (or restarted itself)" ov_running srv
    all_back 40
    check_within "daemon: a peer for every client again" 20 eval "[ \$(dco_peers | grep -c peer_id) -eq $OV_CLIENTS ]"
    check_within "server: DCO enabled (status file)" 5 grep -q '^GLOBAL_STATS,dco_enabled,1' "$OV_DIR/srv.status"
    log "    the new daemon: $(ctl "$DCO_NODE" stats 2>&1 | head -1)"
    grep -E 'reuseport|attached|handed|went away' "$E2E_TMP/$DCO_NODE.log" | sed 's/^/      /' >&2
    log "    the server's log meanwhile:"; ov_since srv | grep -iE 'dco|ovpn-dpdk|SIG|restart|daemon' | head -12 | cut -c1-200 | sed 's/^/      /' >&2
fi

# --- 9. patched server, no daemon: the userspace fallback -----------------------------------------------
if [ "$OVPN_SERVER" = patched ]; then
    log "-- 9. no daemon: the fallback ($((SECONDS - T0)) s)"
    ov_mark_up $CLIENTS srv; ov_mark srv
    check "server: exits on SIGTERM" ov_stop srv TERM
    kill -TERM "$DAEMON_PID"
    for _ in $(seq 100); do alive "$DAEMON_PID" || break; sleep 0.1; done
    check "the daemon stopped" eval '! alive $DAEMON_PID'
    if [ "$BACKEND" = dpdk ]; then
        # the kernel takes vs back: the address the exception interface had, no drop chain
        nsx "$S" nft delete table netdev ovd_keep_kernel_off
        nsx "$S" ip addr add "$OV_SRV_IP/24" dev vs
    fi
    start_server
    check "server: up without a daemon" ov_up srv 20
    check "server log: one line about falling back" test "$(ov_since srv | grep -c 'disabling data channel offload')" -eq 1
    ov_since srv | grep 'disabling data channel offload' | cut -c1-200 | sed 's/^/    /' >&2
    check_within "server: DCO disabled (status file)" 5 grep -q '^GLOBAL_STATS,dco_enabled,0' "$OV_DIR/srv.status"
    all_back 40
    for c in $CLIENTS; do par "srv pings 10.55.${c#c}.1 (userspace), 0 % loss" ping_clean "$S" "10.55.${c#c}.1" 50 0.02; done
    par_wait
fi

log "$E2E_NAME: $((SECONDS - T0)) s"
e2e_finish
