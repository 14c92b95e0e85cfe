#!/usr/bin/env bash
# The demo: a real OpenVPN 2.6 server offloading its data channel to ovpn-dpdk, a stock
# OpenVPN client, in network namespaces, next to stock OpenVPN on the same machine. Needs root.
#   scripts/demo.sh [--seconds N] [--cipher NAME] [--backend socket|dpdk]
#   scripts/demo.sh --static-key [--seconds N] [--cipher NAME] [--workers N]
# What it does (sets up first when something is missing: packages, the build, the patched
# OpenVPN of scripts/build-openvpn.sh):
#   1. a CA and certificates for a server and a client (openssl, EC P-256), two namespaces
#      on a veth pair: srv (10.66.0.1) and cli (10.66.0.2);
#   2. stock OpenVPN: Debian's openvpn as server (userspace data path) and as client, real TLS;
#      ping and iperf3 TCP through the tunnel, the server's CPU;
#   3. OpenVPN with ovpn-dpdk: an ovpn-dpdk daemon in srv (--mode mp), the patched OpenVPN as
#      server with the same configuration plus "dev ovd0", driving the daemon through its
#      control socket; the same stock client; ping, iperf3, the server's CPU and the daemon's;
#      where the packets went (the daemon's per-peer counters);
#   4. a summary, and everything removed.
# --static-key: the earlier demo instead: a daemon in each of two namespaces, a static key
# installed with the command line, no OpenVPN at all (ping, iperf3, counters).
# --backend dpdk: the daemon's DPDK backend (its wire port a net_af_packet vdev on the veth).
set -uo pipefail
cipher=AES-256-GCM seconds=5 workers=1 mode=openvpn backend=socket
while [ $# -gt 0 ]; do
    case $1 in
        --cipher) cipher=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --backend) backend=$2; shift 2 ;;
        --static-key) mode=static; shift ;;
        -h|--help) awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case $backend in socket|dpdk) ;; *) echo "demo: --backend socket or dpdk" >&2; exit 2 ;; esac
. "$(dirname "$0")/e2e/lib.sh"
E2E_NAME=demo
need_root
[ -f "$OVPN_ROOT/control/target/ovpn-dpdk.jar" ] && [ -x "$OVPN_ROOT/build/openvpn/sbin/openvpn" ] ||
    "$OVPN_ROOT/scripts/setup.sh" || exit 1

# iperf3_rate NS SERVER-ADDR -- iperf3 TCP for $seconds s, from NS to SERVER-ADDR (the server
# runs in the other namespace); prints the receiver's rate, e.g. "854 Mbits/sec"
iperf3_rate() {
    local from=$1 to=$2 ns_srv=$3 out=$E2E_TMP/iperf.$RANDOM
    spawn /dev/null /dev/null "$ns_srv" timeout $((seconds + 15)) iperf3 -s -1 -B "$to"
    sleep 0.5
    nsx "$from" timeout $((seconds + 10)) iperf3 -c "$to" -t "$seconds" -f m >"$out" || { cat "$out" >&2; return 1; }
    awk '/receiver/ { print $(NF-2), $(NF-1) }' "$out"
}

# cpu_ticks PID -- utime + stime of PID, in clock ticks
cpu_ticks() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }
pct() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / float(sys.argv[3]) / float(sys.argv[2]) * 100))" "$1" "$2" "$(getconf CLK_TCK)"; }

static_key_demo() {
    A=$(ns_of a) B=$(ns_of b)
    log "demo: namespaces $A (10.77.0.1) and $B (10.77.0.2) on a veth pair"
    ns_add "$A"; ns_add "$B"
    ip link add "va-$E2E_ID" netns "$A" type veth peer name "vb-$E2E_ID" netns "$B"
    nsx "$A" ip addr add 10.77.0.1/24 dev "va-$E2E_ID"; nsx "$A" ip link set "va-$E2E_ID" up
    nsx "$B" ip addr add 10.77.0.2/24 dev "vb-$E2E_ID"; nsx "$B" ip link set "vb-$E2E_ID" up
    log "demo: starting a daemon in each ($cipher, $workers worker(s))"
    daemon a --tun ovpn0 --listen 10.77.0.1:1194 --mode p2p --workers "$workers" || exit 1
    daemon b --tun ovpn0 --listen 10.77.0.2:1194 --mode p2p --workers "$workers" || exit 1
    local key rate
    key=$(keyfile demo)
    ctl a peer new --id 1 --remote 10.77.0.2:1194 >/dev/null &&
    ctl a key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role server >/dev/null &&
    ctl b peer new --id 1 --remote 10.77.0.1:1194 >/dev/null &&
    ctl b key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role client >/dev/null || exit 1
    nsx "$A" ip addr add 5.5.5.1/24 dev ovpn0
    nsx "$B" ip addr add 5.5.5.2/24 dev ovpn0
    log "demo: ping through the tunnel"
    nsx "$A" ping -c 3 -i 0.2 5.5.5.2 || exit 1
    log "demo: iperf3 TCP for $seconds s through the tunnel"
    rate=$(iperf3_rate "$A" 5.5.5.2 "$B") || exit 1
    echo
    echo "demo: ovpn-dpdk tunnel throughput: ${rate:-unknown} (iperf3 TCP, $cipher, socket backend, static key)"
    echo "demo: counters of the daemon in $A:"
    ctl a stats
    echo "demo: peer 1 as the daemon in $B sees it:"
    ctl b peer get --id 1
}

