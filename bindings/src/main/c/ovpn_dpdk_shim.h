/*
 * ovpn_dpdk_shim: DPDK's static inline fast-path functions as real, exported symbols, so
 * the Java bindings (dev.ovpndpdk.bindings.dpdk.OvpnDpdkShim) can reach them through FFM.
 *
 * Each function is one call to the DPDK function of the same name, nothing more: loops and
 * logic stay in Java. Counts, ports and queues are int at this boundary (DPDK's uint16_t and
 * unsigned int), which keeps the Java side free of short/unsigned conversions; callers stay
 * within DPDK's ranges.
 *
 * The shim is compiled against one DPDK release (its headers inline struct offsets and the
 * rte_eth_fp_ops table); ovd_shim_rte_version() returns the RTE_VERSION it was built with so
 * the loader can refuse a shim that does not match the runtime libraries.
 */
#ifndef OVPN_DPDK_SHIM_H
#define OVPN_DPDK_SHIM_H

#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;

/* Bumped when a function is added, removed or changes signature. */
#define OVD_SHIM_ABI 2

int ovd_shim_abi(void);
uint32_t ovd_shim_rte_version(void);

/* rte_errno.h, rte_lcore.h: thread-local */
int ovd_errno(void);
unsigned int ovd_lcore_id(void);

/* rte_ethdev.h fast path */
int ovd_rx_burst(int port, int queue, struct rte_mbuf **pkts, int n);
int ovd_tx_burst(int port, int queue, struct rte_mbuf **pkts, int n);
int ovd_tx_prepare(int port, int queue, struct rte_mbuf **pkts, int n);
int ovd_rx_queue_count(int port, int queue);

/* rte_mbuf.h */
struct rte_mbuf *ovd_pktmbuf_alloc(struct rte_mempool *pool);
int ovd_pktmbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, int n);
void ovd_pktmbuf_free(struct rte_mbuf *m);
void ovd_pktmbuf_reset(struct rte_mbuf *m);
int ovd_mbuf_refcnt_update(struct rte_mbuf *m, int delta);
int ovd_mbuf_refcnt_read(const struct rte_mbuf *m);

/* rte_ring.h */
int ovd_ring_enqueue_burst(struct rte_ring *r, void *const *objs, int n);
int ovd_ring_dequeue_burst(struct rte_ring *r, void **objs, int n);
int ovd_ring_count(const struct rte_ring *r);
int ovd_ring_free_count(const struct rte_ring *r);

#endif
