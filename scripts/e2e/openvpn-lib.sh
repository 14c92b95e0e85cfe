# Helpers for the scenarios with real OpenVPN processes (openvpn.sh and its variants): the
# topology of spec §7, configuration writers, OpenVPN processes started and stopped by PID,
# and readers for OpenVPN's log and status file, the daemon's peers and events, and a
# process's CPU time. Source it after lib.sh; everything it starts goes through lib.sh's
# spawn and ns_add, so the cleanup trap stops and removes it, whether the scenario passed or not.
#
# Topology (IPv4 transport; namespace names from ns_of, i.e. "$E2E_ID-<node>"):
#
#    srv ── vs ─┐                 wan: bridge br0            ┌─ vc ── c1  10.99.0.11
#  10.99.0.1    ├── wsrv  wc1 ────────────────────────────── ┤   (c2 10.99.0.12, c3 10.99.0.13)
#               │         wnat ── vn  nat  vi ── vc  c4      │
#               │     10.99.0.14 (+ .24)  10.60.4.1  10.60.4.2
#
# - srv: the OpenVPN server (and its ovpn-dpdk daemon). vs has 10.99.0.1/24, except on the
#   DPDK backend, where vs is the daemon's wire port and 10.99.0.1/24 is on tun0-x.
# - c1…c3 on the bridge; c4 behind nat, which masquerades 10.60.4.0/24 to 10.99.0.14, UDP from
#   source ports 40000-40099 (nat_rebind moves that mapping). Client K has a dummy lan0 with 10.55.K.1/24
#   (its iroute) and gets 10.8.0.(10+K) in the tunnel (client-config-dir).
# shellcheck shell=bash

. "$(dirname "${BASH_SOURCE[0]}")/pki.sh"

OV_DIR=$E2E_TMP/ovpn                  # configurations, logs, status file, PKI
OV_CLIENTS=${OV_CLIENTS:-4}
OV_SRV_IP=10.99.0.1
OV_PORT=1194
OV_NAT_IP=10.99.0.14                  # c4's address as the server sees it…
OV_NAT_IP2=10.99.0.24                 # …and after nat_rebind
OPENVPN_STOCK=${OPENVPN_STOCK:-/usr/sbin/openvpn}
declare -A OV_PID=()                  # node -> PID of its OpenVPN process
declare -A OV_MARK=()                 # node -> log line count when a wait began
OV_EVENTS_N=0

# OVPN_E2E_KEEP=DIR: the run's OpenVPN configurations and logs, the daemons' logs and the check
# outputs are copied to DIR/<E2E_ID> when the scenario ends (passed or not), before the cleanup.
ov_keep() {
    [ -n "${OVPN_E2E_KEEP:-}" ] || return 0
    mkdir -p "$OVPN_E2E_KEEP/$E2E_ID" && cp -r "$E2E_TMP"/. "$OVPN_E2E_KEEP/$E2E_ID/" 2>/dev/null
    rm -f "$OVPN_E2E_KEEP/$E2E_ID/ctl.jsa"
    log "logs kept in $OVPN_E2E_KEEP/$E2E_ID"
}
# ov_stop_par -- par's jobs still running (an interrupted scenario): each job and what it runs
ov_stop_par() {
    local pid
    for pid in "${PAR_PIDS[@]}"; do pkill -TERM -P "$pid" 2>/dev/null; kill "$pid" 2>/dev/null; done
    return 0
}
trap 'ov_stop_par; ov_keep; e2e_cleanup' EXIT

ov_wire_ip() {                        # the transport address of node NODE (as it sends)
    case $1 in srv) echo "$OV_SRV_IP" ;; c4) echo 10.60.4.2 ;; c*) echo "10.99.0.1${1#c}" ;; esac
}
ov_vpn_ip() { echo "10.8.0.$((10 + ${1#c}))"; }   # client cK's tunnel address

# --- topology ---------------------------------------------------------------------------

