#!/usr/bin/env bash
# Binds Intel QAT virtual functions to vfio-pci for the cryptodev engine (DPDK's QAT PMD),
# and back to their kernel driver. See docs/crypto-offload.md.
#
#   scripts/bind-qat.sh status
#   scripts/bind-qat.sh bind   PF|VF... [--vfs N] [--dry-run]
#   scripts/bind-qat.sh unbind VF...    [--driver KERNEL_DRIVER] [--dry-run]
#
# status: the QAT functions on this machine (physical and virtual), their driver, and for a
# physical function how many VFs it has and can have.
# bind: for a physical function (PF) first creates N VFs (--vfs, default all it offers)
# through sysfs sriov_numvfs — the PF must be on its kernel driver (qat_c62x, qat_4xxx...) —
# then binds every VF of it to vfio-pci; a VF given directly is bound as it is.
# unbind: binds VFs back to their kernel VF driver (qat_c62xvf...; --driver to choose).
# --dry-run prints what would be done and changes nothing.
# The VF device ids are those DPDK 22.11's QAT PMD claims (librte_common_qat.so.23's
# PMD_INFO_STRING): 0443 DH895xCC, 37c9 C62x, 19e3 C3xxx, 6f55 D15xx, 18ef, 18a1,
# 4941 4xxx, 4943 401xx. Needs root (sudo otherwise) and the IOMMU on (intel_iommu=on),
# or vfio's no-IOMMU mode.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

VF_IDS="0443 37c9 19e3 6f55 18ef 18a1 4941 4943"
# The physical functions of the same generations (their VFs are the ids above).
PF_IDS="0435 37c8 19e2 6f54 18ee 18a0 4940 4942"

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in -h|--help) print_help; exit 0 ;; esac
devs=() vfs= driver= dry=0
while [ $# -gt 0 ]; do
    case $1 in
        --vfs) vfs=${2:?--vfs needs a number}; shift 2 ;;
        --driver) driver=${2:?--driver needs a name}; shift 2 ;;
        --dry-run) dry=1; shift ;;
        -h|--help) print_help; exit 0 ;;
        -*) die "bind-qat: unknown option $1 (see --help)" ;;
        *) devs+=("$1"); shift ;;
    esac
done

# Writes a value to a sysfs file as root (or says so on a dry run).
write_sysfs() {
    if [ "$dry" -eq 1 ]; then printf 'would write %s to %s\n' "$1" "$2"; else echo "$1" | as_root tee "$2" >/dev/null; fi
}

full_pci() {
    local p=$1
    [[ $p =~ ^[0-9a-fA-F]{4}: ]] || p=0000:$p
    [[ $p =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]] || die "bind-qat: '$1' is not a PCI address (bb:dd.f)"
    [ -e "/sys/bus/pci/devices/$p" ] || die "bind-qat: no PCI device $p"
    echo "$p"
}

device_id() { local d; d=$(cat "/sys/bus/pci/devices/$1/device"); echo "${d#0x}"; }
vendor_ok() { [ "$(cat "/sys/bus/pci/devices/$1/vendor")" = 0x8086 ]; }
is_vf() { vendor_ok "$1" && [[ " $VF_IDS " == *" $(device_id "$1") "* ]]; }
is_pf() { vendor_ok "$1" && [[ " $PF_IDS " == *" $(device_id "$1") "* ]]; }
driver_of() { basename "$(readlink -f "/sys/bus/pci/devices/$1/driver" 2>/dev/null || echo none)"; }

bind_vf() {
    local vf=$1 now
    now=$(driver_of "$vf")
    [ "$now" = vfio-pci ] && { log "bind-qat: $vf already on vfio-pci"; return; }
    if [ "$now" != none ]; then write_sysfs "$vf" "/sys/bus/pci/devices/$vf/driver/unbind"; fi
    write_sysfs vfio-pci "/sys/bus/pci/devices/$vf/driver_override"
    write_sysfs "$vf" /sys/bus/pci/drivers_probe
    log "bind-qat: $vf ($(device_id "$vf")) on vfio-pci, was $now"
}

case $cmd in
    status)
        found=0
        for d in /sys/bus/pci/devices/*; do
            p=${d##*/}
            if is_pf "$p"; then
                found=1
                printf '%s PF %s driver=%s vfs=%s/%s\n' "$p" "$(device_id "$p")" "$(driver_of "$p")" \
                    "$(cat "$d/sriov_numvfs" 2>/dev/null || echo -)" "$(cat "$d/sriov_totalvfs" 2>/dev/null || echo -)"
            elif is_vf "$p"; then
                found=1
                printf '%s VF %s driver=%s\n' "$p" "$(device_id "$p")" "$(driver_of "$p")"
            fi
        done
        [ "$found" -eq 1 ] || log "bind-qat: no QAT device on this machine (vendor 8086, ids $PF_IDS $VF_IDS)" ;;
    bind)
        [ ${#devs[@]} -gt 0 ] || die "bind-qat: which PF or VF? (see status)"
        [ "$dry" -eq 1 ] || as_root modprobe vfio-pci || die "bind-qat: cannot load vfio-pci"
        for a in "${devs[@]}"; do
            p=$(full_pci "$a")
            if is_vf "$p"; then
                bind_vf "$p"
            elif is_pf "$p"; then
                total=$(cat "/sys/bus/pci/devices/$p/sriov_totalvfs" 2>/dev/null || echo 0)
                [ "$total" -gt 0 ] || die "bind-qat: $p offers no VFs: is it on its kernel driver (now $(driver_of "$p"))?"
                want=${vfs:-$total}
                [ "$want" -le "$total" ] || die "bind-qat: $p offers $total VFs, not $want"
                if [ "$(cat "/sys/bus/pci/devices/$p/sriov_numvfs")" != "$want" ]; then
                    write_sysfs 0 "/sys/bus/pci/devices/$p/sriov_numvfs"
                    write_sysfs "$want" "/sys/bus/pci/devices/$p/sriov_numvfs"
                fi
                for v in /sys/bus/pci/devices/"$p"/virtfn*; do
                    [ -e "$v" ] || { [ "$dry" -eq 1 ] && log "bind-qat: (dry run) the $want VFs would be bound next"; break; }
                    bind_vf "$(basename "$(readlink -f "$v")")"
                done
            else
                die "bind-qat: $p ($(cat "/sys/bus/pci/devices/$p/vendor"):$(device_id "$p")) is not a QAT function DPDK 22.11 knows"
            fi
        done ;;
    unbind)
        [ ${#devs[@]} -gt 0 ] || die "bind-qat: which VF?"
        for a in "${devs[@]}"; do
            p=$(full_pci "$a")
            is_vf "$p" || die "bind-qat: $p is not a QAT VF"
            if [ "$(driver_of "$p")" != none ]; then write_sysfs "$p" "/sys/bus/pci/devices/$p/driver/unbind"; fi
            write_sysfs "${driver:-}" "/sys/bus/pci/devices/$p/driver_override"
            if [ -n "$driver" ]; then
                write_sysfs "$p" "/sys/bus/pci/drivers/$driver/bind"
            else
                write_sysfs "$p" /sys/bus/pci/drivers_probe # the kernel picks its VF driver (qat_*vf)
            fi
            log "bind-qat: $p back to ${driver:-its kernel driver}"
        done ;;
    *) die "bind-qat: say status, bind or unbind (see --help)" ;;
esac
