package dev.ovpndpdk.bindings.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void describesErrnoLikeTheCLibrary() {
        assertEquals("Resource temporarily unavailable", Errno.describe(Errno.EAGAIN));
        assertEquals("Address already in use", Errno.describe(Errno.EADDRINUSE));
        assertEquals("errno 9999", Errno.describe(9999));
    }

    @Test
    void exceptionCarriesCallErrnoAndText() {
        ErrnoException e = new ErrnoException("bind(10.0.0.1:1194)", Errno.EADDRINUSE);
        assertTrue(e instanceof IOException);
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertEquals("bind(10.0.0.1:1194)", e.call());
        assertEquals("bind(10.0.0.1:1194): Address already in use", e.getMessage());
    }

    @Test
    void captureStateIsPerThread() throws Exception {
        AtomicReference<Object> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(Errno.state()));
        t.start();
        t.join(5000);
        assertSame(Errno.state(), Errno.state());
        assertNotSame(Errno.state(), other.get());
    }

    @Test
    void bindingsAreAvailableOnThisLinuxBox() {
        assertTrue(Libc.isAvailable(), Libc.unavailableReason());
    }
}
