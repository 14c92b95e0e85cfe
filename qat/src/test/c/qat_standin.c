/*
 * qat_standin.c: a STAND-IN for qatlib (libqat.so.4 and libusdm.so.0), for the tests of the
 * qat module only. It is not qatlib, shares no code with it, and drives no device.
 *
 * What it proves: that the engine makes qatlib's calls in the order async-crypto.md §1 gives,
 * with the struct layouts and signatures as WE read them from the spec (the real headers are
 * not installed here: Debian 12 has no qatlib). What it cannot prove: that our reading matches
 * real qatlib, or anything about a QAT device. docs/qatlib.md says so too.
 *
 * Behaviour copied from the spec, so the engine is held to it:
 *  - USDM memory has IOVAs unlike its virtual addresses, and the "device" reads the op's
 *    physical fields only through them, so a virtual address in a physical field fails;
 *  - ops are checked at enqueue (op IOVA, IV and AAD addresses, flat in-place buffer, session
 *    on this instance) and refused with CPA_STATUS_INVALID_PARAM;
 *  - enqueue zeroes the AAD pad as qatlib does: to 16 bytes for GCM, to 64 for ChaCha (qatlib
 *    before 26.02), so an AAD pointed at the packet would destroy the tag after it;
 *  - a batch is all or nothing; a full ring (configurable depth) gives CPA_STATUS_RETRY;
 *  - nothing completes before the doorbell (performOpNow) and a poll; completions come in
 *    order (or reversed, on request, to test the engine's reordering);
 *  - a bad tag completes with CPA_STATUS_SUCCESS and verifyResult CPA_FALSE, the plaintext
 *    left in place (the DP API does not zero it);
 *  - a session with requests in flight is not removed (CPA_STATUS_RETRY).
 * The AEAD itself is OpenSSL's libcrypto, independent of the intel-ipsec-mb the tests compare with.
 *
 * Knobs: QAT_STANDIN_NO_DEVICE=1 and QAT_STANDIN_RING_DEPTH=n in the environment, or
 * qat_standin_configure() at run time; counters through qat_standin_stat().
 *
 * Build: gcc -O2 -shared -fPIC -o libqat_standin.so qat_standin.c -lcrypto
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef int32_t CpaStatus;
typedef int32_t CpaBoolean;
typedef uint64_t CpaPhysicalAddr;
typedef CpaPhysicalAddr (*CpaVirtualToPhysical)(void *virt);

#define CPA_FALSE 0
#define CPA_TRUE 1
#define CPA_STATUS_SUCCESS 0
#define CPA_STATUS_FAIL (-1)
#define CPA_STATUS_RETRY (-2)
#define CPA_STATUS_INVALID_PARAM (-4)
#define CPA_DP_BUFLIST 0xFFFFFFFFu

/* CpaCySymSessionSetupData, as async-crypto.md §1.3 reads it. */
struct cipher_setup {
    int32_t cipherAlgorithm;
    uint32_t cipherKeyLenInBytes;
    const uint8_t *pCipherKey;
    int32_t cipherDirection;
};
struct auth_mode_setup {
    const uint8_t *authKey;
    uint32_t authKeyLenInBytes;
    uint32_t aadLenInBytes;
};
struct nested_mode_setup {
    const uint8_t *pInnerPrefixData;
    uint32_t innerPrefixLenInBytes;
    const uint8_t *pOuterPrefixData;
    uint32_t outerPrefixLenInBytes;
};
struct hash_setup {
    int32_t hashAlgorithm;
    int32_t hashMode;
    uint32_t digestResultLenInBytes;
    struct auth_mode_setup authModeSetupData;
    struct nested_mode_setup nestedModeSetupData;
};
struct session_setup {
    int32_t sessionPriority;
    int32_t symOperation;
    struct cipher_setup cipherSetupData;
    struct hash_setup hashSetupData;
    int32_t algChainOrder;
    CpaBoolean digestIsAppended;
    CpaBoolean verifyDigest;
    CpaBoolean partialsNotRequired;
};
_Static_assert(sizeof(struct session_setup) == 112, "CpaCySymSessionSetupData is 112 B");
_Static_assert(offsetof(struct session_setup, cipherSetupData.cipherDirection) == 24, "cipherDirection @24");
_Static_assert(offsetof(struct session_setup, hashSetupData.digestResultLenInBytes) == 40, "digest len @40");
_Static_assert(offsetof(struct session_setup, hashSetupData.authModeSetupData.aadLenInBytes) == 60, "aad len @60");
_Static_assert(offsetof(struct session_setup, digestIsAppended) == 100, "digestIsAppended @100");

