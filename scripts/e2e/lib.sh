# Shared helpers for the end-to-end scenarios: namespaces, daemons, checks, cleanup.
# Source it from a scenario; every namespace and process it starts is removed on exit,
# whether the scenario passed or not.
# shellcheck shell=bash

. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

OVPN="$OVPN_ROOT/bin/ovpn-dpdk"
E2E_ID=${E2E_ID:-e$$}                 # unique per run: namespaces, sockets, temp files
E2E_TMP=$(mktemp -d "/tmp/ovpn-e2e-$E2E_ID.XXXX")
E2E_NS=()                             # namespaces to delete
E2E_PIDS=()                           # background processes to stop
E2E_PASS=0
E2E_FAIL=0
E2E_NAME=${E2E_NAME:-$(basename "$0" .sh)}

# alive PID -- PID runs: its stat can be read and its state (after the last ')') is neither
# Z(ombie) nor X (dead). A stat that cannot be read is a process gone: the shell may reap the
# zombie at any moment, between any two looks (treating that as "alive" once failed a
# scenario with "still running after 20 s" for a daemon that had long stopped).
alive() {
    local s
    { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
    s=${s##*) }
    [ "${s:0:1}" != Z ] && [ "${s:0:1}" != X ]
}

e2e_cleanup() {
    local pid ns
    for pid in "${E2E_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${E2E_PIDS[@]}"; do
        for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    # Anything of this run that escaped (its command line names this run's sockets).
    pkill -9 -f "/run/ovpn-dpdk/$E2E_ID-" 2>/dev/null || true
    for ns in "${E2E_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$E2E_TMP" "/run/ovpn-dpdk/$E2E_ID-"*.sock
    # EAL leaves its runtime directory (config, fbarrays: 3 MB of tmpfs) per --file-prefix;
    # dpdk_daemon's prefixes are this run's ID and the node.
    rm -rf "/var/run/dpdk/$E2E_ID-"*
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

# stuck_report PID LOG -- what a daemon that would not stop was doing: its log's end, its Java
# threads, and each thread's kernel wait (the evidence a CI log needs; the cleanup kills it).
stuck_report() {
    local pid=$1 t
    log "--- its log's last lines:"; tail -15 "$2" >&2
    log "--- its threads (jcmd Thread.print):"
    ( find_jdk >/dev/null 2>&1 && timeout 10 "$JAVA_HOME/bin/jcmd" "$pid" Thread.print -e ) >&2 2>&1 \
        || log "(jcmd failed)"
    log "--- each thread's name, state and kernel wait:"
    for t in /proc/"$pid"/task/*; do
        printf '  %s %s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" \
            "$(awk '{ print $3 }' "$t/stat" 2>/dev/null)" "$(cat "$t/wchan" 2>/dev/null)" >&2
    done
}

need_root() {
    [ "$(id -u)" -eq 0 ] || { log "$E2E_NAME: needs root (network namespaces); skipped"; exit 77; }
}

# ok NAME -- a check passed; bad NAME DETAIL -- it failed (the scenario goes on).
ok()  { E2E_PASS=$((E2E_PASS + 1)); log "  ok   $1"; }
bad() { E2E_FAIL=$((E2E_FAIL + 1)); log "  FAIL $1${2:+: $2}"; }
# check NAME CMD... -- CMD must succeed; check_fails NAME CMD... -- it must fail.
# Each keeps its output in a file named by $LAST, for a follow-up check to look into.
E2E_N=0
LAST=/dev/null
check() {
    local name=$1; shift
    local out="$E2E_TMP/out.$((E2E_N += 1))"
    if "$@" >"$out" 2>&1; then ok "$name"; else bad "$name" "$(tail -3 "$out" | tr '\n' ' ')"; fi
    LAST=$out
}
check_fails() {
    local name=$1; shift
    local out="$E2E_TMP/out.$((E2E_N += 1))"
    if "$@" >"$out" 2>&1; then bad "$name" "expected a failure: $(tail -2 "$out" | tr '\n' ' ')"; else ok "$name"; fi
    LAST=$out
}
# check_fails_within NAME SECS CMD... -- CMD must start failing within SECS seconds (polled
# every 0.5 s): for states that end on a timer, such as a keepalive expiry.
check_fails_within() {
    local name=$1 secs=$2; shift 2
    local out="$E2E_TMP/out.$((E2E_N += 1))"
    local tries=$((secs * 2))
    while "$@" >"$out" 2>&1; do
        if [ $((tries -= 1)) -le 0 ]; then
            bad "$name" "still there after ${secs} s: $(tail -2 "$out" | tr '\n' ' ')"; LAST=$out; return
        fi
        sleep 0.5
    done
    ok "$name"; LAST=$out
}

# nsx NS CMD... -- run in a namespace
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# spawn OUT ERR NS CMD... -- start CMD in namespace NS in the background, output to OUT/ERR,
# and remember it for the cleanup. `ip netns exec` execs CMD and the launcher execs java, so
# $! is the process itself: killing it stops it (a backgrounded shell function would not be).
spawn() {
    local out=$1 err=$2 ns=$3; shift 3
    ip netns exec "$ns" "$@" >"$out" 2>"$err" &
    E2E_PIDS+=("$!")
}

# No router solicitations from the interfaces a namespace gets: Linux repeats them forever with
# back-off (RFC 7559), and one leaving a TUN device is an authentic packet that resets the
# peer's keepalive timeout at a moment the test does not choose.
ns_add() {
    ip netns add "$1"; E2E_NS+=("$1"); nsx "$1" ip link set lo up
    nsx "$1" sysctl -qw net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0
}

# ctl NODE ARGS... -- the CLI against NODE's daemon. Each call is a JVM start, a scenario makes
# dozens, and on a loaded machine each took 1-2 s: C1 only, and the CLI's classes from a
# class-data archive the run's first call writes, about halve that. (JVM logging off: a CDS
# warning on stdout would land in the output the checks read.)
CTL_JSA=$E2E_TMP/ctl.jsa
ctl() {
    local node=$1 cds
    shift
    if [ -s "$CTL_JSA" ]; then cds=-XX:SharedArchiveFile=$CTL_JSA; else cds=-XX:ArchiveClassesAtExit=$CTL_JSA; fi
    OVPN_DPDK_JAVA_OPTS="${OVPN_DPDK_JAVA_OPTS:-} -XX:TieredStopAtLevel=1 $cds -Xlog:disable" \
        nsx "$(ns_of "$node")" "$OVPN" --control "/run/ovpn-dpdk/$E2E_ID-$node.sock" "$@"
}
ns_of() { printf '%s-%s' "$E2E_ID" "$1"; }

# daemon NODE ARGS... -- start a daemon in NODE's namespace; waits until its socket answers
daemon() {
    local node=$1; shift
    local sock="/run/ovpn-dpdk/$E2E_ID-$node.sock"
    spawn "$E2E_TMP/$node.log" "$E2E_TMP/$node.log" "$(ns_of "$node")" "$OVPN" daemon --control "$sock" "$@"
    for _ in $(seq 100); do
        [ -S "$sock" ] && ctl "$node" stats >/dev/null 2>&1 && return 0
        alive "$!" || break
        sleep 0.1
    done
    log "daemon $node did not start:"; cat "$E2E_TMP/$node.log" >&2
    return 1
}

# WIRE_PMD=af_packet|af_xdp -- the DPDK daemons' wire port driver (default af_packet).
WIRE_PMD=${WIRE_PMD:-af_packet}

# afxdp_missing -- one line saying why net_af_xdp cannot run here, or nothing: the PMD and its
# libraries (libxdp, libbpf), AF_XDP sockets, and loading an XDP program (what the PMD does
# first on its interface) are each tried.
afxdp_missing() {
    local so
    so=$(ldconfig -p | awk '/librte_net_af_xdp\.so\.23 / { print $NF; exit }')
    if [ -z "$so" ]; then echo "DPDK's net_af_xdp PMD is not installed (Debian: librte-net-af-xdp23)"; return; fi
    if ldd "$so" | grep -q 'not found'; then
        echo "net_af_xdp's libraries are missing: $(ldd "$so" | awk '/not found/ { printf "%s ", $1 }')"; return
    fi
    python3 - <<'PY'
import ctypes, errno, os, platform, socket, struct
try:
    socket.socket(44, socket.SOCK_RAW, 0).close()  # AF_XDP
except OSError as e:
    hint = " (a kernel without CONFIG_XDP_SOCKETS)" if e.errno == errno.EAFNOSUPPORT else ""
    print(f"no AF_XDP socket: {os.strerror(e.errno)}{hint}")
    raise SystemExit
insns = struct.pack('<BBhiBBhi', 0xb7, 0, 0, 2, 0x95, 0, 0, 0)  # r0 = XDP_PASS; exit
prog, lic = ctypes.create_string_buffer(insns), ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(struct.pack('<IIQQ', 6, 2, ctypes.addressof(prog), ctypes.addressof(lic)), 128)
libc = ctypes.CDLL(None, use_errno=True)
nr = {"x86_64": 321, "aarch64": 280}.get(platform.machine(), 321)  # bpf(2)
fd = libc.syscall(nr, 5, attr, 128)  # BPF_PROG_LOAD of a BPF_PROG_TYPE_XDP program
if fd < 0:
    print(f"the kernel refuses to load an XDP program: {os.strerror(ctypes.get_errno())}")
else:
    os.close(fd)
PY
}

# need_wire_pmd -- skip the scenario (exit 77, one line why) when WIRE_PMD cannot run here.
need_wire_pmd() {
    local why=
    case $WIRE_PMD in
        af_packet) ;;
        af_xdp) why=$(afxdp_missing) ;;
        *) die "WIRE_PMD=$WIRE_PMD: af_packet or af_xdp" ;;
    esac
    [ -z "$why" ] || { log "$E2E_NAME: skipped: $why"; exit 77; }
}

# dpdk_daemon NODE VETH ADDR/PREFIX [ARGS...] -- start a DPDK daemon in NODE's namespace: VETH is
# its wire port (net_af_packet, or net_af_xdp with WIRE_PMD=af_xdp; --no-huge), ADDR/PREFIX goes
# on the exception interface and the daemon listens on ADDR port 1194; ARGS go to the daemon as
# well (--workers, --mode …).
# The kernel must stay out of VETH: af_packet does not steal frames, so an nftables netdev
# ingress chain with policy drop on it stops the kernel while af_packet still sees every frame
# (ARCHITECTURE.md, dpdk backend); VETH has no address of its own, the exception interface has it.
# af_xdp does steal them: its XDP program redirects each frame to the socket on its queue before
# the kernel builds an skb, so the ingress hook (after XDP) never sees those and the chain takes
# nothing from af_xdp (tunnel.sh checks that its counter stays still while traffic flows). It is
# kept for what the XDP program passes on: frames before it is attached or after the daemon
# exits, and frames on a queue with no socket bound (an interface with more queues than
# the daemon has workers); those must not reach the kernel either.
# EAL memory: DPDK_MEM, heap memory (--no-huge) unless set (scripts/e2e/dpdk-hugepages.sh gives hugepages).
# IDLE=spin|backoff|interrupt: the daemons' --idle (default: theirs).
dpdk_daemon() {
    local node=$1 veth=$2 cidr=$3 ns host
    shift 3
    ns=$(ns_of "$node")
    host=${cidr%/*}; [[ $host == *:* ]] && host="[$host]"
    nsx "$ns" sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1"
    nsx "$ns" nft -f - <<NFT || return 1
table netdev ovd_keep_kernel_off {
    chain ingress { type filter hook ingress device "$veth" priority 0; policy drop; counter; }
}
NFT
    daemon "$node" --tun tun0 --listen "$host:1194" --backend dpdk --cpus none \
        --eal "${DPDK_MEM:---no-huge -m 256} --no-pci --file-prefix=$E2E_ID-$node" \
        --wire-port "net_${WIRE_PMD}_$node,iface=$veth" --wire-address "$cidr" ${IDLE:+--idle "$IDLE"} "$@"
}

# kernel_frames NODE -- how many frames reached the kernel's ingress on NODE's wire veth
# (the counter of dpdk_daemon's drop chain)
kernel_frames() {
    nsx "$(ns_of "$1")" nft list chain netdev ovd_keep_kernel_off ingress | awk '/counter packets/ { print $3; exit }'
}

# ab_pair -- namespaces a and b ($A, $B) joined by one veth, "va" in a and "vb" in b, both up
ab_pair() {
    A=$(ns_of a) B=$(ns_of b)
    ns_add "$A"; ns_add "$B"
    ip link add "va-$E2E_ID" netns "$A" type veth peer name "vb-$E2E_ID" netns "$B"
    nsx "$A" ip link set "va-$E2E_ID" name va
    nsx "$B" ip link set "vb-$E2E_ID" name vb
    nsx "$A" ip link set va up
    nsx "$B" ip link set vb up
}

# slow_path_datagrams NS ADDR -- from NS to ADDR port 1194, what must reach the OpenVPN
# process while the workers take the data: 10 P_CONTROL_V1, one P_CONTROL_HARD_RESET_CLIENT_V2
# and one junk datagram (openvpn-process.py counts them as control=11 other=1).
slow_path_datagrams() {
    local ns=$1 to=$2 i
    for i in $(seq 10); do
        nsx "$ns" bash -c "printf '\x20\x01\x02\x03\x04\x05\x06\x07' > /dev/udp/$to/1194" # P_CONTROL_V1
    done
    nsx "$ns" bash -c "printf '\x38\x00\x00\x00\x00\x00\x00\x00' > /dev/udp/$to/1194"      # HARD_RESET_CLIENT_V2
    nsx "$ns" bash -c "echo junk > /dev/udp/$to/1194"
}

# events NODE -- record NODE's notifications (one per line) into $E2E_TMP/NODE.events
events() {
    local node=$1
    spawn "$E2E_TMP/$node.events" "$E2E_TMP/$node.events.log" "$(ns_of "$node")" \
        "$OVPN" --control "/run/ovpn-dpdk/$E2E_ID-$node.sock" events --timeout 600
    sleep 0.5
}

# stat NODE NAME [PEER] -- one counter from stats --json (or peer get --json)
stat() {
    local node=$1 name=$2 peer=${3:-}
    if [ -n "$peer" ]; then ctl "$node" peer get --id "$peer" --json; else ctl "$node" stats --json; fi |
        grep -o "\"$name\":[0-9]*" | head -1 | cut -d: -f2
}

# keyfile NAME -- a fresh random 256-byte OpenVPN key block in hex
keyfile() { head -c 256 /dev/urandom | od -An -v -tx1 | tr -d ' \n' > "$E2E_TMP/$1.key"; echo "$E2E_TMP/$1.key"; }

e2e_finish() {
    log "$E2E_NAME: $E2E_PASS passed, $E2E_FAIL failed"
    echo "e2e $E2E_NAME: $E2E_PASS passed, $E2E_FAIL failed"
    [ "$E2E_FAIL" -eq 0 ]
}
