#!/usr/bin/env bash
# iperf3 through tunnels between two network namespaces (A, B) on one veth pair, in one run,
# side by side: the plain veth (no tunnel), stock OpenVPN 2.6 (Debian package, --disable-dco,
# userspace tun, TLS p2p), ovpn-dpdk's socket backend at both ends with static keys, OpenVPN
# driving ovpn-dpdk at both ends (TLS p2p, the patched OpenVPN), and when asked for,
# ovpn-dpdk's DPDK backend at both ends. Needs root.
usage() {
    cat <<'EOF'
usage: scripts/bench-iperf3.sh [options]        (root)

For each system, in turn: iperf3 TCP with 1 and with 4 streams, and UDP at the largest
rate whose loss stays at or below 1 %, each from A to B and from B to A (iperf3 -R; the
iperf3 server always runs in B). The UDP rate is searched: start at the TCP 1-stream rate
of the same direction, double while the loss is <= 1 % and the sender keeps up; on loss,
go down to what got through (at least 30 % lower) until a step passes, then bisect; the
best received rate of a step with <= 1 % loss is reported. During each measurement the CPU
time (utime + stime from /proc/<pid>/stat) of the tunnel process on each side (openvpn or
the daemon) is divided by the wall time: % of one core. /proc/stat gives the whole
machine's busy % (kernel softirq work included).

  --seconds N       seconds per TCP measurement (default 10; UDP: 6 steps of 4 s)
  --quick           3 s per TCP measurement, 5 UDP steps of 2 s (about 3 min in all)
  --systems LIST    comma-separated, from veth,openvpn,socket,dco,dpdk,afxdp,cryptodev
                    (default veth,openvpn,socket,dco; socket: ovpn-dpdk's socket backend
                    with static keys from the command line; dco: OpenVPN 2.6 with
                    ovpn-dpdk at both ends, the patched OpenVPN of scripts/build-openvpn.sh
                    driving a socket-backend daemon each, real TLS and renegotiation;
                    dpdk: the DPDK backend, its wire port on net_af_packet; afxdp: the
                    same with net_af_xdp; cryptodev: the socket backend with the AEAD
                    through DPDK's cryptodev API, CRYPTODEV=<--crypto value> (default
                    cryptodev:crypto_aesni_gcm0))
  --cipher NAME     AES-256-GCM (default), AES-128-GCM, CHACHA20-POLY1305
  --workers N       ovpn-dpdk workers per side (default 1)
  --out DIR         where the results go (default bench/results; scratch runs:
                    bench/results/tmp, which git ignores)
  -h, --help        this text

Environment: CPUS_A, CPUS_B pin side A's / side B's tunnel (ovpn-dpdk --cpus, openvpn
through taskset), e.g. CPUS_A=0 CPUS_B=1. Unset: nothing is pinned. iperf3 is never pinned.

Output, in DIR: iperf3-<UTC time>.md (the tables and the method), .csv (every
measurement, UDP search steps included), .png (bars per system and test, each tunnel
annotated with its ratio to stock OpenVPN; skipped with a message when python3-matplotlib
is missing). The tables are printed too; the last line is
  ovpn-dpdk/openvpn tcp: R