/* CpaCySymDpOpData, as async-crypto.md §1.4 reads it. */
struct op_data {
    uint64_t reserved0;
    uint32_t cryptoStartSrcOffsetInBytes;
    uint32_t messageLenToCipherInBytes;
    CpaPhysicalAddr iv;
    uint64_t reserved1;
    uint32_t hashStartSrcOffsetInBytes;
    uint32_t messageLenToHashInBytes;
    CpaPhysicalAddr additionalAuthData;
    CpaPhysicalAddr digestResult;
    void *instanceHandle;
    void *sessionCtx;
    uint32_t ivLenInBytes;
    CpaPhysicalAddr srcBuffer;
    uint32_t srcBufferLen;
    CpaPhysicalAddr dstBuffer;
    uint32_t dstBufferLen;
    CpaPhysicalAddr thisPhys;
    uint8_t *pIv;
    uint8_t *pAdditionalAuthData;
    void *pCallbackTag;
};
_Static_assert(sizeof(struct op_data) == 144, "CpaCySymDpOpData is 144 B");
_Static_assert(offsetof(struct op_data, srcBuffer) == 80, "srcBuffer @80");
_Static_assert(offsetof(struct op_data, thisPhys) == 112, "thisPhys @112");
_Static_assert(offsetof(struct op_data, pCallbackTag) == 136, "pCallbackTag @136");

#define CIPHER_AES_GCM 7
#define CIPHER_CHACHA 18
#define HASH_AES_GCM 9
#define HASH_POLY 22
#define HASH_MODE_AUTH 2
#define DIRECTION_ENCRYPT 1
#define DIRECTION_DECRYPT 2
#define INSTANCE_INFO2_SIZE 932
#define INFO2_NODE_AFFINITY 912
#define INFO2_IS_POLLED 924

typedef void (*dp_callback)(struct op_data *op, CpaStatus status, CpaBoolean verify_result);

#define MAX_INSTANCES 4
#define MAX_RING 1024
#define SESSION_MAGIC 0x51415453u /* "STAQ" */

struct instance {
    int started;
    CpaVirtualToPhysical v2p;
    dp_callback cb;
    struct op_data *ring[MAX_RING];
    int head;   /* oldest op */
    int count;  /* ops on the ring */
    int rung;   /* of those, how many the doorbell has shown the "device" */
};

struct session {
    uint32_t magic;
    struct instance *instance;
    int chacha;
    int encrypt;
    uint32_t key_len;
    uint32_t aad_len;
    uint8_t key[32];
    int64_t pending;
};

static struct {
    int device_present;
    int start_status;
    int ring_depth;
    int complete_reversed;
    int instances;
} cfg = { 1, CPA_STATUS_SUCCESS, 64, 0, 2 };

static struct instance instances[MAX_INSTANCES];
static int user_started;
static uint64_t stat_doorbells, stat_enqueued, stat_completed, stat_invalid, stat_retries;
static int64_t stat_live_sessions;
static char last_error[256];

