#!/usr/bin/env bash
# Runs every end-to-end scenario (root: network namespaces) and sums the results.
#   scripts/e2e/run-all.sh [SCENARIO...]     default: tunnel.sh and its variants, the DPDK
#                                            scenarios, and openvpn.sh and its variants (real
#                                            OpenVPN; the patched ones skip without a patched build)
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(tunnel.sh tunnel-symmetric-ids.sh tunnel-aes128.sh tunnel-chachapoly.sh tunnel-ipv6.sh tunnel-cryptodev.sh tunnel-cryptodev-scheduler.sh slowpath.sh datagrams.sh
                                         dpdk-pair.sh dpdk-pair-dpdk.sh dpdk-pair-ipv6.sh
                                         tunnel-dpdk.sh tunnel-dpdk-ipv6.sh tunnel-dpdk-afxdp.sh tunnel-dpdk-cryptodev.sh datagrams-dpdk.sh dpdk-hugepages.sh dpdk-mbufs.sh
                                         openvpn-stock.sh openvpn.sh openvpn-dpdk.sh openvpn-p2p.sh)
passed=0 failed=0 skipped=0 times=()
for s in "${scenarios[@]}"; do
    start=$SECONDS
    "$dir/$s"
    rc=$?
    times+=("$s $((SECONDS - start)) s")
    case $rc in
        0) passed=$((passed + 1)) ;;
        77) skipped=$((skipped + 1)) ;;
        *) failed=$((failed + 1)); echo "e2e: $s failed (exit $rc)" >&2 ;;
    esac
done
echo "e2e times: $(IFS=,; echo "${times[*]}" | sed 's/,/, /g')"
echo "e2e scenarios: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
