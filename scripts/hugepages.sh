#!/usr/bin/env bash
# Hugepages for the DPDK backend: reserve, report, undo.
#
#   scripts/hugepages.sh reserve [--size 1G] [--page 2M|1G] [--node N] [--mount /dev/hugepages]
#   scripts/hugepages.sh report
#   scripts/hugepages.sh undo    [--mount /dev/hugepages]
#
# reserve: raises nr_hugepages for the page size (on one NUMA node with --node, else on the
# whole machine) so that at least SIZE bytes are reserved — a larger reservation is left as
# it is — and mounts hugetlbfs if nothing is mounted there. It reports how many pages the
# kernel actually gave (fragmented memory can give fewer; 1G pages are best reserved at boot:
# hugepagesz=1G hugepages=N on the kernel line).
# undo: releases the pages of that page size (those a running DPDK process holds stay until
# it exits) and unmounts the mount point only if reserve mounted it (a mount the system made,
# such as systemd's /dev/hugepages, stays).
# Needs root (sudo is used otherwise). Idempotent.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in -h|--help) print_help; exit 0 ;; esac
size=1G page=2M node= mnt=/dev/hugepages
while [ $# -gt 0 ]; do
    case $1 in
        --size) size=$2; shift 2 ;;
        --page) page=$2; shift 2 ;;
        --node) node=$2; shift 2 ;;
        --mount) mnt=$2; shift 2 ;;
        -h|--help) print_help; exit 0 ;;
        *) die "hugepages: unknown option $1 (see --help)" ;;
    esac
done

bytes() { # 512M, 2G, 2048K → bytes
    local n=${1%[KkMmGg]} u=${1: -1}
    [[ $n =~ ^[0-9]+$ ]] || die "hugepages: bad size '$1' (use e.g. 512M, 2G)"
    case $u in K|k) echo $((n << 10)) ;; M|m) echo $((n << 20)) ;; G|g) echo $((n << 30)) ;; *) echo "$1" ;; esac
}
page_kb=$(( $(bytes "$page") >> 10 ))
case $page_kb in 2048|1048576) ;; *) die "hugepages: page size must be 2M or 1G, not $page" ;; esac
if [ -n "$node" ]; then
    dir=/sys/devices/system/node/node$node/hugepages/hugepages-${page_kb}kB
else
    dir=/sys/kernel/mm/hugepages/hugepages-${page_kb}kB
fi

# Where reserve notes the mounts it made, so that undo takes back only those.
state=/run/ovpn-dpdk
mark() { echo "${1//\//_}"; }

report() {
    local d
    for d in /sys/kernel/mm/hugepages/hugepages-*; do
        [ -d "$d" ] || continue
        printf '%-22s total %5s  free %5s\n' "${d##*/}" "$(cat "$d/nr_hugepages")" "$(cat "$d/free_hugepages")"
    done
    grep -E ' hugetlbfs ' /proc/mounts | awk '{print "mounted: " $2 " (" $4 ")"}' || echo "mounted: none"
}

case $cmd in
    reserve)
        [ -d "$dir" ] || die "hugepages: this kernel has no $page pages (${dir} missing)"
        want=$(( $(bytes "$size") / (page_kb << 10) ))
        [ "$want" -ge 1 ] || die "hugepages: $size is less than one $page page"
        if [ "$(cat "$dir/nr_hugepages")" -lt "$want" ]; then
            echo "$want" | as_root tee "$dir/nr_hugepages" >/dev/null
        fi
        got=$(cat "$dir/nr_hugepages")
        [ "$got" -ge "$want" ] || log "hugepages: asked for $want pages of $page, the kernel gave $got (memory fragmented? reserve at boot)"
        if ! grep -qE "^[^ ]+ $mnt hugetlbfs " /proc/mounts; then
            as_root mkdir -p "$mnt"
            as_root mount -t hugetlbfs -o "pagesize=$page" nodev "$mnt"
            as_root mkdir -p "$state"
            echo "$mnt" | as_root tee "$state/mounted-$(mark "$mnt")" >/dev/null
        fi
        log "hugepages: $got × $page reserved${node:+ on node $node}, hugetlbfs at $mnt"
        report ;;
    report) report ;;
    undo)
        [ -d "$dir" ] || die "hugepages: this kernel has no $page pages (${dir} missing)"
        echo 0 | as_root tee "$dir/nr_hugepages" >/dev/null
        if [ -f "$state/mounted-$(mark "$mnt")" ]; then
            if grep -qE "^[^ ]+ $mnt hugetlbfs " /proc/mounts; then as_root umount "$mnt"; fi
            as_root rm -f "$state/mounted-$(mark "$mnt")"
        fi
        held=$(cat "$dir/nr_hugepages")
        [ "$held" -eq 0 ] || log "hugepages: $held × $page still held by a running process; they go when it exits"
        log "hugepages: $page pages released"
        report ;;
    *) die "hugepages: say reserve, report or undo (see --help)" ;;
esac
