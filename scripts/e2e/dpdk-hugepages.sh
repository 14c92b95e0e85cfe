#!/usr/bin/env bash
# The appliance's memory path: scripts/hugepages.sh reserves 2 MiB pages (and mounts
# hugetlbfs where nothing is mounted), both sides of dpdk-pair.sh run their EAL on them
# instead of --no-huge (the whole pair scenario: exception path, tunnel, iperf3, mbufs back),
# then hugepages.sh undo gives them back and the machine's own reservation is restored.
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
pages=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
name="e2e dpdk-hugepages"
[ "$(id -u)" -eq 0 ] || { echo "$name: needs root: skipped"; exit 77; }
[ -f "$pages" ] || { echo "$name: this kernel has no 2 MiB hugepages: skipped"; exit 77; }

before=$(cat "$pages")
restore() {
    "$root/scripts/hugepages.sh" undo >/dev/null
    echo "$before" >"$pages"
}
# 2 × 256 MiB of EAL memory (-m 256 per side) and room for DPDK's own allocations.
"$root/scripts/hugepages.sh" reserve --size 768M || { restore; exit 1; }
got=$(cat "$pages")
if [ "$got" -lt 384 ]; then
    echo "$name: the kernel gave $got of 384 pages (memory fragmented): skipped"
    restore
    exit 77
fi

# --huge-unlink: the EAL unlinks its page files once mapped, so the pages go back to the pool
# when the daemon exits (otherwise the files stay in hugetlbfs and hold the memory), as
# scripts/run-dpdk.sh does on an appliance.
DPDK_HUGE=1 DPDK_MEM="-m 256 --huge-unlink --huge-dir $(awk '$3 == "hugetlbfs" {print $2; exit}' /proc/mounts)" \
    PEER=dpdk "$dir/dpdk-pair.sh"
rc=$?

restore
after=$(cat "$pages")
echo "$name: hugepages reserved $got, restored to $after (was $before)"
if [ "$after" != "$before" ]; then
    echo "$name: the reservation was not restored" >&2
    rc=1
fi
exit $rc
