package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct iovec}, {@code msghdr}, {@code mmsghdr}, {@code cmsghdr} and the CMSG_* macros,
 * for x86_64/aarch64 (LP64) glibc.
 *
 * <p>Pointer fields are laid out as {@code JAVA_LONG}: the code that fills them holds raw
 * addresses (slab buffers, sockaddr slots), and writing a long needs no MemorySegment.
 */
public final class MsgHdr {

    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");

    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");

    public static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4)).withName("mmsghdr");

    /** The header in front of each control message; data follows at {@link #CMSG_DATA}. */
    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");

    public static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    public static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));

    public static final long MSG_NAME = MSGHDR.byteOffset(groupElement("msg_name"));
    public static final long MSG_NAMELEN = MSGHDR.byteOffset(groupElement("msg_namelen"));
    public static final long MSG_IOV = MSGHDR.byteOffset(groupElement("msg_iov"));
    public static final long MSG_IOVLEN = MSGHDR.byteOffset(groupElement("msg_iovlen"));
    public static final long MSG_CONTROL = MSGHDR.byteOffset(groupElement("msg_control"));
    public static final long MSG_CONTROLLEN = MSGHDR.byteOffset(groupElement("msg_controllen"));
    public static final long MSG_FLAGS = MSGHDR.byteOffset(groupElement("msg_flags"));
    /** Offset of {@code msg_len} within {@code struct mmsghdr}. */
    public static final long MSG_LEN = MMSGHDR.byteOffset(groupElement("msg_len"));

    public static final long CMSG_LEN_FIELD = CMSGHDR.byteOffset(groupElement("cmsg_len"));
    public static final long CMSG_LEVEL = CMSGHDR.byteOffset(groupElement("cmsg_level"));
    public static final long CMSG_TYPE = CMSGHDR.byteOffset(groupElement("cmsg_type"));
    /** {@code CMSG_DATA(cmsg) - cmsg}: sizeof(cmsghdr) rounded to the alignment of size_t. */
    public static final long CMSG_DATA = CMSG_ALIGN(CMSGHDR.byteSize());

    /** Control message types at SOL_SOCKET. */
    public static final int SCM_RIGHTS = 1;
    public static final int SCM_CREDENTIALS = 2;

    private MsgHdr() {
    }

    /** {@code CMSG_ALIGN}: control messages are padded to the alignment of size_t. */
    public static long CMSG_ALIGN(long len) {
        return (len + 7) & ~7L;
    }

    /** {@code CMSG_SPACE}: bytes a control message with {@code dataLen} bytes occupies in the buffer. */
    public static long CMSG_SPACE(long dataLen) {
        return CMSG_ALIGN(CMSGHDR.byteSize()) + CMSG_ALIGN(dataLen);
    }

    /** {@code CMSG_LEN}: the value of cmsg_len for {@code dataLen} bytes of data. */
    public static long CMSG_LEN(long dataLen) {
        return CMSG_ALIGN(CMSGHDR.byteSize()) + dataLen;
    }

    /** Writes a control message header at {@code offset}; returns the offset of its data. */
    public static long putCmsg(MemorySegment buf, long offset, int level, int type, long dataLen) {
        buf.set(JAVA_LONG, offset + CMSG_LEN_FIELD, CMSG_LEN(dataLen));
        buf.set(JAVA_INT, offset + CMSG_LEVEL, level);
        buf.set(JAVA_INT, offset + CMSG_TYPE, type);
        return offset + CMSG_DATA;
    }

    /**
     * Walks the {@code controlLen} bytes of control messages at {@code offset} (what the kernel
     * wrote, i.e. msg_controllen after the call) and returns the offset of the data of the first
     * one with this level and type, or -1. Allocation-free: for per-datagram cmsgs like UDP_GRO.
     */
    public static long findCmsg(MemorySegment buf, long offset, long controlLen, int level, int type) {
        long end = offset + controlLen;
        long at = offset;
        while (at + CMSGHDR.byteSize() <= end) {
            long len = buf.get(JAVA_LONG, at + CMSG_LEN_FIELD);
            if (len < CMSGHDR.byteSize() || at + len > end) {
                return -1; // malformed or truncated: the kernel never writes that, but don't loop
            }
            if (buf.get(JAVA_INT, at + CMSG_LEVEL) == level && buf.get(JAVA_INT, at + CMSG_TYPE) == type) {
                return at + CMSG_DATA;
            }
            at += CMSG_ALIGN(len);
        }
        return -1;
    }

    /** Data length of the control message whose data starts at {@code dataOffset}. */
    public static long cmsgDataLength(MemorySegment buf, long dataOffset) {
        return buf.get(JAVA_LONG, dataOffset - CMSG_DATA + CMSG_LEN_FIELD) - CMSG_DATA;
    }
}