# ov_plug NODE IFACE -- a veth from the bridge (port "w<NODE>") to NODE's namespace, named IFACE there
ov_plug() {
    local node=$1 ifc=$2 w ns
    w=$(ns_of wan); ns=$(ns_of "$node")
    ip link add "w$node-$E2E_ID" netns "$w" type veth peer name "$ifc-$node-$E2E_ID" netns "$ns" || return 1
    nsx "$w" ip link set "w$node-$E2E_ID" name "w$node"
    nsx "$w" ip link set "w$node" master br0 up
    nsx "$ns" ip link set "$ifc-$node-$E2E_ID" name "$ifc"
    nsx "$ns" ip link set "$ifc" up
}

# ov_topology DPDK -- every namespace of the picture above; DPDK=1 leaves vs without an address
# (dpdk_daemon puts it on the exception interface). With DPDK=1 or 2 (a DPDK daemon somewhere)
# every veth computes its own checksums: a veth leaves TCP/UDP checksums for "hardware" to fill
# in, af_packet hands such frames on as they are, and the kernel behind the DPDK daemon's
# exception interface would drop OpenVPN's handshake as bad (docs/dpdk-backend.md). Real NICs
# fill them in.
ov_topology() {
    local dpdk=$1 k n ns
    for n in srv wan nat $(seq -f 'c%g' "$OV_CLIENTS"); do
        ns=$(ns_of "$n")
        ns_add "$ns" || return 1
        # IPv4 transport only: no IPv6 on any interface (no DAD, MLD or solicitations in the way).
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    nsx "$(ns_of wan)" ip link add br0 type bridge stp_state 0 forward_delay 0
    nsx "$(ns_of wan)" ip link set br0 up
    ov_plug srv vs || return 1
    [ "$dpdk" = 1 ] || nsx "$(ns_of srv)" ip addr add "$OV_SRV_IP/24" dev vs
    nsx "$(ns_of srv)" sysctl -qw net.ipv4.ip_forward=1
    for k in $(seq "$OV_CLIENTS"); do
        ns=$(ns_of "c$k")
        if [ "$k" -eq 4 ]; then
            ov_nat || return 1
        else
            ov_plug "c$k" vc || return 1
            nsx "$ns" ip addr add "$(ov_wire_ip "c$k")/24" dev vc
        fi
        # lan0: a dummy interface, or where the kernel has none (CONFIG_DUMMY off) one end of
        # a veth pair whose other end stays in the namespace too.
        if ! nsx "$ns" ip link add lan0 type dummy 2>/dev/null; then
            nsx "$ns" ip link add lan0 type veth peer name lan0p || return 1
            nsx "$ns" ip link set lan0p up
        fi
        nsx "$ns" ip addr add "10.55.$k.1/24" dev lan0
        nsx "$ns" ip link set lan0 up
    done
    if [ "$dpdk" != 0 ]; then
        for k in srv:vs $(seq -f 'c%g:vc' "$OV_CLIENTS") $([ "$OV_CLIENTS" -ge 4 ] && echo nat:vn nat:vi); do
            nsx "$(ns_of "${k%:*}")" ethtool -K "${k#*:}" tx off >/dev/null || return 1
        done
    fi
}

