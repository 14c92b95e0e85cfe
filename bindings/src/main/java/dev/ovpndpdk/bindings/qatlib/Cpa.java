package dev.ovpndpdk.bindings.qatlib;

/**
 * The basic values of qatlib's {@code cpa.h}: {@code CpaStatus} and {@code CpaBoolean}, both C
 * enums and so 4-byte {@code int}s on x86-64 (async-crypto.md §1.5).
 */
public final class Cpa {
    private Cpa() {
    }

    public static final int CPA_FALSE = 0;
    public static final int CPA_TRUE = 1;

    public static final int CPA_STATUS_SUCCESS = 0;
    public static final int CPA_STATUS_FAIL = -1;
    /** A full ring on enqueue; no response on poll. Poll, then retry. */
    public static final int CPA_STATUS_RETRY = -2;
    public static final int CPA_STATUS_RESOURCE = -3;
    public static final int CPA_STATUS_INVALID_PARAM = -4;
    public static final int CPA_STATUS_FATAL = -5;
    public static final int CPA_STATUS_UNSUPPORTED = -6;
    public static final int CPA_STATUS_RESTARTING = -7;

    /** {@code srcBufferLen} value saying the buffer is a {@code CpaPhysBufferList}, not flat. */
    public static final int CPA_DP_BUFLIST = 0xFFFFFFFF;

    /** The status's name as the header spells it, for the one line a failure logs. */
    public static String statusName(int status) {
        return switch (status) {
            case CPA_STATUS_SUCCESS -> "CPA_STATUS_SUCCESS";
            case CPA_STATUS_FAIL -> "CPA_STATUS_FAIL";
            case CPA_STATUS_RETRY -> "CPA_STATUS_RETRY";
            case CPA_STATUS_RESOURCE -> "CPA_STATUS_RESOURCE";
            case CPA_STATUS_INVALID_PARAM -> "CPA_STATUS_INVALID_PARAM";
            case CPA_STATUS_FATAL -> "CPA_STATUS_FATAL";
            case CPA_STATUS_UNSUPPORTED -> "CPA_STATUS_UNSUPPORTED";
            case CPA_STATUS_RESTARTING -> "CPA_STATUS_RESTARTING";
            default -> "CpaStatus " + status;
        };
    }
}
