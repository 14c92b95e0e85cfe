package dev.ovpndpdk.bindings.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** epoll over a socket pair: silence times out, a datagram wakes it with the entry's data, level-triggered. */
class EpollTest {
    @Test
    @Timeout(10)
    void reportsTheReadyDescriptorsDataUntilItIsRead() throws Exception {
        int[] pair = UnixSockets.socketPair(Sockets.SOCK_DGRAM);
        try (Epoll e = new Epoll(2); Arena a = Arena.ofConfined()) {
            e.add(pair[0], Epoll.EPOLLIN, 0x1234_5678_9abcL);
            assertEquals(0, e.await(0));
            assertEquals(0, e.awaitNanos(200_000), "nothing to read: times out");
            MemorySegment b = a.allocate(8);
            assertEquals(8, Fd.write(pair[1], b.address(), 8));
            assertEquals(1, e.awaitNanos(1_000_000_000L));
            assertEquals(0x1234_5678_9abcL, e.data(0));
            assertEquals(Epoll.EPOLLIN, e.events(0) & Epoll.EPOLLIN);
            assertEquals(1, e.await(1000), "level-triggered: still ready while unread");
            assertEquals(8, Fd.read(pair[0], b.address(), 8));
            assertEquals(0, e.await(0));
            e.remove(pair[0]);
            assertEquals(8, Fd.write(pair[1], b.address(), 8));
            assertEquals(0, e.await(0), "removed: not reported");
        } finally {
            Fd.closeQuietly(pair[0]);
            Fd.closeQuietly(pair[1]);
        }
    }
}