# ov_nat -- nat on the bridge (vn: 10.99.0.14 and .24), c4 behind it (10.60.4.0/24), masquerade
ov_nat() {
    local nat c4
    nat=$(ns_of nat); c4=$(ns_of c4)
    ov_plug nat vn || return 1
    nsx "$nat" ip addr add "$OV_NAT_IP/24" dev vn
    nsx "$nat" ip addr add "$OV_NAT_IP2/24" dev vn
    ip link add "vi-$E2E_ID" netns "$nat" type veth peer name "vc-c4-$E2E_ID" netns "$c4" || return 1
    nsx "$nat" ip link set "vi-$E2E_ID" name vi
    nsx "$c4" ip link set "vc-c4-$E2E_ID" name vc
    nsx "$nat" ip addr add 10.60.4.1/24 dev vi
    nsx "$c4" ip addr add 10.60.4.2/24 dev vc
    nsx "$nat" ip link set vi up
    nsx "$c4" ip link set vc up
    nsx "$c4" ip route add default via 10.60.4.1
    nsx "$nat" sysctl -qw net.ipv4.ip_forward=1
    nsx "$nat" nft -f - <<NFT
table ip ovnat {
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "vn" ip saddr 10.60.4.0/24 meta l4proto udp masquerade to :40000-40099
        oifname "vn" ip saddr 10.60.4.0/24 masquerade
    }
}
NFT
}

# nat_rebind ADDR PORTS -- what a NAT that lost its state does: c4's datagrams leave from ADDR,
# a source port in PORTS (FIRST-LAST) from now on (the rule replaced, then every conntrack entry
# of nat flushed). A range, not one port: a restarted client's new socket needs a mapping of
# its own while the old one's conntrack entry lives on.
nat_rebind() {
    local nat
    nat=$(ns_of nat)
    nsx "$nat" nft -f - <<NFT || return 1
flush chain ip ovnat post
add rule ip ovnat post oifname "vn" ip saddr 10.60.4.0/24 meta l4proto udp snat to $1:$2
add rule ip ovnat post oifname "vn" ip saddr 10.60.4.0/24 snat to $1
NFT
    nsx "$nat" python3 "$(dirname "${BASH_SOURCE[0]}")/conntrack-flush.py"
}

# ov_silence NODE on|off -- the bridge drops everything from and to NODE's port (a dead link)
ov_silence() {
    local w
    w=$(ns_of wan)
    if [ "$2" = on ]; then
        nsx "$w" nft -f - <<NFT
table bridge ovsilence_$1 {
    chain silence { type filter hook forward priority 0; policy accept; iifname "w$1" drop; oifname "w$1" drop; }
}
NFT
    else
        nsx "$w" nft delete table bridge "ovsilence_$1"
    fi
}

# --- configurations ---------------------------------------------------------------------

ov_pki() { pki_make "$OV_DIR/pki" "$OV_CLIENTS"; }

# ov_server_conf FILE LINES... -- the server of spec §7; LINES are added at the end
ov_server_conf() {
    local f=$1 k
    shift
    mkdir -p "$OV_DIR/ccd"
    for k in $(seq "$OV_CLIENTS"); do
        printf '%s\n' "ifconfig-push $(ov_vpn_ip "c$k") 255.255.255.0" "iroute 10.55.$k.0 255.255.255.0" \
            >"$OV_DIR/ccd/client$k"
    done
    {
        cat <<EOF
dev tun0
dev-type tun
proto udp4
local $OV_SRV_IP
port $OV_PORT
server 10.8.0.0 255.255.255.0
topology subnet
client-config-dir $OV_DIR/ccd
keepalive ${OV_KEEPALIVE:-2 10}
reneg-sec ${OV_SRV_RENEG:-10 8}
hand-window 20
explicit-exit-notify 1
ca $OV_DIR/pki/ca.crt
cert $OV_DIR/pki/server.crt
key $OV_DIR/pki/server.key
dh none
data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305
tun-mtu ${OV_TUN_MTU:-1500}
status $OV_DIR/srv.status 1
status-version 2
log-append $OV_DIR/srv.log
verb 4
EOF
        for k in $(seq "$OV_CLIENTS"); do echo "route 10.55.$k.0 255.255.255.0"; done
        printf '%s\n' "$@"
    } >"$f"
}

