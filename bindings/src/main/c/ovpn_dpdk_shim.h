/*
 * ovpn_dpdk_shim: DPDK's static inline fast-path functions as real, exported symbols, so
 * the Java bindings (dev.ovpndpdk.bindings.dpdk.OvpnDpdkShim) can reach them through FFM.
 *
 * Each function is one call to the DPDK function of the same name, nothing more: loops and
 * logic stay in Java. Counts, ports and queues are int at this boundary (DPDK's uint16_t and
 * unsigned int), which keeps the Java side free of short/unsigned conversions; callers stay
 * within DPDK's ranges.
 *
 * The one exception is the cryptodev fast path (ovd_cdev_*): an AEAD op has about ten fields
 * and two slots to fill per packet, and doing that from Java would cost either a downcall per
 * packet or ten unaligned native writes each; so ovd_cdev_enqueue_aead prepares a whole burst
 * of ops from arrays and enqueues it, one downcall per burst (async-crypto.md §6.4 rule 5).
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
struct rte_crypto_op;

/* Bumped when a function is added, removed or changes signature. */
#define OVD_SHIM_ABI 3

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

/*
 * rte_cryptodev.h fast path, for OpenVPN's P_DATA_V2 AEAD packet (async-crypto.md §2.2, §3):
 * header at h = [op|key-id|peer-id 4][packet-id 4][tag 16][data n].
 *
 * One key of one direction, made and owned by the Java side (CryptodevKey): the session from
 * rte_cryptodev_sym_session_create and the 8 bytes that follow the packet-id in every nonce.
 */
struct ovd_aead_key {
        void *session;
        uint8_t nonce_tail[8];
};

/*
 * The op pool's private area (priv_size OVD_CDEV_PRIV_SIZE), right after the rte_crypto_sym_op:
 * the IV slot (packet-id || nonce tail, 12 of 16 bytes), the AAD slot (8 header bytes and 8
 * zeros: QAT writes the pad, and the packet's 8 bytes after the AAD are the tag), and the
 * queue's slot number of the op, written once by Java and returned by ovd_cdev_dequeue.
 * The IV offset goes into every session's xform (aead.iv.offset), counted from the op start.
 */
#define OVD_CDEV_IV_OFFSET   88
#define OVD_CDEV_AAD_OFFSET  104
#define OVD_CDEV_SLOT_OFFSET 120
#define OVD_CDEV_PRIV_SIZE   40

/*
 * For each i < n: fills ops[i] to seal or open, in place in mbufs[i], the packet whose header
 * is at address headers[i] with lengths[i] data bytes, under keys[i]; then one
 * rte_cryptodev_enqueue_burst. Returns how many the device took (the first ones).
 */
int ovd_cdev_enqueue_aead(int dev, int qp, struct rte_crypto_op **ops, const struct ovd_aead_key *const *keys,
                          const uint64_t *headers, const int32_t *lengths, struct rte_mbuf *const *mbufs, int n);
/* rte_cryptodev_dequeue_burst, then each op's slot number and status into slots[] and status[]. */
int ovd_cdev_dequeue(int dev, int qp, struct rte_crypto_op **ops, int32_t *slots, uint8_t *status, int n);
/* rte_crypto_op_bulk_alloc(pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ops, n): n or 0. */
int ovd_cdev_op_alloc_bulk(struct rte_mempool *pool, struct rte_crypto_op **ops, int n);
void ovd_cdev_op_free(struct rte_crypto_op *op);

#endif