if [ "$mode" = static ]; then
    static_key_demo
    exit 0
fi

# ---- OpenVPN: stock, then with ovpn-dpdk -------------------------------------------------------

. "$OVPN_ROOT/scripts/e2e/pki.sh"
PATCHED=$("$OVPN_ROOT/scripts/build-openvpn.sh" 2>"$E2E_TMP/build-openvpn.log" | tail -1)
[ -x "$PATCHED" ] || { cat "$E2E_TMP/build-openvpn.log" >&2; die "the patched OpenVPN could not be built"; }
PKI=$E2E_TMP/pki
pki_make "$PKI" 1 || die "could not make the certificates (openssl)"
S=$(ns_of srv) C=$(ns_of cli)
log "demo: namespaces $S (10.66.0.1) and $C (10.66.0.2) on a veth pair; certificates in $PKI"
ns_add "$S"; ns_add "$C"
ip link add "vs-$E2E_ID" netns "$S" type veth peer name "vc-$E2E_ID" netns "$C"
nsx "$S" ip link set "vs-$E2E_ID" name vs; nsx "$C" ip link set "vc-$E2E_ID" name vc
nsx "$S" ip link set vs up; nsx "$C" ip link set vc up
nsx "$C" ip addr add 10.66.0.2/24 dev vc
nsx "$C" ethtool -K vc tx off >/dev/null 2>&1 # see docs/openvpn.md, "Troubleshooting" (DPDK on veths)
TUN_MTU=1448 # a 1500-byte wire less the outer IPv4, UDP and data-channel headers, for both rounds

# server_conf FILE DEV [LINES...] -- the server's configuration, the same for both rounds but dev
server_conf() {
    local f=$1 dev=$2; shift 2
    cat >"$f" <<EOF
dev $dev
dev-type tun
proto udp4
local 10.66.0.1
port 1194
server 10.8.0.0 255.255.255.0
topology subnet
keepalive 10 60
explicit-exit-notify 1
tun-mtu $TUN_MTU
data-ciphers $cipher
ca $PKI/ca.crt
cert $PKI/server.crt
key $PKI/server.key
dh none
verb 3
EOF
    printf '%s\n' "$@" >>"$f"
}
cat >"$E2E_TMP/client.conf" <<EOF
client
dev tun
dev-type tun
proto udp4
remote 10.66.0.1 1194
nobind
remote-cert-tls server
data-ciphers $cipher
ca $PKI/ca.crt
cert $PKI/client1.crt
key $PKI/client1.key
disable-dco
verb 3
EOF

# round NAME -- connects the stock client to the running server, pings, iperf3; sets RATE, SRV_CPU
round() {
    spawn "$E2E_TMP/client-$1.log" "$E2E_TMP/client-$1.log" "$C" openvpn --config "$E2E_TMP/client.conf"
    CLIENT=$!
    for _ in $(seq 100); do grep -q "Initialization Sequence Completed" "$E2E_TMP/client-$1.log" && break; sleep 0.2; done
    grep -q "Initialization Sequence Completed" "$E2E_TMP/client-$1.log" ||
        { tail -5 "$E2E_TMP/client-$1.log" "$E2E_TMP/server-$1.log" >&2; die "$1: the client did not connect"; }
    log "demo: $1: ping through the tunnel"
    nsx "$C" ping -c 3 -i 0.2 10.8.0.1 || die "$1: no ping through the tunnel"
    log "demo: $1: iperf3 TCP for $seconds s, client to server"
    local t0 w0
    t0=$(cpu_ticks "$SERVER"); w0=$(date +%s%N)
    RATE=$(iperf3_rate "$C" 10.8.0.1 "$S") || die "$1: iperf3 failed"
    SRV_CPU=$(pct "$(( $(cpu_ticks "$SERVER") - t0 ))" "$(python3 -c "import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / 1e9)" "$w0" "$(date +%s%N)")")
    log "demo: $1: $RATE, the OpenVPN server used $SRV_CPU % of a core"
}
stop() { kill "$@" 2>/dev/null; for p in "$@"; do for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done; done; }