# ov_client_conf NODE FILE LINES... -- client NODE (c1…c4); LINES are added at the end
# (the stock clients get disable-dco and nobind from the caller).
ov_client_conf() {
    local node=$1 f=$2
    shift 2
    {
        cat <<EOF
client
dev tun
dev-type tun
proto udp4
remote $OV_SRV_IP $OV_PORT
remote-cert-tls server
explicit-exit-notify 1
connect-retry 1 1
server-poll-timeout 5
reneg-sec ${OV_CLI_RENEG:-11 9}
hand-window 20
ca $OV_DIR/pki/ca.crt
cert $OV_DIR/pki/client${node#c}.crt
key $OV_DIR/pki/client${node#c}.key
data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305
tun-mtu ${OV_TUN_MTU:-1500}
log-append $OV_DIR/$node.log
verb 3
EOF
        printf '%s\n' "$@"
    } >"$f"
}

# --- processes --------------------------------------------------------------------------

# ov_start NODE BINARY CONF -- start OpenVPN in NODE's namespace (through spawn)
ov_start() {
    local node=$1 bin=$2 conf=$3
    spawn /dev/null "$OV_DIR/$node.stderr" "$(ns_of "$node")" "$bin" --config "$conf"
    OV_PID[$node]=$!
}

# ov_stop NODE [SIGNAL] -- signal NODE's OpenVPN (default TERM) and wait up to 15 s for it
# to end (then SIGKILL); 1 when it had to be killed
ov_stop() {
    local node=$1 sig=${2:-TERM} pid=${OV_PID[$1]:-}
    [ -n "$pid" ] || return 0
    disown "$pid" 2>/dev/null             # no "Killed" job notice on the scenario's output
    kill "-$sig" "$pid" 2>/dev/null
    for _ in $(seq 150); do alive "$pid" || break; sleep 0.1; done
    unset "OV_PID[$node]"
    if alive "$pid"; then kill -9 "$pid" 2>/dev/null; return 1; fi
    return 0
}

ov_running() { [ -n "${OV_PID[$1]:-}" ] && alive "${OV_PID[$1]}"; }

# ov_count NODE ERE -- lines of NODE's OpenVPN log matching ERE
ov_count() { local n; n=$(grep -cE "$2" "$OV_DIR/$1.log" 2>/dev/null); echo "${n:-0}"; }

# ov_mark NODE -- remember how far NODE's log is; ov_since NODE prints what came after it
ov_mark() { OV_MARK[$1]=$(wc -l <"$OV_DIR/$1.log" 2>/dev/null || echo 0); }
ov_since() { tail -n "+$((${OV_MARK[$1]:-0} + 1))" "$OV_DIR/$1.log" 2>/dev/null; }

# ov_up NODE SECS -- NODE completed one more initialisation (since ov_start or ov_mark_up)
# within SECS seconds
ov_up() {
    local node=$1 secs=$2 want
    want=$((${OV_MARK_UP[$node]:-0} + 1))
    for _ in $(seq $((secs * 5))); do
        [ "$(ov_count "$node" 'Initialization Sequence Completed')" -ge "$want" ] && return 0
        ov_running "$node" || { echo "$node: its OpenVPN is not running"; return 1; }
        sleep 0.2
    done
    echo "$node: no 'Initialization Sequence Completed' within $secs s; its log ends:"
    tail -5 "$OV_DIR/$node.log"
    return 1
}
declare -A OV_MARK_UP=()
ov_mark_up() { local n; for n in "$@"; do OV_MARK_UP[$n]=$(ov_count "$n" 'Initialization Sequence Completed'); done; }

# ov_status_has CN -- the server's status file lists client CN (status-version 2)
ov_status_has() { grep -q "^CLIENT_LIST,$1," "$OV_DIR/srv.status" 2>/dev/null; }

# ov_status_clients -- the CNs the status file lists
ov_status_clients() { grep '^CLIENT_LIST,' "$OV_DIR/srv.status" 2>/dev/null | cut -d, -f2 | sort | tr '\n' ' '; }

# --- the daemon -------------------------------------------------------------------------

# ov_peers NODE -- NODE's daemon's peers, one JSON object a line (peer get --json)
ov_peers() { ctl "$1" peer get --json; }

# json_num JSON NAME / json_str JSON NAME -- one field of a flat JSON object
json_num() { grep -o "\"$2\":-\?[0-9]*" <<<"$1" | head -1 | cut -d: -f2; }
json_str() { grep -o "\"$2\":\"[^\"]*\"" <<<"$1" | head -1 | cut -d'"' -f4; }

# ov_peer_of PEERS VPNIP -- from ov_peers' output, the line of the peer with that VPN address
ov_peer_of() { grep -F "\"vpn_ipv4\":\"$2\"" <<<"$1" | head -1; }

# ov_events_start NODE -- record NODE's daemon's notifications (text, one a line); each call
# starts a new subscription (after a daemon restart), ov_events prints them all
ov_events_start() {
    local node=$1
    OV_EVENTS_N=$((OV_EVENTS_N + 1))
    spawn "$OV_DIR/$node.events.$OV_EVENTS_N" "$OV_DIR/$node.events.$OV_EVENTS_N.log" "$(ns_of "$node")" \
        "$OVPN" --control "/run/ovpn-dpdk/$E2E_ID-$node.sock" events --timeout 900
    for _ in $(seq 50); do
        grep -q subscribed "$OV_DIR/$node.events.$OV_EVENTS_N.log" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
ov_events() { cat "$OV_DIR/$1".events.[0-9]* 2>/dev/null; }

# --- measurements -----------------------------------------------------------------------

# cpu_ticks PID -- utime + stime of PID in clock ticks (/proc/PID/stat fields 14 and 15)
cpu_ticks() {
    local s
    read -r s <"/proc/$1/stat" || return 1
    s=${s##*) }
    # after the ')': field 3 is the state, so utime and stime are the 12th and 13th
    awk '{ print $12 + $13 }' <<<"$s"
}

# ping_clean NS ADDR COUNT INTERVAL -- COUNT pings, every reply back (0 % loss)
ping_clean() {
    local out
    out=$(nsx "$1" ping -q -n -c "$3" -i "$4" -W 2 "$2" 2>&1)
    echo "$out" | tail -2
    grep -q ' 0% packet loss' <<<"$out"
}

# ping_loss LOGFILE -- the packet loss count of a finished ping's summary (sent − received)
ping_lost() {
    awk '/packets transmitted/ { print $1 - $4; found = 1 } END { if (!found) print "none" }' "$1"
}

# check_within NAME SECS CMD... -- CMD must succeed within SECS seconds (polled every 0.5 s)
check_within() {
    local name=$1 secs=$2; shift 2
    local out="$E2E_TMP/out.$((E2E_N += 1))" deadline=$((SECONDS + secs))
    until "$@" >"$out" 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            bad "$name" "not within ${secs} s: $(tail -3 "$out" | tr '\n' ' ')"; LAST=$out; return 1
        fi
        sleep 0.5
    done
    ok "$name"; LAST=$out
}

# par NAME CMD... / par_wait -- checks run in parallel: par starts CMD in the background,
# par_wait waits for all of them and reports each as check would (in the order started).
PAR_NAMES=() PAR_PIDS=() PAR_OUTS=()
par() {
    local name=$1; shift
    local out="$E2E_TMP/out.$((E2E_N += 1))"
    "$@" >"$out" 2>&1 &
    PAR_NAMES+=("$name"); PAR_PIDS+=("$!"); PAR_OUTS+=("$out")
}
par_wait() {
    local i
    for i in "${!PAR_PIDS[@]}"; do
        if wait "${PAR_PIDS[$i]}"; then ok "${PAR_NAMES[$i]}"
        else bad "${PAR_NAMES[$i]}" "$(tail -3 "${PAR_OUTS[$i]}" | tr '\n' ' ')"; fi
    done
    PAR_NAMES=() PAR_PIDS=() PAR_OUTS=()
}