__attribute__((constructor)) static void standin_from_environment(void)
{
    const char *no_device = getenv("QAT_STANDIN_NO_DEVICE");
    const char *depth = getenv("QAT_STANDIN_RING_DEPTH");

    if (no_device != NULL && strcmp(no_device, "1") == 0)
        cfg.device_present = 0;
    if (depth != NULL && atoi(depth) > 0 && atoi(depth) <= MAX_RING)
        cfg.ring_depth = atoi(depth);
}

static CpaStatus invalid(const char *why)
{
    stat_invalid++;
    snprintf(last_error, sizeof(last_error), "%s", why);
    return CPA_STATUS_INVALID_PARAM;
}

/* ---- USDM: memory with made-up IOVAs, far from any virtual address ---- */

struct region {
    uintptr_t virt;
    size_t size;
    CpaPhysicalAddr phys;
};

#define MAX_REGIONS 8192
static struct region regions[MAX_REGIONS];
static int region_count;
static CpaPhysicalAddr next_phys = 0x100000000000ull;
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;

EXPORT void *qaeMemAllocNUMA(size_t size, int node, size_t phys_alignment)
{
    (void)node;
    size_t align = phys_alignment < 64 ? 64 : phys_alignment;
    void *p = NULL;

    if (size == 0 || (align & (align - 1)) != 0 || size > (64u << 20))
        return NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    pthread_mutex_lock(&regions_lock);
    if (region_count == MAX_REGIONS) {
        pthread_mutex_unlock(&regions_lock);
        free(p);
        return NULL;
    }
    next_phys = (next_phys + align - 1) & ~(CpaPhysicalAddr)(align - 1);
    regions[region_count++] = (struct region){ (uintptr_t)p, size, next_phys };
    next_phys += size + 4096;
    pthread_mutex_unlock(&regions_lock);
    return p;
}

EXPORT void qaeMemFreeNUMA(void **ptr)
{
    if (ptr == NULL || *ptr == NULL)
        return;
    pthread_mutex_lock(&regions_lock);
    for (int i = 0; i < region_count; i++) {
        if (regions[i].virt == (uintptr_t)*ptr) {
            regions[i] = regions[--region_count];
            free(*ptr);
            break;
        }
    }
    pthread_mutex_unlock(&regions_lock);
    *ptr = NULL;
}

EXPORT CpaPhysicalAddr qaeVirtToPhysNUMA(void *virt)
{
    uintptr_t v = (uintptr_t)virt;
    CpaPhysicalAddr phys = 0;

    pthread_mutex_lock(&regions_lock);
    for (int i = 0; i < region_count; i++) {
        if (v >= regions[i].virt && v < regions[i].virt + regions[i].size) {
            phys = regions[i].phys + (v - regions[i].virt);
            break;
        }
    }
    pthread_mutex_unlock(&regions_lock);
    return phys;
}

/* What the "device" does with an IOVA: find the memory, all len bytes of it, or NULL. */
static uint8_t *phys_to_virt(CpaPhysicalAddr phys, size_t len)
{
    uint8_t *v = NULL;

    pthread_mutex_lock(&regions_lock);
    for (int i = 0; i < region_count; i++) {
        if (phys >= regions[i].phys && phys + len <= regions[i].phys + regions[i].size) {
            v = (uint8_t *)(regions[i].virt + (phys - regions[i].phys));
            break;
        }
    }
    pthread_mutex_unlock(&regions_lock);
    return v;
}

/* ---- start-up and instances ---- */

EXPORT CpaBoolean icp_sal_userIsQatAvailable(void)
{
    return cfg.device_present ? CPA_TRUE : CPA_FALSE;
}

