/*
 * See ovpn_dpdk_shim.h. One DPDK call per function; nothing here may loop or decide, except
 * the cryptodev burst entries at the end, which fill a burst of ops before their one call.
 */
#include <rte_version.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>

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

/* The private-area offsets are fixed in the header (the Java side uses them for the xform). */
_Static_assert(OVD_CDEV_IV_OFFSET == sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op),
               "the IV slot starts the op's private area");
_Static_assert(OVD_CDEV_SLOT_OFFSET + sizeof(int32_t) <= OVD_CDEV_IV_OFFSET + OVD_CDEV_PRIV_SIZE,
               "the slots fit the private area");

/* OpenVPN's P_DATA_V2 around the header h (async-crypto.md §3). */
#define OVD_AAD_LEN 8
#define OVD_PACKET_ID_OFF 4
#define OVD_TAG_OFF 8
#define OVD_DATA_OFF 24

static inline void ovd_cdev_prepare(struct rte_crypto_op *op, const struct ovd_aead_key *k, uintptr_t h,
                                    uint32_t len, struct rte_mbuf *m)
{
        struct rte_crypto_sym_op *sym = op->sym;
        uint8_t *iv = rte_crypto_op_ctod_offset(op, uint8_t *, OVD_CDEV_IV_OFFSET);
        uint8_t *aad = rte_crypto_op_ctod_offset(op, uint8_t *, OVD_CDEV_AAD_OFFSET);
        /* Offsets are from the mbuf's data start: the packet may sit behind Ethernet/IP/UDP. */
        uint32_t hoff = (uint32_t) (h - rte_pktmbuf_mtod(m, uintptr_t));

        op->type = RTE_CRYPTO_OP_TYPE_SYMMETRIC;
        op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
        op->sess_type = RTE_CRYPTO_OP_WITH_SESSION;
        sym->m_src = m;
        sym->m_dst = NULL;
        sym->session = k->session;
        sym->aead.data.offset = hoff + OVD_DATA_OFF;
        sym->aead.data.length = len;
        /* The tag is before the ciphertext: it gets its own address, no copy (§3.1). */
        sym->aead.digest.data = (uint8_t *) (h + OVD_TAG_OFF);
        sym->aead.digest.phys_addr = rte_pktmbuf_iova_offset(m, hoff + OVD_TAG_OFF);
        memcpy(iv, (const void *) (h + OVD_PACKET_ID_OFF), 4);
        memcpy(iv + 4, k->nonce_tail, 8);
        memcpy(aad, (const void *) h, OVD_AAD_LEN);
        memset(aad + OVD_AAD_LEN, 0, 16 - OVD_AAD_LEN);
        sym->aead.aad.data = aad;
        sym->aead.aad.phys_addr = op->phys_addr + OVD_CDEV_AAD_OFFSET;
}

OVD_EXPORT int ovd_cdev_enqueue_aead(int dev, int qp, struct rte_crypto_op **ops, const struct ovd_aead_key *const *keys,
                                     const uint64_t *headers, const int32_t *lengths, struct rte_mbuf *const *mbufs, int n)
{
        for (int i = 0; i < n; i++) {
                ovd_cdev_prepare(ops[i], keys[i], (uintptr_t) headers[i], (uint32_t) lengths[i], mbufs[i]);
        }
        return rte_cryptodev_enqueue_burst((uint8_t) dev, (uint16_t) qp, ops, (uint16_t) n);
}

OVD_EXPORT int ovd_cdev_dequeue(int dev, int qp, struct rte_crypto_op **ops, int32_t *slots, uint8_t *status, int n)
{
        int got = rte_cryptodev_dequeue_burst((uint8_t) dev, (uint16_t) qp, ops, (uint16_t) n);

        for (int i = 0; i < got; i++) {
                slots[i] = *rte_crypto_op_ctod_offset(ops[i], int32_t *, OVD_CDEV_SLOT_OFFSET);
                status[i] = ops[i]->status;
        }
        return got;
}

OVD_EXPORT int ovd_cdev_op_alloc_bulk(struct rte_mempool *pool, struct rte_crypto_op **ops, int n)
{
        return rte_crypto_op_bulk_alloc(pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ops, (uint16_t) n);
}

OVD_EXPORT void ovd_cdev_op_free(struct rte_crypto_op *op)
{
        rte_crypto_op_free(op);
}
