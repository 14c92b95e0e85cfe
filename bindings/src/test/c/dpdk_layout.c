/*
 * Prints the DPDK struct layouts and constants that the Java bindings in
 * dev.ovpndpdk.bindings.dpdk encode, one "name value" per line, for DpdkLayoutTest.
 *
 * Built with `pkg-config --cflags libdpdk`, which force-includes rte_config.h: the layouts
 * depend on it (RTE_IOVA_AS_PA puts rte_mbuf.next in the second cache line, and
 * RTE_ETHDEV_QUEUE_STAT_CNTRS sizes rte_eth_stats).
 *
 * Bit-fields have no offsetof: BITS decrements one from zero (all ones) in a zeroed struct and prints the
 * 64-bit word that holds it, i.e. the field's mask within that word.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <rte_version.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ring.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include "../../main/c/ovpn_dpdk_shim.h"

#define OFF(type, name, member) printf("%s.%s %zu\n", name, #member, offsetof(type, member))
#define OFF_AS(type, name, label, member) printf("%s.%s %zu\n", name, label, offsetof(type, member))
#define SIZE(type, name) printf("sizeof.%s %zu\nalignof.%s %zu\n", name, sizeof(type), name, _Alignof(type))
#define CONST(c) printf("const.%s %lld\n", #c, (long long) (c))
#define BITS(type, name, member, word)                                        \
        do {                                                                  \
                type v;                                                       \
                uint64_t w;                                                   \
                memset(&v, 0, sizeof(v));                                     \
                v.member--;                                                   \
                memcpy(&w, (char *) &v + (word), sizeof(w));                  \
                printf("bits.%s.%s %lld\n", name, #member, (long long) w);    \
        } while (0)

static void mbuf(void)
{
        OFF(struct rte_mbuf, "rte_mbuf", buf_addr);
        OFF(struct rte_mbuf, "rte_mbuf", buf_iova);
        OFF(struct rte_mbuf, "rte_mbuf", data_off);
        OFF(struct rte_mbuf, "rte_mbuf", refcnt);
        OFF(struct rte_mbuf, "rte_mbuf", nb_segs);
        OFF(struct rte_mbuf, "rte_mbuf", port);
        OFF(struct rte_mbuf, "rte_mbuf", ol_flags);
        OFF(struct rte_mbuf, "rte_mbuf", packet_type);
        OFF(struct rte_mbuf, "rte_mbuf", pkt_len);
        OFF(struct rte_mbuf, "rte_mbuf", data_len);
        OFF(struct rte_mbuf, "rte_mbuf", vlan_tci);
        OFF(struct rte_mbuf, "rte_mbuf", hash);
        OFF(struct rte_mbuf, "rte_mbuf", hash.rss);
        OFF(struct rte_mbuf, "rte_mbuf", vlan_tci_outer);
        OFF(struct rte_mbuf, "rte_mbuf", buf_len);
        OFF(struct rte_mbuf, "rte_mbuf", pool);
        OFF(struct rte_mbuf, "rte_mbuf", next);
        OFF(struct rte_mbuf, "rte_mbuf", tx_offload);
        OFF(struct rte_mbuf, "rte_mbuf", shinfo);
        OFF(struct rte_mbuf, "rte_mbuf", priv_size);
        OFF(struct rte_mbuf, "rte_mbuf", timesync);
        OFF(struct rte_mbuf, "rte_mbuf", dynfield1);
        SIZE(struct rte_mbuf, "rte_mbuf");
        BITS(struct rte_mbuf, "rte_mbuf", l2_len, offsetof(struct rte_mbuf, tx_offload));
        BITS(struct rte_mbuf, "rte_mbuf", l3_len, offsetof(struct rte_mbuf, tx_offload));
        BITS(struct rte_mbuf, "rte_mbuf", l4_len, offsetof(struct rte_mbuf, tx_offload));
        BITS(struct rte_mbuf, "rte_mbuf", tso_segsz, offsetof(struct rte_mbuf, tx_offload));
        BITS(struct rte_mbuf, "rte_mbuf", outer_l3_len, offsetof(struct rte_mbuf, tx_offload));
        BITS(struct rte_mbuf, "rte_mbuf", outer_l2_len, offsetof(struct rte_mbuf, tx_offload));
}

static void ethdev_info(void)
{
        OFF(struct rte_eth_rxseg_capa, "rte_eth_rxseg_capa", max_nseg);
        OFF(struct rte_eth_rxseg_capa, "rte_eth_rxseg_capa", reserved);
        SIZE(struct rte_eth_rxseg_capa, "rte_eth_rxseg_capa");

        OFF(struct rte_eth_thresh, "rte_eth_thresh", pthresh);
        OFF(struct rte_eth_thresh, "rte_eth_thresh", hthresh);
        OFF(struct rte_eth_thresh, "rte_eth_thresh", wthresh);
        SIZE(struct rte_eth_thresh, "rte_eth_thresh");

        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_thresh);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_free_thresh);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_drop_en);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_deferred_start);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_nseg);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", share_group);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", share_qid);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", offloads);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_seg);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_mempools);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", rx_nmempool);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", reserved_64s);
        OFF(struct rte_eth_rxconf, "rte_eth_rxconf", reserved_ptrs);
        SIZE(struct rte_eth_rxconf, "rte_eth_rxconf");

        OFF(struct rte_eth_txconf, "rte_eth_txconf", tx_thresh);
        OFF(struct rte_eth_txconf, "rte_eth_txconf", tx_rs_thresh);
        OFF(struct rte_eth_txconf, "rte_eth_txconf", tx_free_thresh);
        OFF(struct rte_eth_txconf, "rte_eth_txconf", tx_deferred_start);
        OFF(struct rte_eth_txconf, "rte_eth_txconf", offloads);
        OFF(struct rte_eth_txconf, "rte_eth_txconf", reserved_64s);
        OFF(struct rte_eth_txconf, "rte_eth_txconf", reserved_ptrs);
        SIZE(struct rte_eth_txconf, "rte_eth_txconf");

        OFF(struct rte_eth_desc_lim, "rte_eth_desc_lim", nb_max);
        OFF(struct rte_eth_desc_lim, "rte_eth_desc_lim", nb_min);
        OFF(struct rte_eth_desc_lim, "rte_eth_desc_lim", nb_align);
        OFF(struct rte_eth_desc_lim, "rte_eth_desc_lim", nb_seg_max);
        OFF(struct rte_eth_desc_lim, "rte_eth_desc_lim", nb_mtu_seg_max);
        SIZE(struct rte_eth_desc_lim, "rte_eth_desc_lim");

        OFF(struct rte_eth_dev_portconf, "rte_eth_dev_portconf", burst_size);
        OFF(struct rte_eth_dev_portconf, "rte_eth_dev_portconf", ring_size);
        OFF(struct rte_eth_dev_portconf, "rte_eth_dev_portconf", nb_queues);
        SIZE(struct rte_eth_dev_portconf, "rte_eth_dev_portconf");

        OFF(struct rte_eth_switch_info, "rte_eth_switch_info", name);
        OFF(struct rte_eth_switch_info, "rte_eth_switch_info", domain_id);
        OFF(struct rte_eth_switch_info, "rte_eth_switch_info", port_id);
        OFF(struct rte_eth_switch_info, "rte_eth_switch_info", rx_domain);
        SIZE(struct rte_eth_switch_info, "rte_eth_switch_info");

        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", device);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", driver_name);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", if_index);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", min_mtu);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_mtu);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", dev_flags);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", min_rx_bufsize);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_rx_pktlen);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_lro_pkt_size);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_rx_queues);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_tx_queues);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_mac_addrs);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_hash_mac_addrs);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_vfs);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_vmdq_pools);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", rx_seg_capa);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", rx_offload_capa);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", tx_offload_capa);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", rx_queue_offload_capa);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", tx_queue_offload_capa);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", reta_size);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", hash_key_size);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", flow_type_rss_offloads);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", default_rxconf);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", default_txconf);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", vmdq_queue_base);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", vmdq_queue_num);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", vmdq_pool_base);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", rx_desc_lim);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", tx_desc_lim);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", speed_capa);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", nb_rx_queues);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", nb_tx_queues);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", max_rx_mempools);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", default_rxportconf);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", default_txportconf);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", dev_capa);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", switch_info);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", err_handle_mode);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", reserved_64s);
        OFF(struct rte_eth_dev_info, "rte_eth_dev_info", reserved_ptrs);
        SIZE(struct rte_eth_dev_info, "rte_eth_dev_info");
}

static void ethdev_conf(void)
{
        OFF(struct rte_eth_rxmode, "rte_eth_rxmode", mq_mode);
        OFF(struct rte_eth_rxmode, "rte_eth_rxmode", mtu);
        OFF(struct rte_eth_rxmode, "rte_eth_rxmode", max_lro_pkt_size);
        OFF(struct rte_eth_rxmode, "rte_eth_rxmode", offloads);
        OFF(struct rte_eth_rxmode, "rte_eth_rxmode", reserved_64s);
        OFF(struct rte_eth_rxmode, "rte_eth_rxmode", reserved_ptrs);
        SIZE(struct rte_eth_rxmode, "rte_eth_rxmode");

        OFF(struct rte_eth_txmode, "rte_eth_txmode", mq_mode);
        OFF(struct rte_eth_txmode, "rte_eth_txmode", offloads);
        OFF(struct rte_eth_txmode, "rte_eth_txmode", pvid);
        OFF(struct rte_eth_txmode, "rte_eth_txmode", reserved_64s);
        OFF(struct rte_eth_txmode, "rte_eth_txmode", reserved_ptrs);
        SIZE(struct rte_eth_txmode, "rte_eth_txmode");

        OFF(struct rte_eth_rss_conf, "rte_eth_rss_conf", rss_key);
        OFF(struct rte_eth_rss_conf, "rte_eth_rss_conf", rss_key_len);
        OFF(struct rte_eth_rss_conf, "rte_eth_rss_conf", rss_hf);
        SIZE(struct rte_eth_rss_conf, "rte_eth_rss_conf");

        OFF(struct rte_eth_conf, "rte_eth_conf", link_speeds);
        OFF(struct rte_eth_conf, "rte_eth_conf", rxmode);
        OFF(struct rte_eth_conf, "rte_eth_conf", txmode);
        OFF(struct rte_eth_conf, "rte_eth_conf", lpbk_mode);
        OFF(struct rte_eth_conf, "rte_eth_conf", rx_adv_conf);
        OFF(struct rte_eth_conf, "rte_eth_conf", rx_adv_conf.rss_conf);
        OFF(struct rte_eth_conf, "rte_eth_conf", tx_adv_conf);
        OFF(struct rte_eth_conf, "rte_eth_conf", dcb_capability_en);
        OFF(struct rte_eth_conf, "rte_eth_conf", intr_conf);
        SIZE(struct rte_eth_conf, "rte_eth_conf");

        OFF(struct rte_eth_link, "rte_eth_link", link_speed);
        SIZE(struct rte_eth_link, "rte_eth_link");
        BITS(struct rte_eth_link, "rte_eth_link", link_duplex, 0);
        BITS(struct rte_eth_link, "rte_eth_link", link_autoneg, 0);
        BITS(struct rte_eth_link, "rte_eth_link", link_status, 0);

        OFF(struct rte_eth_stats, "rte_eth_stats", ipackets);
        OFF(struct rte_eth_stats, "rte_eth_stats", opackets);
        OFF(struct rte_eth_stats, "rte_eth_stats", ibytes);
        OFF(struct rte_eth_stats, "rte_eth_stats", obytes);
        OFF(struct rte_eth_stats, "rte_eth_stats", imissed);
        OFF(struct rte_eth_stats, "rte_eth_stats", ierrors);
        OFF(struct rte_eth_stats, "rte_eth_stats", oerrors);
        OFF(struct rte_eth_stats, "rte_eth_stats", rx_nombuf);
        OFF(struct rte_eth_stats, "rte_eth_stats", q_ipackets);
        OFF(struct rte_eth_stats, "rte_eth_stats", q_opackets);
        OFF(struct rte_eth_stats, "rte_eth_stats", q_ibytes);
        OFF(struct rte_eth_stats, "rte_eth_stats", q_obytes);
        OFF(struct rte_eth_stats, "rte_eth_stats", q_errors);
        SIZE(struct rte_eth_stats, "rte_eth_stats");

        OFF(struct rte_ether_addr, "rte_ether_addr", addr_bytes);
        SIZE(struct rte_ether_addr, "rte_ether_addr");
}

static void cryptodev(void)
{
        OFF(struct rte_cryptodev_config, "rte_cryptodev_config", socket_id);
        OFF(struct rte_cryptodev_config, "rte_cryptodev_config", nb_queue_pairs);
        OFF(struct rte_cryptodev_config, "rte_cryptodev_config", ff_disable);
        SIZE(struct rte_cryptodev_config, "rte_cryptodev_config");
        OFF(struct rte_cryptodev_qp_conf, "rte_cryptodev_qp_conf", nb_descriptors);
        OFF(struct rte_cryptodev_qp_conf, "rte_cryptodev_qp_conf", mp_session);
        SIZE(struct rte_cryptodev_qp_conf, "rte_cryptodev_qp_conf");
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", driver_name);
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", driver_id);
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", device);
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", feature_flags);
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", capabilities);
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", max_nb_queue_pairs);
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", min_mbuf_headroom_req);
        OFF(struct rte_cryptodev_info, "rte_cryptodev_info", min_mbuf_tailroom_req);
        OFF_AS(struct rte_cryptodev_info, "rte_cryptodev_info", "sym_max_nb_sessions", sym.max_nb_sessions);
        SIZE(struct rte_cryptodev_info, "rte_cryptodev_info");
        OFF(struct rte_crypto_sym_xform, "rte_crypto_sym_xform", next);
        OFF(struct rte_crypto_sym_xform, "rte_crypto_sym_xform", type);
        OFF(struct rte_crypto_sym_xform, "rte_crypto_sym_xform", aead);
        SIZE(struct rte_crypto_sym_xform, "rte_crypto_sym_xform");
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", op);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", algo);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", key);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", key.data);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", key.length);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", iv);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", iv.offset);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", iv.length);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", digest_length);
        OFF(struct rte_crypto_aead_xform, "rte_crypto_aead_xform", aad_length);
        SIZE(struct rte_crypto_aead_xform, "rte_crypto_aead_xform");
        printf("const.OP_AND_SYM_OP_SIZE %zu\n", sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op));
}

static void constants(void)
{
        CONST(RTE_VERSION);
        CONST(RTE_MAX_LCORE);
        CONST(RTE_MAX_ETHPORTS);
        CONST(RTE_ETH_NAME_MAX_LEN);
        CONST(RTE_ETHDEV_QUEUE_STAT_CNTRS);
        CONST(RTE_ETHER_ADDR_LEN);
        CONST(LCORE_ID_ANY);
        CONST(SOCKET_ID_ANY);
        CONST(RTE_PKTMBUF_HEADROOM);
        CONST(RTE_MBUF_DEFAULT_DATAROOM);
        CONST(RTE_MBUF_DEFAULT_BUF_SIZE);
        CONST(RTE_MEMPOOL_CACHE_MAX_SIZE);

        CONST(RTE_MBUF_F_RX_RSS_HASH);
        CONST(RTE_MBUF_F_RX_IP_CKSUM_MASK);
        CONST(RTE_MBUF_F_RX_IP_CKSUM_GOOD);
        CONST(RTE_MBUF_F_RX_IP_CKSUM_BAD);
        CONST(RTE_MBUF_F_RX_L4_CKSUM_MASK);
        CONST(RTE_MBUF_F_RX_L4_CKSUM_GOOD);
        CONST(RTE_MBUF_F_RX_L4_CKSUM_BAD);
        CONST(RTE_MBUF_F_TX_IPV4);
        CONST(RTE_MBUF_F_TX_IPV6);
        CONST(RTE_MBUF_F_TX_IP_CKSUM);
        CONST(RTE_MBUF_F_TX_UDP_CKSUM);

        CONST(RTE_ETH_MQ_RX_NONE);
        CONST(RTE_ETH_MQ_RX_RSS);
        CONST(RTE_ETH_MQ_TX_NONE);
        CONST(RTE_ETH_RSS_IPV4);
        CONST(RTE_ETH_RSS_NONFRAG_IPV4_UDP);
        CONST(RTE_ETH_RSS_IPV6);
        CONST(RTE_ETH_RSS_NONFRAG_IPV6_UDP);
        CONST(RTE_ETH_RSS_IP);
        CONST(RTE_ETH_RSS_UDP);
        CONST(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
        CONST(RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
        CONST(RTE_ETH_RX_OFFLOAD_CHECKSUM);
        CONST(RTE_ETH_RX_OFFLOAD_SCATTER);
        CONST(RTE_ETH_RX_OFFLOAD_RSS_HASH);
        CONST(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
        CONST(RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
        CONST(RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
        CONST(RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE);
        CONST(RTE_ETH_LINK_DOWN);
        CONST(RTE_ETH_LINK_UP);
        CONST(RTE_ETH_LINK_FULL_DUPLEX);
        CONST(RTE_ETH_LINK_SPEED_AUTONEG);

        CONST(RING_F_SP_ENQ);
        CONST(RING_F_SC_DEQ);
        CONST(RING_F_EXACT_SZ);

        CONST(RTE_CRYPTODEV_FF_SYMMETRIC_CRYPTO);
        CONST(RTE_CRYPTODEV_FF_CPU_AESNI);
        CONST(RTE_CRYPTODEV_FF_HW_ACCELERATED);
        CONST(RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO);
        CONST(RTE_CRYPTO_SYM_XFORM_AEAD);
        CONST(RTE_CRYPTO_AEAD_OP_ENCRYPT);
        CONST(RTE_CRYPTO_AEAD_OP_DECRYPT);
        CONST(RTE_CRYPTO_AEAD_AES_GCM);
        CONST(RTE_CRYPTO_AEAD_CHACHA20_POLY1305);
        CONST(RTE_CRYPTO_OP_TYPE_SYMMETRIC);
        CONST(RTE_CRYPTO_OP_STATUS_SUCCESS);
        CONST(RTE_CRYPTO_OP_STATUS_NOT_PROCESSED);
        CONST(RTE_CRYPTO_OP_STATUS_AUTH_FAILED);
        CONST(RTE_CRYPTO_OP_STATUS_INVALID_SESSION);
        CONST(RTE_CRYPTO_OP_STATUS_INVALID_ARGS);
        CONST(RTE_CRYPTO_OP_STATUS_ERROR);
        CONST(OVD_CDEV_IV_OFFSET);
        CONST(OVD_CDEV_AAD_OFFSET);
        CONST(OVD_CDEV_SLOT_OFFSET);
        CONST(OVD_CDEV_PRIV_SIZE);
}

int main(void)
{
        mbuf();
        ethdev_info();
        ethdev_conf();
        cryptodev();
        constants();
        return 0;
}
