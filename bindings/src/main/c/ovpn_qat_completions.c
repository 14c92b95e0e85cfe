/*
 * Completions of qatlib's data-plane API, collected in C (async-crypto.md §1.9).
 *
 * qatlib reports each finished request by calling the instance's callback from inside
 * icp_sal_CyPollDpInstance, once per request. An FFM upcall per packet would cost a
 * thread-state transition each; instead this callback appends (pCallbackTag, status,
 * verifyResult) to an array, and Java makes one downcall per burst, ovpn_qat_poll, which
 * polls the instance and leaves the array filled.
 *
 * The callback has no context argument, so the array to fill is the calling thread's,
 * set for the duration of one ovpn_qat_poll: the data-plane API is not thread-safe and is
 * polled by the thread that owns the instance, so "this thread's poll" names the instance.
 *
 * No qatlib header is needed (nor installed on Debian 12): the few types are declared here
 * from the spec, and qatlib's poll function is passed in as a pointer, so this library
 * links against nothing but libc.
 */
#include <stddef.h>
#include <stdint.h>

#define OVPN_QAT_EXPORT __attribute__((visibility("default")))

/* Changes whenever struct ovpn_qat_completions or a signature below changes. */
#define OVPN_QAT_COMPLETIONS_ABI 1

typedef int32_t CpaStatus;   /* enum */
typedef int32_t CpaBoolean;  /* enum */
typedef CpaStatus (*poll_dp_instance_fn)(void *instance, uint32_t response_quota);

/* CpaCySymDpOpData.pCallbackTag (async-crypto.md §1.4). */
#define OP_DATA_CALLBACK_TAG 136

struct ovpn_qat_completion {
    uint64_t tag;        /* the op's pCallbackTag */
    int32_t status;      /* CpaStatus */
    int32_t verify;      /* CpaBoolean verifyResult */
};

/* Shared with Java (QatCompletionRing): offsets 0, 4, 8, entries at 16, 16 bytes each. */
struct ovpn_qat_completions {
    uint32_t capacity;
    uint32_t count;      /* entries the last ovpn_qat_poll wrote */
    uint32_t overflow;   /* callbacks that found the array full: lost, a caller bug */
    uint32_t reserved;
    struct ovpn_qat_completion entry[];
};

_Static_assert(offsetof(struct ovpn_qat_completions, entry) == 16, "Java reads entries at 16");
_Static_assert(sizeof(struct ovpn_qat_completion) == 16, "Java reads 16-byte entries");

static __thread struct ovpn_qat_completions *collecting;
/* Callbacks that ran outside ovpn_qat_poll (someone polled the instance directly). */
static uint64_t stray;

OVPN_QAT_EXPORT int ovpn_qat_completions_abi(void)
{
    return OVPN_QAT_COMPLETIONS_ABI;
}

/* The callback registered with cpaCySymDpRegCbFunc: void cb(CpaCySymDpOpData *, CpaStatus, CpaBoolean). */
OVPN_QAT_EXPORT void ovpn_qat_completed(void *op, CpaStatus status, CpaBoolean verify_result)
{
    struct ovpn_qat_completions *c = collecting;

    if (c == NULL) {
        __atomic_add_fetch(&stray, 1, __ATOMIC_RELAXED);
        return;
    }
    if (c->count == c->capacity) {
        c->overflow++;
        return;
    }
    struct ovpn_qat_completion *e = &c->entry[c->count++];
    e->tag = *(const uint64_t *)((const char *)op + OP_DATA_CALLBACK_TAG);
    e->status = status;
    e->verify = verify_result;
}

/*
 * Polls one instance into c: c->count entries afterwards. The quota is c's capacity, so
 * qatlib never hands over more than fit. Returns what icp_sal_CyPollDpInstance returned
 * (CPA_STATUS_RETRY when nothing had finished).
 */
OVPN_QAT_EXPORT CpaStatus ovpn_qat_poll(poll_dp_instance_fn poll, void *instance,
                                        struct ovpn_qat_completions *c)
{
    c->count = 0;
    collecting = c;
    CpaStatus s = poll(instance, c->capacity);
    collecting = NULL;
    return s;
}

OVPN_QAT_EXPORT uint64_t ovpn_qat_stray_completions(void)
{
    return __atomic_load_n(&stray, __ATOMIC_RELAXED);
}