EXPORT CpaStatus icp_sal_userStart(const char *process_name)
{
    if (process_name == NULL || !cfg.device_present)
        return CPA_STATUS_FAIL;
    if (cfg.start_status != CPA_STATUS_SUCCESS)
        return cfg.start_status;
    user_started = 1;
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus icp_sal_userStop(void)
{
    user_started = 0;
    return CPA_STATUS_SUCCESS;
}

static struct instance *instance_of(void *handle)
{
    for (int i = 0; i < cfg.instances; i++)
        if (handle == &instances[i])
            return &instances[i];
    return NULL;
}

EXPORT CpaStatus cpaCyGetNumInstances(uint16_t *n)
{
    if (!user_started || n == NULL)
        return CPA_STATUS_FAIL;
    *n = (uint16_t)cfg.instances;
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCyGetInstances(uint16_t n, void **handles)
{
    if (!user_started || handles == NULL || n == 0 || n > cfg.instances)
        return CPA_STATUS_INVALID_PARAM;
    for (int i = 0; i < n; i++)
        handles[i] = &instances[i];
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCyInstanceGetInfo2(void *handle, uint8_t *info)
{
    if (instance_of(handle) == NULL || info == NULL)
        return CPA_STATUS_INVALID_PARAM;
    memset(info, 0, INSTANCE_INFO2_SIZE);
    uint32_t node = 0;
    CpaBoolean polled = CPA_TRUE;
    memcpy(info + INFO2_NODE_AFFINITY, &node, 4);
    memcpy(info + INFO2_IS_POLLED, &polled, 4);
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySymQueryCapabilities(void *handle, uint8_t *caps)
{
    if (instance_of(handle) == NULL || caps == NULL)
        return CPA_STATUS_INVALID_PARAM;
    memset(caps, 0, 12);
    uint32_t ciphers = 1u << CIPHER_AES_GCM | 1u << CIPHER_CHACHA;
    memcpy(caps, &ciphers, 4);
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySetAddressTranslation(void *handle, CpaVirtualToPhysical v2p)
{
    struct instance *in = instance_of(handle);
    if (in == NULL || v2p == NULL)
        return CPA_STATUS_INVALID_PARAM;
    in->v2p = v2p;
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCyStartInstance(void *handle)
{
    struct instance *in = instance_of(handle);
    if (in == NULL || !user_started)
        return CPA_STATUS_FAIL;
    if (in->v2p == NULL)
        return invalid("cpaCyStartInstance before cpaCySetAddressTranslation");
    in->started = 1;
    in->head = in->count = in->rung = 0;
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCyStopInstance(void *handle)
{
    struct instance *in = instance_of(handle);
    if (in == NULL)
        return CPA_STATUS_INVALID_PARAM;
    in->started = 0;
    in->cb = NULL;
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySymDpRegCbFunc(void *handle, dp_callback cb)
{
    struct instance *in = instance_of(handle);
    if (in == NULL || cb == NULL)
        return CPA_STATUS_INVALID_PARAM;
    in->cb = cb;
    return CPA_STATUS_SUCCESS;
}

/* ---- sessions ---- */

static CpaStatus check_setup(const struct session_setup *s)
{
    const struct cipher_setup *c = &s->cipherSetupData;
    const struct hash_setup *h = &s->hashSetupData;
    int chacha = c->cipherAlgorithm == CIPHER_CHACHA;

    if (s->sessionPriority != 1 || s->symOperation != 3)
        return invalid("session: priority or symOperation");
    if (!chacha && c->cipherAlgorithm != CIPHER_AES_GCM)
        return invalid("session: cipher");
    if (h->hashAlgorithm != (chacha ? HASH_POLY : HASH_AES_GCM) || h->hashMode != HASH_MODE_AUTH)
        return invalid("session: hash does not match the cipher");
    if (chacha ? c->cipherKeyLenInBytes != 32
               : c->cipherKeyLenInBytes != 16 && c->cipherKeyLenInBytes != 24 && c->cipherKeyLenInBytes != 32)
        return invalid("session: key length");
    if (c->pCipherKey == NULL || (c->cipherDirection != DIRECTION_ENCRYPT && c->cipherDirection != DIRECTION_DECRYPT))
        return invalid("session: key or direction");
    if (h->digestResultLenInBytes != 16 || h->authModeSetupData.aadLenInBytes > 240)
        return invalid("session: digest or AAD length");
    if (s->digestIsAppended != CPA_FALSE)
        return invalid("session: digestIsAppended must be false, the tag precedes the ciphertext");
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySymDpSessionCtxGetSize(void *handle, const struct session_setup *setup, uint32_t *size)
{
    if (instance_of(handle) == NULL || setup == NULL || size == NULL)
        return CPA_STATUS_INVALID_PARAM;
    CpaStatus s = check_setup(setup);
    if (s != CPA_STATUS_SUCCESS)
        return s;
    *size = 320; /* more than struct session: the engine must use what it is told */
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySymDpInitSession(void *handle, const struct session_setup *setup, void *ctx)
{
    struct instance *in = instance_of(handle);
    if (in == NULL || setup == NULL || ctx == NULL)
        return CPA_STATUS_INVALID_PARAM;
    if (in->v2p == NULL || in->v2p(ctx) == 0)
        return invalid("session context is not in USDM memory");
    CpaStatus s = check_setup(setup);
    if (s != CPA_STATUS_SUCCESS)
        return s;
    struct session *ss = ctx;
    memset(ss, 0, sizeof(*ss));
    ss->magic = SESSION_MAGIC;
    ss->instance = in;
    ss->chacha = setup->cipherSetupData.cipherAlgorithm == CIPHER_CHACHA;
    ss->encrypt = setup->cipherSetupData.cipherDirection == DIRECTION_ENCRYPT;
    ss->key_len = setup->cipherSetupData.cipherKeyLenInBytes;
    ss->aad_len = setup->hashSetupData.authModeSetupData.aadLenInBytes;
    memcpy(ss->key, setup->cipherSetupData.pCipherKey, ss->key_len);
    __atomic_add_fetch(&stat_live_sessions, 1, __ATOMIC_RELAXED);
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySymDpRemoveSession(void *handle, void *ctx)
{
    struct session *ss = ctx;
    if (instance_of(handle) == NULL || ss == NULL || ss->magic != SESSION_MAGIC)
        return CPA_STATUS_INVALID_PARAM;
    if (__atomic_load_n(&ss->pending, __ATOMIC_ACQUIRE) != 0)
        return CPA_STATUS_RETRY;
    memset(ss, 0, sizeof(*ss));
    __atomic_sub_fetch(&stat_live_sessions, 1, __ATOMIC_RELAXED);
    return CPA_STATUS_SUCCESS;
}

/* ---- the data path ---- */

static CpaStatus check_op(struct op_data *op)
{
    if (op == NULL || ((uintptr_t)op & 7) != 0)
        return invalid("op data missing or not 8-byte aligned");
    struct instance *in = instance_of(op->instanceHandle);
    if (in == NULL || !in->started || in->cb == NULL)
        return invalid("op: instance unknown, not started, or without callback");
    struct session *ss = op->sessionCtx;
    if (ss == NULL || ss->magic != SESSION_MAGIC || ss->instance != in)
        return invalid("op: no session of this instance");
    if (op->thisPhys == 0 || op->thisPhys != in->v2p(op))
        return invalid("op: thisPhys is not the op's IOVA");
    if (op->ivLenInBytes != 12 || op->pIv == NULL || phys_to_virt(op->iv, 12) != op->pIv)
        return invalid("op: IV length, or iv is not the IOVA of pIv");
    if (op->pAdditionalAuthData == NULL || phys_to_virt(op->additionalAuthData, ss->aad_len) != op->pAdditionalAuthData)
        return invalid("op: additionalAuthData is not the IOVA of pAdditionalAuthData");
    if (op->srcBufferLen == CPA_DP_BUFLIST || op->srcBuffer != op->dstBuffer || op->srcBufferLen != op->dstBufferLen)
        return invalid("op: expected one flat buffer, in place");
    if ((uint64_t)op->cryptoStartSrcOffsetInBytes + op->messageLenToCipherInBytes > op->srcBufferLen)
        return invalid("op: cipher region outside the buffer");
    if (phys_to_virt(op->srcBuffer, op->srcBufferLen) == NULL)
        return invalid("op: srcBuffer is not an IOVA of USDM memory");
    if (phys_to_virt(op->digestResult, 16) == NULL)
        return invalid("op: digestResult is not an IOVA of USDM memory");
    return CPA_STATUS_SUCCESS;
}

/* qatlib's enqueue writes zeros after the AAD: to 16 bytes for GCM, to 64 for ChaCha before 26.02. */
static void zero_aad_pad(struct op_data *op)
{
    struct session *ss = op->sessionCtx;
    uint32_t round = ss->chacha ? 64 : 16;
    uint32_t end = (ss->aad_len + round - 1) / round * round;
    memset(op->pAdditionalAuthData + ss->aad_len, 0, end - ss->aad_len);
}

static void push(struct instance *in, struct op_data *op)
{
    in->ring[(in->head + in->count) % cfg.ring_depth] = op;
    in->count++;
    __atomic_add_fetch(&((struct session *)op->sessionCtx)->pending, 1, __ATOMIC_RELEASE);
    zero_aad_pad(op);
    stat_enqueued++;
}

EXPORT CpaStatus cpaCySymDpEnqueueOp(struct op_data *op, CpaBoolean perform_now)
{
    CpaStatus s = check_op(op);
    if (s != CPA_STATUS_SUCCESS)
        return s;
    struct instance *in = op->instanceHandle;
    if (in->count == cfg.ring_depth) {
        stat_retries++;
        return CPA_STATUS_RETRY;
    }
    push(in, op);
    if (perform_now) {
        in->rung = in->count;
        stat_doorbells++;
    }
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySymDpEnqueueOpBatch(uint32_t n, struct op_data *ops[], CpaBoolean perform_now)
{
    if (n == 0 || ops == NULL)
        return invalid("batch: empty");
    for (uint32_t i = 0; i < n; i++) {
        CpaStatus s = check_op(ops[i]);
        if (s != CPA_STATUS_SUCCESS)
            return s;
        if (ops[i]->instanceHandle != ops[0]->instanceHandle)
            return invalid("batch: ops of two instances");
    }
    struct instance *in = ops[0]->instanceHandle;
    if (in->count + (int)n > cfg.ring_depth) {
        stat_retries++;
        return CPA_STATUS_RETRY;
    }
    for (uint32_t i = 0; i < n; i++)
        push(in, ops[i]);
    if (perform_now) {
        in->rung = in->count;
        stat_doorbells++;
    }
    return CPA_STATUS_SUCCESS;
}

EXPORT CpaStatus cpaCySymDpPerformOpNow(void *handle)
{
    struct instance *in = instance_of(handle);
    if (in == NULL || !in->started)
        return CPA_STATUS_INVALID_PARAM;
    in->rung = in->count;
    stat_doorbells++;
    return CPA_STATUS_SUCCESS;
}

static const EVP_CIPHER *cipher_of(const struct session *ss)
{
    if (ss->chacha)
        return EVP_chacha20_poly1305();
    return ss->key_len == 16 ? EVP_aes_128_gcm() : ss->key_len == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
}

/* The "device": the AEAD of one op, reading everything through its IOVAs. Returns verifyResult. */
static CpaBoolean run(struct op_data *op, CpaStatus *status)
{
    struct session *ss = op->sessionCtx;
    uint8_t *buf = phys_to_virt(op->srcBuffer, op->srcBufferLen);
    uint8_t *data = buf + op->cryptoStartSrcOffsetInBytes;
    uint8_t *iv = phys_to_virt(op->iv, 12);
    uint8_t *aad = phys_to_virt(op->additionalAuthData, ss->aad_len);
    uint8_t *tag = phys_to_virt(op->digestResult, 16);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = (int)op->messageLenToCipherInBytes;
    int out = 0;
    int ok = ctx != NULL
        && EVP_CipherInit_ex(ctx, cipher_of(ss), NULL, NULL, NULL, ss->encrypt) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1
        && EVP_CipherInit_ex(ctx, NULL, NULL, ss->key, iv, ss->encrypt) == 1
        && EVP_CipherUpdate(ctx, NULL, &out, aad, (int)ss->aad_len) == 1
        && (len == 0 || EVP_CipherUpdate(ctx, data, &out, data, len) == 1);
    CpaBoolean verified = CPA_TRUE;

    *status = CPA_STATUS_SUCCESS;
    if (!ok) {
        *status = CPA_STATUS_FAIL;
    } else if (ss->encrypt) {
        if (EVP_CipherFinal_ex(ctx, data + len, &out) != 1 || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
            *status = CPA_STATUS_FAIL;
    } else {
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
            *status = CPA_STATUS_FAIL;
        else if (EVP_CipherFinal_ex(ctx, data + len, &out) != 1)
            verified = CPA_FALSE; /* the plaintext stays in the buffer, as the DP API leaves it */
    }
    EVP_CIPHER_CTX_free(ctx);
    return verified;
}

EXPORT CpaStatus icp_sal_CyPollDpInstance(void *handle, uint32_t quota)
{
    struct instance *in = instance_of(handle);
    if (in == NULL || !in->started)
        return CPA_STATUS_FAIL;
    if (in->rung == 0)
        return CPA_STATUS_RETRY;
    int n = quota == 0 || quota > (uint32_t)in->rung ? in->rung : (int)quota;
    struct op_data *done[MAX_RING];
    CpaStatus status[MAX_RING];
    CpaBoolean verified[MAX_RING];

    for (int i = 0; i < n; i++) {
        done[i] = in->ring[in->head];
        in->head = (in->head + 1) % cfg.ring_depth;
        verified[i] = run(done[i], &status[i]);
    }
    in->count -= n;
    in->rung -= n;
    for (int k = 0; k < n; k++) {
        int i = cfg.complete_reversed ? n - 1 - k : k;
        __atomic_sub_fetch(&((struct session *)done[i]->sessionCtx)->pending, 1, __ATOMIC_RELEASE);
        stat_completed++;
        in->cb(done[i], status[i], verified[i]);
    }
    return CPA_STATUS_SUCCESS;
}

/* ---- test controls (not qatlib symbols) ---- */

EXPORT void qat_standin_configure(int device_present, int start_status, int ring_depth, int complete_reversed)
{
    cfg.device_present = device_present;
    cfg.start_status = start_status;
    if (ring_depth > 0 && ring_depth <= MAX_RING)
        cfg.ring_depth = ring_depth;
    cfg.complete_reversed = complete_reversed;
}

enum { STAT_LIVE_SESSIONS, STAT_DOORBELLS, STAT_ENQUEUED, STAT_COMPLETED, STAT_INVALID, STAT_RETRIES, STAT_USER_STARTED };

EXPORT int64_t qat_standin_stat(int which)
{
    switch (which) {
    case STAT_LIVE_SESSIONS: return __atomic_load_n(&stat_live_sessions, __ATOMIC_RELAXED);
    case STAT_DOORBELLS: return (int64_t)stat_doorbells;
    case STAT_ENQUEUED: return (int64_t)stat_enqueued;
    case STAT_COMPLETED: return (int64_t)stat_completed;
    case STAT_INVALID: return (int64_t)stat_invalid;
    case STAT_RETRIES: return (int64_t)stat_retries;
    case STAT_USER_STARTED: return user_started;
    default: return -1;
    }
}

EXPORT const char *qat_standin_last_error(void)
{
    return last_error;
}