with R = (best ovpn-dpdk backend, TCP 1 stream A->B) / (stock OpenVPN, TCP 1 stream A->B); with
the dco system two lines before it give dco's TCP 1 stream A->B over the static-key socket
backend's and over stock OpenVPN's.
EOF
}
set -uo pipefail
seconds=10 quick=0 systems=veth,openvpn,socket,dco workers=1 cipher=AES-256-GCM out=
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        --systems) systems=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --cipher) cipher=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-iperf3: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
udp_seconds=4 udp_steps=6
[ "$quick" -eq 0 ] || { seconds=3 udp_seconds=2 udp_steps=5; }
UDP_LEN=1400   # iperf3 UDP payload: inner packet 1428 bytes, outer 1480, no fragment on the veth
TUN_MTU=1448   # ovpn-dpdk's TUN: + 52 bytes (IPv4, UDP, P_DATA_V2 header and tag) = veth's 1500
ALL_SYSTEMS=(veth openvpn socket dco dpdk afxdp cryptodev)
for s in ${systems//,/ }; do
    [[ " ${ALL_SYSTEMS[*]} " == *" $s "* ]] || { echo "bench-iperf3: unknown system $s" >&2; exit 2; }
done

. "$(dirname "$0")/e2e/lib.sh"
E2E_NAME=bench-iperf3
need_root
[ -f "$OVPN_ROOT/control/target/ovpn-dpdk.jar" ] || "$OVPN_ROOT/scripts/setup.sh" || exit 1
out=${out:-$OVPN_ROOT/bench/results}
mkdir -p "$out" || exit 1
stamp=$(date -u +%Y%m%d-%H%M%S)
started=$(date +%s) load_start=$(cut -d' ' -f1-3 /proc/loadavg)

A=$(ns_of a) B=$(ns_of b)
ns_add "$A"; ns_add "$B"
ip link add "va-$E2E_ID" netns "$A" type veth peer name "vb-$E2E_ID" netns "$B"

CSV=$E2E_TMP/results.csv
echo "system,test,kind,offered_mbps,mbps,loss_pct,cpu_a_pct,cpu_b_pct,busy_pct,seconds,status" >"$CSV"
TPID_A= TPID_B= DST=      # the running system: its tunnel processes and B's tunnel address

# ---- measuring -------------------------------------------------------------------------

# CPU time of a process (all its threads) in clock ticks; empty if it is gone.
ticks() {
    local s f
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    s=${s##*) }; read -r -a f <<<"$s"    # fields from 3 (state) on: utime is 14, stime 15
    echo $((f[11] + f[12]))
}
# Whole machine: "total busy" jiffies from /proc/stat (busy = all but idle and iowait).
machine() {
    local _c u n s i w q sq st _r
    read -r _c u n s i w q sq st _r </proc/stat
    echo "$((u + n + s + i + w + q + sq + st)) $((u + n + s + q + sq + st))"
}
HZ=$(getconf CLK_TCK)

# iperf SECS REV IPERF3-ARGS... -- one iperf3 run from A to $DST in B (REV=1: B to A); sets
# M_MBPS M_LOSS (at the receiver), M_CPUA M_CPUB (% of one core), M_BUSY (% of the machine)
# and M_STATUS (ok or failed).
iperf() {
    local secs=$1 rev=$2; shift 2
    local json=$E2E_TMP/iperf.json
    spawn /dev/null /dev/null "$B" timeout $((secs + 30)) iperf3 -s -1 -B "$DST"
    local srv=$!
    for _ in $(seq 50); do
        nsx "$B" ss -Hltn "sport = :5201" 2>/dev/null | grep -q . && break; sleep 0.1
    done
    local a0 b0 m0 t0 a1 b1 m1 t1
    a0=$([ -z "$TPID_A" ] || ticks "$TPID_A"); b0=$([ -z "$TPID_B" ] || ticks "$TPID_B")
    m0=$(machine); t0=$(date +%s%N)
    local args=(-c "$DST" -t "$secs" -J "$@"); [ "$rev" -eq 0 ] || args+=(-R)
    nsx "$A" timeout $((secs + 20)) iperf3 "${args[@]}" >"$json" 2>/dev/null
    local rc=$?
    t1=$(date +%s%N); m1=$(machine)
    a1=$([ -z "$TPID_A" ] || ticks "$TPID_A"); b1=$([ -z "$TPID_B" ] || ticks "$TPID_B")
    for _ in $(seq 20); do alive "$srv" || break; sleep 0.1; done
    kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
    forget "$srv"
    local r
    if [ "$rc" -eq 0 ] && r=$(python3 "$OVPN_ROOT/scripts/lib/iperf3-result.py" rate "$json" 2>/dev/null); then
        read -r M_MBPS M_LOSS <<<"$r"; M_STATUS=ok
    else
        M_MBPS=0 M_LOSS=100 M_STATUS=failed
    fi
    read -r M_CPUA M_CPUB M_BUSY < <(python3 - "$HZ" "$t0" "$t1" "$m0" "$m1" "$a0" "$a1" "$b0" "$b1" "$(nproc)" <<'EOF'
import sys
hz, t0, t1 = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
tot0, busy0 = map(int, sys.argv[4].split()); tot1, busy1 = map(int, sys.argv[5].split())
wall = (t1 - t0) / 1e9
def pct(a, b):
    return "%.1f" % ((int(b) - int(a)) / hz / wall * 100) if a and b else "-"
expect = wall * hz * int(sys.argv[10])
if abs((tot1 - tot0) - expect) > 0.2 * expect:
    print("bench-iperf3: /proc/stat advanced %d jiffies in %.2f s, expected %d" % (tot1 - tot0, wall, expect),
          file=sys.stderr)
print(pct(sys.argv[6], sys.argv[7]), pct(sys.argv[8], sys.argv[9]),
      "%.1f" % (100.0 * (busy1 - busy0) / max(1, tot1 - tot0)))
EOF
)
}
forget() { local p keep=(); for p in "${E2E_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; E2E_PIDS=("${keep[@]}"); }

# row SYSTEM TEST KIND OFFERED SECS -- the last measurement into the CSV
row() { echo "$1,$2,$3,$4,$M_MBPS,$M_LOSS,$M_CPUA,$M_CPUB,$M_BUSY,$5,$M_STATUS" >>"$CSV"; }
# status_rows SYSTEM STATUS -- every test of SYSTEM with no number, e.g. "not run"
status_rows() {
    local t
    for t in tcp1-ab tcp1-ba tcp4-ab tcp4-ba udp-ab udp-ba; do
        echo "$1,$t,result,,,,,,,,$2" >>"$CSV"
    done
}

# udp_search SYSTEM DIR REV START_MBPS -- the largest UDP rate with <= 1 % loss, in a few steps
udp_search() {
    local sys=$1 dir=$2 rev=$3 rate=${4%.*} lo=0 hi=0 best= step
    [ "${rate:-0}" -ge 10 ] || rate=100
    for step in $(seq "$udp_steps"); do
        iperf "$udp_seconds" "$rev" -u -b "${rate}M" -l "$UDP_LEN"
        row "$sys" "udp-$dir" udp-step "$rate" "$udp_seconds"
        log "bench-iperf3: $sys udp $dir step $step: offered $rate, got $M_MBPS Mbit/s, loss $M_LOSS %"
        if [ "$M_STATUS" = ok ] && python3 -c "import sys; sys.exit(not float(sys.argv[1]) <= 1.0)" "$M_LOSS"; then
            if [ -z "$best" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) > float(sys.argv[2]))" \
                "$M_MBPS" "${best%%,*}"; then
                best="$M_MBPS,$M_LOSS,$M_CPUA,$M_CPUB,$M_BUSY,$rate"
            fi
            lo=$rate
            # The sender could not reach the offered rate: going higher shows nothing new.
            python3 -c "import sys; sys.exit(not float(sys.argv[1]) < 0.9 * float(sys.argv[2]))" \
                "$M_MBPS" "$rate" && break
            if [ "$hi" -gt 0 ]; then rate=$(((lo + hi) / 2)); else rate=$((rate * 2)); fi
        else
            hi=$rate
            if [ "$lo" -gt 0 ]; then
                rate=$(((lo + hi) / 2))
            else
                # Nothing passed yet: what the path carried, but at least 30 % less (noisy hosts).
                local got=${M_MBPS%.*}
                rate=$((got * 95 / 100)); [ "$rate" -le $((hi * 7 / 10)) ] || rate=$((hi * 7 / 10))
                [ "$rate" -ge 10 ] || rate=$((hi / 2))
            fi
        fi
        [ "$rate" -ge 1 ] && [ "$rate" != "$lo" ] && [ "$rate" != "$hi" ] || break
    done
    if [ -n "$best" ]; then
        IFS=, read -r M_MBPS M_LOSS M_CPUA M_CPUB M_BUSY rate <<<"$best"; M_STATUS=ok
    else
        M_MBPS= M_LOSS= M_CPUA= M_CPUB= M_BUSY= rate= M_STATUS="loss > 1 %"
    fi
    row "$sys" "udp-$dir" result "$rate" "$udp_seconds"
}

# measure_all SYSTEM -- the six tests against the running system
measure_all() {
    local sys=$1 n dir rev tcp_ab tcp_ba
    for n in 1 4; do
        for dir in ab ba; do
            rev=0; [ "$dir" = ab ] || rev=1
            iperf "$seconds" "$rev" -P "$n"
            row "$sys" "tcp$n-$dir" result "" "$seconds"
            log "bench-iperf3: $sys tcp$n $dir: $M_MBPS Mbit/s (CPU A $M_CPUA %, B $M_CPUB %, machine $M_BUSY %)"
            [ "$n-$dir" = 1-ab ] && tcp_ab=$M_MBPS
            [ "$n-$dir" = 1-ba ] && tcp_ba=$M_MBPS
        done
    done
    udp_search "$sys" ab 0 "$tcp_ab"
    udp_search "$sys" ba 1 "$tcp_ba"
}

wait_ping() { # ns dst
    for _ in $(seq 100); do nsx "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
    return 1
}

# ---- the systems: start_X brings X up and sets TPID_A TPID_B DST, or fails ---------------

start_veth() { TPID_A= TPID_B= DST=10.78.0.2; }

# bench_pki -- a CA and ECDSA certificates for "server" and "client" in $E2E_TMP/pki (once).
bench_pki() {
    PKI=$E2E_TMP/pki
    [ -s "$PKI/client.crt" ] && return 0
    mkdir -p "$PKI"
    (
        cd "$PKI" || exit 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bench-ca
        for n in server client; do
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key -out $n.csr -subj /CN=$n
            openssl x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $n.crt -days 2
        done
    ) >/dev/null 2>&1
}

# tls_p2p BINARY PORT NET [OPTION...] -- OpenVPN 2.6 TLS p2p between A (client) and B (server):
# B first, then A, tunnel addresses NET.1 (A) and NET.2 (B); the options go to both, and the
# arrays SIDE_A / SIDE_B (if set) to one side each. Sets OPID_A and OPID_B.
tls_p2p() {
    local bin=$1 port=$2 net=$3; shift 3
    bench_pki
    local common=(--dev-type tun --proto udp4 --data-ciphers "$cipher" --ca "$PKI/ca.crt" --verb 3
        --ping 10 --ping-restart 60 --persist-tun --mute-replay-warnings "$@")
    local pin_a=() pin_b=()
    [ -z "${CPUS_A:-}" ] || pin_a=(taskset -c "$CPUS_A")
    [ -z "${CPUS_B:-}" ] || pin_b=(taskset -c "$CPUS_B")
    spawn "$E2E_TMP/openvpn-b.log" "$E2E_TMP/openvpn-b.log" "$B" "${pin_b[@]}" "$bin" "${common[@]}" --tls-server --dh none \
        --cert "$PKI/server.crt" --key "$PKI/server.key" \
        --local 10.78.0.2 --lport "$port" --remote 10.78.0.1 --rport "$port" --ifconfig "$net.2" "$net.1" \
        ${SIDE_B[@]+"${SIDE_B[@]}"}
    OPID_B=$!
    spawn "$E2E_TMP/openvpn-a.log" "$E2E_TMP/openvpn-a.log" "$A" "${pin_a[@]}" "$bin" "${common[@]}" --tls-client \
        --cert "$PKI/client.crt" --key "$PKI/client.key" \
        --local 10.78.0.1 --lport "$port" --remote 10.78.0.2 --rport "$port" --ifconfig "$net.1" "$net.2" \
        ${SIDE_A[@]+"${SIDE_A[@]}"}
    OPID_A=$!
}

# Stock OpenVPN 2.6, TLS p2p with ECDSA certificates made here, userspace data path.
start_openvpn() {
    tls_p2p openvpn 1194 5.6.0 --dev tun --disable-dco
    TPID_A=$OPID_A TPID_B=$OPID_B DST=5.6.0.2
    wait_ping "$A" 5.6.0.2 || { log "bench-iperf3: stock OpenVPN did not come up:"; tail -5 "$E2E_TMP/openvpn-a.log" >&2; return 1; }
}

# OpenVPN 2.6 with ovpn-dpdk at both ends (docs/openvpn.md): the patched OpenVPN, TLS p2p as
# above with its default renegotiation (reneg-sec 3600), drives a socket-backend daemon on
# each side, which moves the data. The daemons' CPU is the tunnel's; OpenVPN's own is logged.
start_dco() {
    local bin
    bin=$("$OVPN_ROOT/scripts/build-openvpn.sh" 2>>"$E2E_TMP/build-openvpn.log" | tail -1)
    [ -x "$bin" ] || { log "bench-iperf3: no patched OpenVPN (scripts/build-openvpn.sh failed, see its log)"; return 1; }
    socket_daemon a 10.78.0.1 ovd0 || return 1; TPID_A=${E2E_PIDS[-1]}
    socket_daemon b 10.78.0.2 ovd0 || return 1; TPID_B=${E2E_PIDS[-1]}
    SIDE_A=(--dco-ovpn-dpdk "/run/ovpn-dpdk/$E2E_ID-a.sock")
    SIDE_B=(--dco-ovpn-dpdk "/run/ovpn-dpdk/$E2E_ID-b.sock")
    tls_p2p "$bin" 1195 5.10.0 --dev ovd0 --tun-mtu "$TUN_MTU"
    SIDE_A=() SIDE_B=()
    DST=5.10.0.2
    wait_ping "$A" "$DST" || { log "bench-iperf3: OpenVPN with ovpn-dpdk did not come up:"; tail -5 "$E2E_TMP/openvpn-a.log" >&2; return 1; }
    grep -q "disabling data channel offload" "$E2E_TMP/openvpn-a.log" "$E2E_TMP/openvpn-b.log" &&
        { log "bench-iperf3: OpenVPN did not offload to ovpn-dpdk:"; grep -h "disabling data channel" "$E2E_TMP"/openvpn-?.log >&2; return 1; }
    return 0
}

# ovpn-dpdk at both ends with static keys through the command line; $1 starts one daemon.
start_ovpn_dpdk() {
    local start=$1 net=$2 key
    "$start" a 10.78.0.1 || return 1; TPID_A=${E2E_PIDS[-1]}
    "$start" b 10.78.0.2 || return 1; TPID_B=${E2E_PIDS[-1]}
    key=$(keyfile bench)
    ctl a peer new --id 1 --remote 10.78.0.2:1195 >/dev/null || return 1
    ctl a key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role client >/dev/null || return 1
    ctl b peer new --id 1 --remote 10.78.0.1:1195 >/dev/null || return 1
    ctl b key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role server >/dev/null || return 1
    nsx "$A" ip addr add "$net.1/24" dev ovpn0; nsx "$A" ip link set ovpn0 mtu "$TUN_MTU" up
    nsx "$B" ip addr add "$net.2/24" dev ovpn0; nsx "$B" ip link set ovpn0 mtu "$TUN_MTU" up
    DST=$net.2
    wait_ping "$A" "$DST" || { log "bench-iperf3: ovpn-dpdk ($start) did not come up"; return 1; }
}

# socket_daemon NODE WIRE-ADDR [TUN] -- (TUN: default ovpn0)
socket_daemon() {
    local cpus=CPUS_${1^^} node=$1 addr=$2 tun=${3:-ovpn0}
    shift $(($# < 3 ? $# : 3))
    daemon "$node" --backend socket --tun "$tun" --listen "$addr:1195" --mode p2p --workers "$workers" \
        --cpus "${!cpus:-none}" "$@" >/dev/null
}
start_socket() { start_ovpn_dpdk socket_daemon 5.7.0; }

# The socket backend with its AEAD on an asynchronous engine (docs/crypto-offload.md).
cryptodev_daemon() { socket_daemon "$1" "$2" ovpn0 --crypto "${CRYPTODEV:-cryptodev:crypto_aesni_gcm0}"; }
start_cryptodev() { start_ovpn_dpdk cryptodev_daemon 5.11.0; }

# ==== DPDK backend: the one place to adjust while `--backend dpdk` matures ===================
# dpdk_daemon NODE WIRE-ADDR -- the daemon on the DPDK backend, its wire port a net_af_packet
# vdev on this side's veth, without hugepages. af_packet does not steal frames, so the veth
# loses its kernel address and an nftables netdev ingress chain keeps the kernel off it
# (ARCHITECTURE.md, "dpdk"); the wire address moves to the daemon's exception interface,
# which answers ARP and carries the slow path. The daemon sizes its TUN MTU itself (1448).
dpdk_daemon() {
    local node=$1 addr=$2 cpus=CPUS_${1^^} ns dev pmd=${WIRE_PMD:-af_packet}
    ns=$(ns_of "$node"); dev=v$node-$E2E_ID
    nsx "$ns" ip addr flush dev "$dev"
    nsx "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
    nsx "$ns" nft -f - <<EOF || return 1
table netdev bench_keep_kernel_off {
    chain ingress { type filter hook ingress device "$dev" priority 0; policy drop; }
}
EOF
    daemon "$node" --backend dpdk --eal "--no-huge -m 512 --no-pci --file-prefix=$E2E_ID-$node" \
        --wire-port "net_${pmd}_$node,iface=$dev" --wire-address "$addr/24" \
        --tun ovpn0 --listen "$addr:1195" --mode p2p --workers "$workers" --cpus "${!cpus:-none}" >/dev/null
}
start_dpdk() { start_ovpn_dpdk dpdk_daemon 5.8.0; }
# The same with net_af_xdp wire ports (one queue on a veth: one worker; docs/dpdk-backend.md).
start_afxdp() { WIRE_PMD=af_xdp start_ovpn_dpdk dpdk_daemon 5.9.0; }
# ===========================================================================================

# Stops the running system's processes (and iperf3 leftovers) and forgets them.
stop_system() {
    local pid
    for pid in "${E2E_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${E2E_PIDS[@]}"; do
        for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    done
    E2E_PIDS=() TPID_A= TPID_B=
    rm -f "/run/ovpn-dpdk/$E2E_ID-"*.sock
    wire_up
}

# wire_up -- the veth as the kernel's again, with its addresses (after the DPDK backend).
wire_up() {
    local n ns
    for n in a b; do
        ns=$(ns_of "$n")
        nsx "$ns" nft delete table netdev bench_keep_kernel_off 2>/dev/null
        nsx "$ns" sysctl -qw "net.ipv6.conf.v$n-$E2E_ID.disable_ipv6=0"
    done
    nsx "$A" ip addr replace 10.78.0.1/24 dev "va-$E2E_ID"; nsx "$A" ip link set "va-$E2E_ID" up
    nsx "$B" ip addr replace 10.78.0.2/24 dev "vb-$E2E_ID"; nsx "$B" ip link set "vb-$E2E_ID" up
}

wire_up
for s in "${ALL_SYSTEMS[@]}"; do
    if [[ ",$systems," != *",$s,"* ]]; then status_rows "$s" "not run"; continue; fi
    log "bench-iperf3: $s"
    if "start_$s"; then
        o0=$(( $(ticks "${OPID_A:-0}" || true) + 0 )) o1=$(( $(ticks "${OPID_B:-0}" || true) + 0 )) w0=$(date +%s%N)
        measure_all "$s"
        if [ "$s" = dco ]; then # the control plane's share: OpenVPN's own CPU while the daemons moved the data
            log "bench-iperf3: dco: the OpenVPN processes used $(python3 -c "import sys; hz, a, b, ns = map(float, sys.argv[1:]); \
print('%.2f %% / %.2f %%' % (a / hz / (ns / 1e9) * 100, b / hz / (ns / 1e9) * 100))" "$HZ" \
                "$(( $(ticks "$OPID_A") - o0 ))" "$(( $(ticks "$OPID_B") - o1 ))" "$(( $(date +%s%N) - w0 ))") of a core (A / B)"
        fi
    else
        status_rows "$s" "failed to start"
    fi
    OPID_A= OPID_B=
    stop_system
done

# ---- report ------------------------------------------------------------------------------

base=$out/iperf3-$stamp
cp "$CSV" "$base.csv"
pin="nothing pinned"
[ -z "${CPUS_A:-}${CPUS_B:-}" ] || pin="tunnel of side A on CPU ${CPUS_A:--}, side B on CPU ${CPUS_B:--}; iperf3 unpinned"
ratio=$(python3 "$OVPN_ROOT/scripts/lib/iperf3-result.py" ratio "$base.csv")
title="iperf3 through the tunnel, $cipher, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M') UTC"
chart=
# matplotlib from Debian lives under /usr/bin/python3, which a pyenv or venv python3 may hide.
plot_py=python3
python3 -c 'import matplotlib' 2>/dev/null || [ ! -x /usr/bin/python3 ] || plot_py=/usr/bin/python3
"$plot_py" "$OVPN_ROOT/scripts/lib/plot-iperf3.py" "$base.csv" "$base.png" "$title"
case $? in
    0) ;;
    3) chart="chart skipped: python3-matplotlib is not installed (scripts/setup.sh installs it)" ;;
    *) chart="chart skipped: plot-iperf3.py failed" ;;
esac
report=$(
    echo "# iperf3 through the tunnel, $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    python3 "$OVPN_ROOT/scripts/lib/iperf3-result.py" table "$base.csv"
    echo
    echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), kernel $(uname -r);" \
        "load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "- Two network namespaces on one veth pair (MTU 1500); iperf3 $(iperf3 --version | head -1 | cut -d' ' -f2)" \
        "server in B, client in A, B→A with -R; $seconds s per TCP measurement."
    echo "- UDP: $UDP_LEN-byte payloads; best received rate with ≤ 1 % loss in at most $udp_steps steps of" \
        "$udp_seconds s (start at the TCP 1-stream rate; double, come down to what got through, or bisect); every step is in the .csv."
    echo "- Cipher $cipher. Stock OpenVPN $(openvpn --version | head -1 | cut -d' ' -f2): --disable-dco, TLS p2p," \
        "tun-mtu 1500 with its default mssfix. ovpn-dpdk: $workers worker(s) per side, static keys, TUN MTU $TUN_MTU." \
        "OpenVPN + ovpn-dpdk: the patched OpenVPN 2.6.14, TLS p2p (default reneg-sec), tun-mtu $TUN_MTU, a socket-backend" \
        "daemon per side; its CPU % is the daemon's (the OpenVPN processes' own is in the log)."
    echo "- Pinning: $pin. CPU % is of one core; machine % is of all $(nproc)."
    echo "- Run time $(($(date +%s) - started)) s.${chart:+ $chart.}"
    echo
    [ ! -f "$base.png" ] || echo "![iperf3 chart]($(basename "$base.png"))"
)
echo "$report" >"$base.md"
echo "$report"
echo
echo "results: $base.md, $base.csv$([ ! -f "$base.png" ] || echo ", $base.png")${chart:+; $chart}"
if [[ ",$systems," == *",dco,"* ]]; then
    echo "openvpn+ovpn-dpdk/static-key ovpn-dpdk tcp: $(python3 "$OVPN_ROOT/scripts/lib/iperf3-result.py" ratio "$base.csv" dco socket)" | tee -a "$base.md"
    echo "openvpn+ovpn-dpdk/openvpn tcp: $(python3 "$OVPN_ROOT/scripts/lib/iperf3-result.py" ratio "$base.csv" dco openvpn)" | tee -a "$base.md"
fi
echo "ovpn-dpdk/openvpn tcp: $ratio" | tee -a "$base.md"
