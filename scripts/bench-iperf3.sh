#!/usr/bin/env bash
# iperf3 through tunnels between two network namespaces on one veth pair, in one run, side
# by side: a plain veth (no tunnel), stock OpenVPN 2.6 (Debian package, --disable-dco,
# AES-256-GCM, userspace tun), and ovpn-dpdk on the socket backend at both ends.
# Prints a markdown table and, last, `ovpn-dpdk/openvpn tcp: R`. Needs root.
#   scripts/bench-iperf3.sh [--seconds 10] [--streams 1] [--workers 1] [--cipher AES-256-GCM]
#                           [--out FILE.md] [--tun-mtu N]
# --tun-mtu sets ovpn-dpdk's TUN MTU (default: the kernel's 1500, so every full-size packet
# leaves as two IP fragments; 1448 fits a datagram in the veth's 1500 over IPv4, which stock
# OpenVPN gets for TCP from its default --mssfix).
# Environment: CPUS_A/CPUS_B pin each daemon's workers; OFFLOADS="off on" measures ovpn-dpdk
# without and with the TUN offloads in the same run (default "on").
set -uo pipefail
seconds=10 streams=1 workers=1 cipher=AES-256-GCM out= tun_mtu=
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --streams) streams=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --cipher) cipher=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --tun-mtu) tun_mtu=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "bench-iperf3: unknown option $1" >&2; exit 2 ;;
    esac
done
. "$(dirname "$0")/e2e/lib.sh"
E2E_NAME=bench-iperf3
need_root
[ -f "$OVPN_ROOT/control/target/ovpn-dpdk.jar" ] || "$OVPN_ROOT/scripts/setup.sh" || exit 1

A=$(ns_of a) B=$(ns_of b)
ns_add "$A"; ns_add "$B"
ip link add "va-$E2E_ID" netns "$A" type veth peer name "vb-$E2E_ID" netns "$B"
nsx "$A" ip addr add 10.78.0.1/24 dev "va-$E2E_ID"; nsx "$A" ip link set "va-$E2E_ID" up
nsx "$B" ip addr add 10.78.0.2/24 dev "vb-$E2E_ID"; nsx "$B" ip link set "vb-$E2E_ID" up

# iperf3 TCP from A to B's address $1 → Mbit/s at the receiver; CPU seconds of $2 (pids) too.
declare -A rate
measure() {
    local name=$1 dst=$2
    spawn /dev/null /dev/null "$B" timeout $((seconds + 20)) iperf3 -s -1 -B "$dst"
    local srv=$!
    sleep 0.5
    local json="$E2E_TMP/$name.json"
    if nsx "$A" timeout $((seconds + 15)) iperf3 -c "$dst" -t "$seconds" -P "$streams" -J >"$json" 2>/dev/null; then
        rate[$name]=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' "$json")
    else
        rate[$name]=0
    fi
    wait "$srv" 2>/dev/null
    log "bench-iperf3: $name: ${rate[$name]} Mbit/s"
}

wait_ping() { # ns dst
    for _ in $(seq 100); do nsx "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
    return 1
}

# 1. plain veth
measure veth 10.78.0.2

# 2. stock OpenVPN 2.6, TLS p2p with ECDSA certificates made here, userspace data path
pki=$E2E_TMP/pki; mkdir -p "$pki"
(
    cd "$pki"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bench-ca
    for n in server client; do
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key -out $n.csr -subj /CN=$n
        openssl x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $n.crt -days 2
    done
) >/dev/null 2>&1
ovpn_common=(--dev tun --proto udp --data-ciphers "$cipher" --disable-dco --ca "$pki/ca.crt" --verb 1
    --ping 10 --ping-restart 60 --persist-tun --mute-replay-warnings)
spawn "$E2E_TMP/openvpn-b.log" "$E2E_TMP/openvpn-b.log" "$B" openvpn "${ovpn_common[@]}" --tls-server --dh none \
    --cert "$pki/server.crt" --key "$pki/server.key" \
    --local 10.78.0.2 --lport 1194 --remote 10.78.0.1 --rport 1194 --ifconfig 5.6.0.2 5.6.0.1
