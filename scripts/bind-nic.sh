#!/usr/bin/env bash
# Binds a NIC to vfio-pci for the DPDK backend, and back to its kernel driver.
#
#   scripts/bind-nic.sh bind   IFACE|PCI [--driver vfio-pci] [--force]
#   scripts/bind-nic.sh unbind PCI       [--driver KERNEL_DRIVER]
#   scripts/bind-nic.sh status
#   scripts/bind-nic.sh pci    IFACE|PCI
#
# bind: records the interface name, kernel driver and addresses of the NIC in
# /run/ovpn-dpdk/nic-<pci>.env (run-dpdk.sh puts those addresses on the exception
# interface), loads vfio-pci and binds the device with dpdk-devbind.py. It refuses the
# interface that carries the default route — binding it cuts this machine off the network
# (and your ssh session) — unless --force is given.
# unbind: binds the device back to the driver recorded at bind time (or --driver).
# pci: prints the PCI address (0000:bb:dd.f) of an interface, or of a PCI address given short.
# Needs root (sudo otherwise) and dpdk-devbind.py (Debian package dpdk).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

cmd=${1:-}; [ $# -gt 0 ] && shift
dev=${1:-}; [ $# -gt 0 ] && shift
driver= force=0
while [ $# -gt 0 ]; do
    case $1 in
        --driver) driver=$2; shift 2 ;;
        --force) force=1; shift ;;
        -h|--help) print_help; exit 0 ;;
        *) die "bind-nic: unknown option $1 (see --help)" ;;
    esac
done
case $cmd in -h|--help) print_help; exit 0 ;; esac
devbind=$(command -v dpdk-devbind.py || command -v dpdk-devbind || true)
[ -n "$devbind" ] || die "bind-nic: dpdk-devbind.py not found: apt-get install dpdk"

# PCI address of an interface name, or the argument itself when it already is one.
pci_of() {
    if [[ $1 =~ ^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]]; then
        [[ $1 =~ ^[0-9a-fA-F]{4}: ]] && echo "$1" || echo "0000:$1"
    elif [ -e "/sys/class/net/$1/device" ]; then
        # Walk up: a virtio NIC's device is virtioN, whose parent is the PCI function.
        local d
        d=$(readlink -f "/sys/class/net/$1/device")
        while [ "$d" != / ] && ! [[ ${d##*/} =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]]; do d=${d%/*}; done
        [ "$d" != / ] || die "bind-nic: $1 is not on a PCI device"
        echo "${d##*/}"
    else
        die "bind-nic: '$1' is neither a PCI address nor a network interface with a PCI device"
    fi
}

case $cmd in
    status) "$devbind" --status-dev net ;;
    pci)
        [ -n "$dev" ] || die "bind-nic: which interface or PCI address?"
        pci_of "$dev" ;;
    bind)
        [ -n "$dev" ] || die "bind-nic: which interface or PCI address?"
        pci=$(pci_of "$dev")
        [ -e "/sys/bus/pci/devices/$pci" ] || die "bind-nic: no PCI device $pci"
        # The kernel interface on it (virtio NICs keep it one level down, under virtioN/net).
        iface=$(ls "/sys/bus/pci/devices/$pci"/net "/sys/bus/pci/devices/$pci"/*/net 2>/dev/null | grep -v ':$' | head -1 || true)
        if [ -n "$iface" ] && [ "$force" = 0 ] &&
           { ip -4 route show default | grep -qw "dev $iface" || ip -6 route show default | grep -qw "dev $iface"; }; then
            die "bind-nic: $iface ($pci) carries the default route; binding it cuts this machine off that network. Use --force if you mean it"
        fi
        kdrv=$(basename "$(readlink -f "/sys/bus/pci/devices/$pci/driver" 2>/dev/null || echo none)")
        as_root mkdir -p /run/ovpn-dpdk
        addrs= mac=
        if [ -n "$iface" ]; then
            addrs=$(ip -o addr show dev "$iface" scope global | awk '{print $4}' | tr '\n' ' ')
            mac=$(cat "/sys/class/net/$iface/address")
        fi
        printf 'PCI=%s\nIFACE=%s\nKERNEL_DRIVER=%s\nADDRESSES="%s"\nMAC=%s\n' "$pci" "$iface" "$kdrv" "$addrs" "$mac" |
            as_root tee "/run/ovpn-dpdk/nic-$pci.env" >/dev/null
        want=${driver:-vfio-pci}
        as_root modprobe "$want" 2>/dev/null || true
        if [ -n "$iface" ]; then as_root ip link set "$iface" down; fi
        as_root "$devbind" --bind="$want" "$pci"
        log "bind-nic: $pci${iface:+ ($iface)} bound to $want; was $kdrv (recorded in /run/ovpn-dpdk/nic-$pci.env)" ;;
    unbind)
        [ -n "$dev" ] || die "bind-nic: which PCI address?"
        pci=$(pci_of "$dev")
        env=/run/ovpn-dpdk/nic-$pci.env
        if [ -z "$driver" ] && [ -f "$env" ]; then driver=$(. "$env"; echo "$KERNEL_DRIVER"); fi
        [ -n "$driver" ] && [ "$driver" != none ] || die "bind-nic: no kernel driver recorded for $pci; say --driver (e.g. ixgbe, i40e, ice)"
        as_root "$devbind" --bind="$driver" "$pci"
        log "bind-nic: $pci back on $driver" ;;
    *) die "bind-nic: say bind, unbind, status or pci (see --help)" ;;
esac