echo
log "demo: 1. stock OpenVPN $(openvpn --version | head -1 | cut -d' ' -f2) server and client, userspace data path"
nsx "$S" ip addr add 10.66.0.1/24 dev vs
server_conf "$E2E_TMP/server-stock.conf" tun0 disable-dco
spawn "$E2E_TMP/server-stock.log" "$E2E_TMP/server-stock.log" "$S" openvpn --config "$E2E_TMP/server-stock.conf"
SERVER=$!
round stock
STOCK_RATE=$RATE STOCK_CPU=$SRV_CPU
stop "$CLIENT" "$SERVER"

echo
log "demo: 2. the patched OpenVPN server with ovpn-dpdk ($backend backend), the same stock client"
if [ "$backend" = dpdk ]; then # lib.sh's DPDK daemon: the wire address on its exception interface, tunnel tun0
    DCO_DEV=tun0
    nsx "$S" ip addr flush dev vs
    dpdk_daemon srv vs 10.66.0.1/24 --mode mp --workers "$workers" || exit 1
else
    DCO_DEV=ovd0
    daemon srv --tun ovd0 --listen 10.66.0.1:1194 --mode mp --workers "$workers" || exit 1
fi
DAEMON=${E2E_PIDS[-1]}
ctl srv ping
server_conf "$E2E_TMP/server-dco.conf" "$DCO_DEV" "dco-ovpn-dpdk /run/ovpn-dpdk/$E2E_ID-srv.sock"
spawn "$E2E_TMP/server-dco.log" "$E2E_TMP/server-dco.log" "$S" "$PATCHED" --config "$E2E_TMP/server-dco.conf"
SERVER=$!
d0=$(cpu_ticks "$DAEMON"); dw0=$(date +%s%N)
round dco
DAEMON_CPU=$(pct "$(( $(cpu_ticks "$DAEMON") - d0 ))" "$(python3 -c "import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / 1e9)" "$dw0" "$(date +%s%N)")")
grep -q "disabling data channel offload" "$E2E_TMP/server-dco.log" &&
    { grep "disabling data channel offload" "$E2E_TMP/server-dco.log" >&2; die "OpenVPN did not offload to ovpn-dpdk"; }
echo
echo "demo: what OpenVPN said about the offload:"
grep -E "DCO version|ovpn-dpdk" "$E2E_TMP/server-dco.log" | head -4 | sed 's/^/  /'
echo "demo: the daemon's log:"
grep -E "attached|handed over|peer [0-9]+ added|key-id" "$E2E_TMP/srv.log" | head -6 | sed 's/^/  /'
echo "demo: where the packets went, the client's peer as the daemon sees it:"
ctl srv peer get | sed 's/^/  /'
echo "demo: the daemon's totals:"
ctl srv stats | sed 's/^/  /'
stop "$CLIENT" "$SERVER"

ratio=$(python3 -c "import sys; a, b = (float(x.split()[0]) for x in sys.argv[1:]); print('%.1f' % (a / b) if b else 'n/a')" "$RATE" "$STOCK_RATE")
echo
echo "demo: iperf3 TCP, one stream, $cipher, $seconds s, client to server:"
printf '  %-44s %16s   OpenVPN server CPU %s %%\n' "stock OpenVPN (userspace data path)" "$STOCK_RATE" "$STOCK_CPU"
printf '  %-44s %16s   OpenVPN server CPU %s %%, daemon %s %%\n' "OpenVPN + ovpn-dpdk ($backend backend)" "$RATE" "$SRV_CPU" "$DAEMON_CPU"
echo "demo: with ovpn-dpdk: ${ratio}x the throughput, and the OpenVPN server's own CPU from $STOCK_CPU % to $SRV_CPU %."
echo "demo: the client is a stock OpenVPN with its userspace data path: one stream is as fast as it encrypts."
echo "demo: OpenVPN at both ends with ovpn-dpdk: scripts/bench-iperf3.sh --systems openvpn,socket,dco"
