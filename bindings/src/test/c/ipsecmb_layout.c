/*
 * Prints the intel-ipsec-mb struct layout and constants that the Java bindings in
 * dev.ovpndpdk.bindings.ipsecmb encode, one "name value" per line, for IpsecMbLayoutTest.
 *
 * Built with -DLINUX like the library itself: the header gives struct gcm_key_data its
 * 64-byte alignment (and so its 1024-byte size) only when LINUX is defined.
 */
#include <stddef.h>
#include <stdio.h>
#include <intel-ipsec-mb.h>

#define OFF(type, name, member) printf("%s.%s %zu\n", name, #member, offsetof(type, member))
#define SIZE(type, name) printf("sizeof.%s %zu\nalignof.%s %zu\n", name, sizeof(type), name, _Alignof(type))
#define CONST(c) printf("const.%s %lld\n", #c, (long long) (c))

int main(void)
{
        OFF(IMB_MGR, "IMB_MGR", flags);
        OFF(IMB_MGR, "IMB_MGR", features);
        OFF(IMB_MGR, "IMB_MGR", reserved);
        OFF(IMB_MGR, "IMB_MGR", used_arch);
        OFF(IMB_MGR, "IMB_MGR", imb_errno);
        OFF(IMB_MGR, "IMB_MGR", get_next_job);
        OFF(IMB_MGR, "IMB_MGR", submit_job);
        OFF(IMB_MGR, "IMB_MGR", submit_job_nocheck);
        OFF(IMB_MGR, "IMB_MGR", get_completed_job);
        OFF(IMB_MGR, "IMB_MGR", flush_job);
        OFF(IMB_MGR, "IMB_MGR", gcm128_enc);
        OFF(IMB_MGR, "IMB_MGR", gcm192_enc);
        OFF(IMB_MGR, "IMB_MGR", gcm256_enc);
        OFF(IMB_MGR, "IMB_MGR", gcm128_dec);
        OFF(IMB_MGR, "IMB_MGR", gcm192_dec);
        OFF(IMB_MGR, "IMB_MGR", gcm256_dec);
        OFF(IMB_MGR, "IMB_MGR", gcm128_pre);
        OFF(IMB_MGR, "IMB_MGR", gcm192_pre);
        OFF(IMB_MGR, "IMB_MGR", gcm256_pre);
        OFF(IMB_MGR, "IMB_MGR", chacha20_poly1305_init);
        OFF(IMB_MGR, "IMB_MGR", chacha20_poly1305_enc_update);
        OFF(IMB_MGR, "IMB_MGR", chacha20_poly1305_dec_update);
        OFF(IMB_MGR, "IMB_MGR", chacha20_poly1305_finalize);
        SIZE(IMB_MGR, "IMB_MGR");

        OFF(IMB_JOB, "IMB_JOB", enc_keys);
        OFF(IMB_JOB, "IMB_JOB", dec_keys);
        OFF(IMB_JOB, "IMB_JOB", key_len_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", src);
        OFF(IMB_JOB, "IMB_JOB", dst);
        OFF(IMB_JOB, "IMB_JOB", cipher_start_src_offset_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", msg_len_to_cipher_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", hash_start_src_offset_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", msg_len_to_hash_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", iv);
        OFF(IMB_JOB, "IMB_JOB", iv_len_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", auth_tag_output);
        OFF(IMB_JOB, "IMB_JOB", auth_tag_output_len_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", u);
        OFF(IMB_JOB, "IMB_JOB", u.CHACHA20_POLY1305);
        OFF(IMB_JOB, "IMB_JOB", u.CHACHA20_POLY1305.aad);
        OFF(IMB_JOB, "IMB_JOB", u.CHACHA20_POLY1305.aad_len_in_bytes);
        OFF(IMB_JOB, "IMB_JOB", u.CHACHA20_POLY1305.ctx);
        OFF(IMB_JOB, "IMB_JOB", status);
        OFF(IMB_JOB, "IMB_JOB", cipher_mode);
        OFF(IMB_JOB, "IMB_JOB", cipher_direction);
        OFF(IMB_JOB, "IMB_JOB", hash_alg);
        OFF(IMB_JOB, "IMB_JOB", chain_order);
        OFF(IMB_JOB, "IMB_JOB", user_data);
        OFF(IMB_JOB, "IMB_JOB", user_data2);
        OFF(IMB_JOB, "IMB_JOB", cipher_func);
        OFF(IMB_JOB, "IMB_JOB", hash_func);
        OFF(IMB_JOB, "IMB_JOB", sgl_state);
        OFF(IMB_JOB, "IMB_JOB", cipher_fields);
        SIZE(IMB_JOB, "IMB_JOB");

        OFF(struct gcm_key_data, "gcm_key_data", expanded_keys);
        OFF(struct gcm_key_data, "gcm_key_data", ghash_keys);
        SIZE(struct gcm_key_data, "gcm_key_data");

        OFF(struct gcm_context_data, "gcm_context_data", aad_hash);
        OFF(struct gcm_context_data, "gcm_context_data", aad_length);
        OFF(struct gcm_context_data, "gcm_context_data", in_length);
        OFF(struct gcm_context_data, "gcm_context_data", partial_block_enc_key);
        OFF(struct gcm_context_data, "gcm_context_data", orig_IV);
        OFF(struct gcm_context_data, "gcm_context_data", current_counter);
        OFF(struct gcm_context_data, "gcm_context_data", partial_block_length);
        SIZE(struct gcm_context_data, "gcm_context_data");

        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", hash);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", aad_len);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", hash_len);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", last_ks);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", poly_key);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", poly_scratch);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", last_block_count);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", remain_ks_bytes);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", remain_ct_bytes);
        OFF(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data", IV);
        SIZE(struct chacha20_poly1305_context_data, "chacha20_poly1305_context_data");

        CONST(IMB_VERSION_NUM);
        CONST(IMB_CIPHER_CHACHA20_POLY1305);
        CONST(IMB_AUTH_CHACHA20_POLY1305);
        CONST(IMB_DIR_ENCRYPT);
        CONST(IMB_DIR_DECRYPT);
        CONST(IMB_ORDER_CIPHER_HASH);
        CONST(IMB_ORDER_HASH_CIPHER);
        CONST(IMB_STATUS_COMPLETED);
        CONST(IMB_ARCH_NOAESNI);
        CONST(IMB_ARCH_AVX512);
        CONST(IMB_ARCH_NUM);
        CONST(IMB_FEATURE_AESNI);
        CONST(IMB_FEATURE_AVX2);
        CONST(IMB_FEATURE_AVX512F);
        CONST(IMB_FEATURE_VAES);
        CONST(IMB_FEATURE_VPCLMULQDQ);
        CONST(IMB_GCM_128_KEY_LEN);
        CONST(IMB_GCM_256_KEY_LEN);
        CONST(IMB_GCM_IV_DATA_LEN);
        CONST(IMB_MAX_TAG_LEN);
        return 0;
}