spawn "$E2E_TMP/openvpn-a.log" "$E2E_TMP/openvpn-a.log" "$A" openvpn "${ovpn_common[@]}" --tls-client \
    --cert "$pki/client.crt" --key "$pki/client.key" \
    --local 10.78.0.1 --lport 1194 --remote 10.78.0.2 --rport 1194 --ifconfig 5.6.0.1 5.6.0.2
if wait_ping "$A" 5.6.0.2; then
    measure openvpn 5.6.0.2
else
    log "bench-iperf3: stock OpenVPN did not come up:"; tail -5 "$E2E_TMP/openvpn-a.log" >&2; rate[openvpn]=0
fi
kill "${E2E_PIDS[@]}" 2>/dev/null; wait 2>/dev/null; E2E_PIDS=()

# 3. ovpn-dpdk, socket backend, static keys through the command line; once per TUN offload
# setting in $OFFLOADS ("on", the default, and/or "off": docs/socket-offloads.md)
key=$(keyfile bench)
systems=(veth openvpn)
for variant in ${OFFLOADS:-on}; do
    # "on-noudp": the TUN offloads without UDP GSO/GRO on the wire; "on-noudpgro": without GRO
    offload=${variant%%-*}
    case $variant in
        *-noudp) export OVPN_DPDK_JAVA_OPTS="-Dovpndpdk.udpgso=false -Dovpndpdk.udpgro=false" ;;
        *-noudpgro) export OVPN_DPDK_JAVA_OPTS=-Dovpndpdk.udpgro=false ;;
        *) export OVPN_DPDK_JAVA_OPTS= ;;
    esac
    name=ovpn-dpdk-socket; [ "$variant" = on ] || name=ovpn-dpdk-socket-offload-$variant
    systems+=("$name")
    daemon a --tun ovpn0 --listen 10.78.0.1:1195 --mode p2p --workers "$workers" --cpus "${CPUS_A:-none}" --offload "$offload" >/dev/null || exit 1
    daemon b --tun ovpn0 --listen 10.78.0.2:1195 --mode p2p --workers "$workers" --cpus "${CPUS_B:-none}" --offload "$offload" >/dev/null || exit 1
    ctl a peer new --id 1 --remote 10.78.0.2:1195 >/dev/null
    ctl a key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role client >/dev/null
    ctl b peer new --id 1 --remote 10.78.0.1:1195 >/dev/null
    ctl b key new --peer 1 --slot primary --key-id 0 --cipher "$cipher" --key-material "$key" --role server >/dev/null
    nsx "$A" ip addr add 5.7.0.1/24 dev ovpn0
    nsx "$B" ip addr add 5.7.0.2/24 dev ovpn0
    if [ -n "$tun_mtu" ]; then nsx "$A" ip link set ovpn0 mtu "$tun_mtu"; nsx "$B" ip link set ovpn0 mtu "$tun_mtu"; fi
    if wait_ping "$A" 5.7.0.2; then measure "$name" 5.7.0.2; else rate[$name]=0; fi
    kill "${E2E_PIDS[@]}" 2>/dev/null; wait 2>/dev/null; E2E_PIDS=()
    rm -f "/run/ovpn-dpdk/$E2E_ID-"*.sock
done
main=ovpn-dpdk-socket; [ -n "${rate[$main]:-}" ] || main=${systems[-1]}

ratio=$(python3 -c "import sys; o=float(sys.argv[1]); d=float(sys.argv[2]); print('%.2f' % (d/o) if o > 0 else 'n/a')" "${rate[openvpn]}" "${rate[$main]}")
report=$(
    echo "| system | iperf3 TCP, $streams stream(s), ${seconds} s | vs stock OpenVPN |"
    echo "|---|---:|---:|"
    for s in "${systems[@]}"; do
        r=${rate[$s]}
        x=$(python3 -c "import sys; o=float(sys.argv[1]); v=float(sys.argv[2]); print('%.2fx' % (v/o) if o > 0 else '-')" "${rate[openvpn]}" "$r")
        echo "| $s | $r Mbit/s | $x |"
    done
    echo
    echo "Cipher $cipher; ovpn-dpdk workers: $workers, TUN MTU ${tun_mtu:-1500}; $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $(date -u +%Y-%m-%d)."
)
echo "$report"
[ -z "$out" ] || { mkdir -p "$(dirname "$out")"; echo "$report" > "$out"; }
echo "ovpn-dpdk/openvpn tcp: $ratio"
