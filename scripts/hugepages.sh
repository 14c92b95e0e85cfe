#!/usr/bin/env bash
# Hugepages for the DPDK backend: reserve, report, undo.
#
#   scripts/hugepages.sh reserve [--size 1G] [--page 2M|1G] [--node N] [--mount /dev/hugepages]
#   scripts/hugepages.sh report
#   scripts/hugepages.sh undo    [--mount /dev/hugepages]
#
# reserve: sets nr_hugepages for the page size (on one NUMA node with --node, else on the
# whole machine) so that SIZE bytes are reserved, and mounts hugetlbfs if nothing is mounted
# there. It reports how many pages the kernel actually gave (fragmented memory can give
# fewer; 1G pages are best reserved at boot: hugepagesz=1G hugepages=N on the kernel line).
# undo: releases the pages this size class holds and unmounts the mount point if it is one.
# Needs root (sudo is used otherwise). Idempotent.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

cmd=${1:-}; [ $# -gt 0 ] && shift
size=1G page=2M node= mnt=/dev/hugepages
while [ $# -gt 0 ]; do
    case $1 in
        --size) size=$2; shift 2 ;;
        --page) page=$2; shift 2 ;;
        --node) node=$2; shift 2 ;;
        --mount) mnt=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
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
        echo "$want" | as_root tee "$dir/nr_hugepages" >/dev/null
        got=$(cat "$dir/nr_hugepages")
        [ "$got" -ge "$want" ] || log "hugepages: asked for $want pages of $page, the kernel gave $got (memory fragmented? reserve at boot)"
        if ! grep -qE "^[^ ]+ $mnt hugetlbfs " /proc/mounts; then
            as_root mkdir -p "$mnt"
            as_root mount -t hugetlbfs -o "pagesize=$page" nodev "$mnt"
        fi
        log "hugepages: $got × $page reserved${node:+ on node $node}, hugetlbfs at $mnt"
        report ;;
    report) report ;;
    undo)
        for d in /sys/kernel/mm/hugepages/hugepages-*; do echo 0 | as_root tee "$d/nr_hugepages" >/dev/null; done
        if grep -qE "^[^ ]+ $mnt hugetlbfs " /proc/mounts; then as_root umount "$mnt"; fi
        log "hugepages: released; $mnt unmounted"
        report ;;
    *) die "hugepages: say reserve, report or undo (see --help)" ;;
esac
