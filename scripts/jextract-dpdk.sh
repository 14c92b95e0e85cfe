#!/usr/bin/env bash
# Regenerates the raw DPDK bindings with jextract, for comparison with the hand-written ones in
# bindings/src/main/java/dev/ovpndpdk/bindings/dpdk (see docs/bindings-dpdk.md).
#   scripts/jextract-dpdk.sh [OUTPUT_DIR]     default: bindings/target/jextract-dpdk
#
# jextract is not in the package registries these machines reach, so the classes in the
# source tree are written by hand in jextract's shape. Where jextract is installed (on PATH,
# or $JEXTRACT), this generates exactly the symbols they cover into OUTPUT_DIR, package
# dev.ovpndpdk.bindings.dpdk.jextracted; it never writes into src/. Without jextract it says
# so and exits 0.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

case "${1:-}" in -h|--help) print_help; exit 0 ;; esac
out=${1:-$OVPN_ROOT/bindings/target/jextract-dpdk}
jextract=${JEXTRACT:-$(command -v jextract || true)}
if [ -z "$jextract" ]; then
    log "jextract is not installed (not on PATH, \$JEXTRACT unset): nothing regenerated."
    log "Get it from https://jdk.java.net/jextract/ and run again; the hand-written bindings stay as they are."
    exit 0
fi
command -v pkg-config >/dev/null && pkg-config --exists libdpdk ||
    die "DPDK headers not found: apt-get install pkg-config libdpdk-dev"

# Library functions, by header. The inline fast path is not here: jextract cannot bind
# static inline functions; it binds the shim's exports (ovpn_dpdk_shim.h) instead.
functions=(
    # rte_eal.h, rte_version.h, rte_errno.h, rte_lcore.h, rte_dev.h
    rte_eal_init rte_eal_cleanup rte_version rte_strerror
    rte_thread_register rte_thread_unregister rte_socket_id rte_lcore_count rte_get_main_lcore
    rte_lcore_to_socket_id
    rte_dev_probe rte_eal_hotplug_add rte_eal_hotplug_remove
    # rte_mempool.h, rte_mbuf.h
    rte_mempool_free rte_mempool_avail_count rte_mempool_in_use_count rte_mempool_lookup
    rte_pktmbuf_pool_create rte_pktmbuf_free_bulk
    # rte_ethdev.h
    rte_eth_dev_count_avail rte_eth_dev_is_valid_port rte_eth_dev_get_port_by_name
    rte_eth_dev_get_name_by_port rte_eth_dev_info_get rte_eth_dev_configure
    rte_eth_dev_adjust_nb_rx_tx_desc rte_eth_rx_queue_setup rte_eth_tx_queue_setup
    rte_eth_dev_start rte_eth_dev_stop rte_eth_dev_close rte_eth_macaddr_get
    rte_eth_link_get_nowait rte_eth_stats_get rte_eth_stats_reset rte_eth_promiscuous_enable
    rte_eth_allmulticast_enable rte_eth_dev_set_mtu rte_eth_dev_get_mtu rte_eth_dev_socket_id
    rte_eth_dev_rss_hash_update
    # rte_ring.h
    rte_ring_create rte_ring_free rte_ring_lookup
    # ovpn_dpdk_shim.h
    ovd_shim_abi ovd_shim_rte_version ovd_errno ovd_lcore_id
    ovd_rx_burst ovd_tx_burst ovd_tx_prepare ovd_rx_queue_count
    ovd_pktmbuf_alloc ovd_pktmbuf_alloc_bulk ovd_pktmbuf_free ovd_pktmbuf_reset
    ovd_mbuf_refcnt_update ovd_mbuf_refcnt_read
    ovd_ring_enqueue_burst ovd_ring_dequeue_burst ovd_ring_count ovd_ring_free_count
)
structs=(
    rte_mbuf rte_eth_dev_info rte_eth_rxseg_capa rte_eth_thresh rte_eth_rxconf rte_eth_txconf
    rte_eth_desc_lim rte_eth_dev_portconf rte_eth_switch_info rte_eth_conf rte_eth_rxmode
    rte_eth_txmode rte_eth_rss_conf rte_eth_link rte_eth_stats rte_ether_addr
)
constants=(
    RTE_PKTMBUF_HEADROOM RTE_MBUF_DEFAULT_DATAROOM RTE_MBUF_DEFAULT_BUF_SIZE RTE_MAX_LCORE
    RTE_MAX_ETHPORTS RTE_ETH_NAME_MAX_LEN RTE_ETHDEV_QUEUE_STAT_CNTRS RTE_ETHER_ADDR_LEN
    RTE_MEMPOOL_CACHE_MAX_SIZE RING_F_SP_ENQ RING_F_SC_DEQ RING_F_EXACT_SZ
    RTE_ETH_MQ_RX_NONE RTE_ETH_MQ_RX_RSS RTE_ETH_MQ_TX_NONE
    RTE_ETH_LINK_DOWN RTE_ETH_LINK_UP RTE_ETH_LINK_FULL_DUPLEX RTE_ETH_LINK_SPEED_AUTONEG
)

# One header that includes them all, after rte_config.h as pkg-config's "-include" would.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/ovpn_dpdk_all.h" <<'H'
#include <rte_config.h>
#include <rte_version.h>
#include <rte_errno.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_dev.h>
#include <rte_mempool.h>
#include <rte_mbuf.h>
#include <rte_ethdev.h>
#include <rte_ring.h>
#include "ovpn_dpdk_shim.h"
H

args=(--output "$out" --target-package dev.ovpndpdk.bindings.dpdk.jextracted
      --header-class-name DpdkHeaders
      -I "$OVPN_ROOT/bindings/src/main/c")
for i in $(pkg-config --cflags-only-I libdpdk); do args+=(-I "${i#-I}"); done
for l in rte_eal rte_mempool rte_mbuf rte_ring rte_ethdev; do args+=(-l ":lib$l.so.23"); done
args+=(-l ":libovpndpdk_shim.so")
for f in "${functions[@]}"; do args+=(--include-function "$f"); done
for s in "${structs[@]}"; do args+=(--include-struct "$s"); done
for c in "${constants[@]}"; do args+=(--include-constant "$c"); done

mkdir -p "$out"
log "jextract-dpdk: generating into $out"
"$jextract" "${args[@]}" "$work/ovpn_dpdk_all.h"
log "jextract-dpdk: done; compare with bindings/src/main/java/dev/ovpndpdk/bindings/dpdk"
log "(the hand-written classes take int for uint16_t and long for hot-path pointers; layouts must match)"
