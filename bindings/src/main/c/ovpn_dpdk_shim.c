/*
 * See ovpn_dpdk_shim.h. One DPDK call per function; nothing here may loop or decide.
 */
#include <rte_version.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ovpn_dpdk_shim.h"

#define OVD_EXPORT __attribute__((visibility("default")))

OVD_EXPORT int ovd_shim_abi(void)
{
        return OVD_SHIM_ABI;
}

OVD_EXPORT uint32_t ovd_shim_rte_version(void)
{
        return RTE_VERSION;
}

/* rte_errno is a per-thread variable: FFM cannot read TLS, so this reads it for the caller. */
OVD_EXPORT int ovd_errno(void)
{
        return rte_errno;
}

/* Also TLS: the lcore id EAL or rte_thread_register() gave this thread, LCORE_ID_ANY if none. */
OVD_EXPORT unsigned int ovd_lcore_id(void)
{
        return rte_lcore_id();
}

OVD_EXPORT int ovd_rx_burst(int port, int queue, struct rte_mbuf **pkts, int n)
{
        return rte_eth_rx_burst((uint16_t) port, (uint16_t) queue, pkts, (uint16_t) n);
}

OVD_EXPORT int ovd_tx_burst(int port, int queue, struct rte_mbuf **pkts, int n)
{
        return rte_eth_tx_burst((uint16_t) port, (uint16_t) queue, pkts, (uint16_t) n);
}

OVD_EXPORT int ovd_tx_prepare(int port, int queue, struct rte_mbuf **pkts, int n)
{
        return rte_eth_tx_prepare((uint16_t) port, (uint16_t) queue, pkts, (uint16_t) n);
}

OVD_EXPORT int ovd_rx_queue_count(int port, int queue)
{
        return rte_eth_rx_queue_count((uint16_t) port, (uint16_t) queue);
}

OVD_EXPORT struct rte_mbuf *ovd_pktmbuf_alloc(struct rte_mempool *pool)
{
        return rte_pktmbuf_alloc(pool);
}

OVD_EXPORT int ovd_pktmbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, int n)
{
        return rte_pktmbuf_alloc_bulk(pool, mbufs, (unsigned int) n);
}

/* Frees the whole chain (every segment), like rte_pktmbuf_free. */
OVD_EXPORT void ovd_pktmbuf_free(struct rte_mbuf *m)
{
        rte_pktmbuf_free(m);
}

OVD_EXPORT void ovd_pktmbuf_reset(struct rte_mbuf *m)
{
        rte_pktmbuf_reset(m);
}

OVD_EXPORT int ovd_mbuf_refcnt_update(struct rte_mbuf *m, int delta)
{
        return rte_mbuf_refcnt_update(m, (int16_t) delta);
}

OVD_EXPORT int ovd_mbuf_refcnt_read(const struct rte_mbuf *m)
{
        return rte_mbuf_refcnt_read(m);
}

OVD_EXPORT int ovd_ring_enqueue_burst(struct rte_ring *r, void *const *objs, int n)
{
        return (int) rte_ring_enqueue_burst(r, objs, (unsigned int) n, NULL);
}

OVD_EXPORT int ovd_ring_dequeue_burst(struct rte_ring *r, void **objs, int n)
{
        return (int) rte_ring_dequeue_burst(r, objs, (unsigned int) n, NULL);
}

OVD_EXPORT int ovd_ring_count(const struct rte_ring *r)
{
        return (int) rte_ring_count(r);
}

OVD_EXPORT int ovd_ring_free_count(const struct rte_ring *r)
{
        return (int) rte_ring_free_count(r);
}
