#!/usr/bin/env bash
# Starts ovpn-dpdk on an appliance NIC: hugepages, NIC to vfio-pci, the daemon on its cores.
#
#   scripts/run-dpdk.sh --nic IFACE|PCI --tun ovpn0 --listen ADDR:PORT --cores 2,3
#                       [--control-core 1] [--hugepages 1G] [--page 2M|1G] [--force-bind]
#                       [--wire-address CIDR ...] [-- more daemon options]
#
# 1. scripts/hugepages.sh reserve --size HUGEPAGES (default 1G of 2M pages);
# 2. scripts/bind-nic.sh bind NIC (refuses the default-route NIC unless --force-bind) —
#    it records the NIC's addresses and MAC in /run/ovpn-dpdk/nic-<pci>.env;
# 3. exec bin/ovpn-dpdk daemon --backend dpdk with EAL on --control-core (main lcore) and
#    the PCI device, one worker per core of --cores, pinned; the exception interface gets
#    the NIC's old addresses (or --wire-address), so the OpenVPN process, ARP and ssh keep
#    working on the NIC DPDK now owns.
# The PCI address it bound is recorded in /run/ovpn-dpdk/tun-<tun>.pci. Stop the daemon with
# SIGTERM (systemctl stop); then `scripts/run-dpdk.sh --release TUN` gives that tunnel's NIC
# back to its kernel driver (scripts/bind-nic.sh unbind). The systemd unit in
# scripts/appliance/ovpn-dpdk@.service runs this script, and --release after it stops.
#
#   scripts/run-dpdk.sh --release ovpn0
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

nic= tun= listen= cores= ccore=0 huge=1G page=2M force= extra=() addrs=() release=
while [ $# -gt 0 ]; do
    case $1 in
        --nic) nic=$2; shift 2 ;;
        --tun) tun=$2; shift 2 ;;
        --listen) listen=$2; shift 2 ;;
        --cores) cores=$2; shift 2 ;;
        --control-core) ccore=$2; shift 2 ;;
        --hugepages) huge=$2; shift 2 ;;
        --page) page=$2; shift 2 ;;
        --force-bind) force=--force; shift ;;
        --wire-address) addrs+=("$2"); shift 2 ;;
        --release) release=$2; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) print_help; exit 0 ;;
        *) die "run-dpdk: unknown option $1 (see --help)" ;;
    esac
done
if [ -n "$release" ]; then
    rec=/run/ovpn-dpdk/tun-$release.pci
    [ -f "$rec" ] || { log "run-dpdk: no NIC recorded for $release ($rec): nothing to give back"; exit 0; }
    "$OVPN_ROOT/scripts/bind-nic.sh" unbind "$(cat "$rec")"
    rm -f "$rec"
    exit 0
fi
[ -n "$nic" ] && [ -n "$tun" ] && [ -n "$listen" ] && [ -n "$cores" ] ||
    die "run-dpdk: --nic, --tun, --listen and --cores are required (see --help)"
[[ $cores =~ ^[0-9]+(,[0-9]+)*$ ]] || die "run-dpdk: --cores is a comma-separated CPU list, e.g. 2,3"
workers=$(tr ',' '\n' <<<"$cores" | wc -l)

"$OVPN_ROOT/scripts/hugepages.sh" reserve --size "$huge" --page "$page"
# This NIC's own record, not the newest one: several tunnels may each own a NIC.
pci=$("$OVPN_ROOT/scripts/bind-nic.sh" pci "$nic")
"$OVPN_ROOT/scripts/bind-nic.sh" bind "$pci" ${force:+"$force"}
env=/run/ovpn-dpdk/nic-$pci.env
echo "$pci" | as_root tee "/run/ovpn-dpdk/tun-$tun.pci" >/dev/null
# shellcheck disable=SC1090
. "$env"
if [ ${#addrs[@]} -eq 0 ]; then read -r -a addrs <<<"${ADDRESSES:-}"; fi
[ ${#addrs[@]} -gt 0 ] || log "run-dpdk: no address for the exception interface; configure it yourself"
wa=()
for a in "${addrs[@]}"; do wa+=(--wire-address "$a"); done

log "run-dpdk: $PCI (${IFACE:-no kernel name}) → ovpn-dpdk on cores $cores, control on $ccore"
exec "$OVPN_ROOT/bin/ovpn-dpdk" daemon --backend dpdk --tun "$tun" --listen "$listen" \
    --workers "$workers" --cpus "$cores" \
    --eal "-l $ccore -a $PCI --file-prefix=ovpn-$tun --huge-unlink" --wire-port "$PCI" \
    "${wa[@]}" "${extra[@]}"
