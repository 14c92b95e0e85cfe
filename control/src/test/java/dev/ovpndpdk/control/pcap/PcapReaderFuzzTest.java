package dev.ovpndpdk.control.pcap;

import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the capture reader decrypt-pcap trusts with a user's file
 * (docs/fuzzing.md). Whatever the bytes, the reader either walks every record to a clean end
 * or stops with an IOException whose one-line message starts with the file's name; nothing
 * else may escape, and what it returns must be consistent with the input.
 * Seeds and regression inputs: {@code PcapReaderFuzzTestInputs/readsOrRefusesInOneLine/}.
 */
class PcapReaderFuzzTest {
    private static final String NAME = "fuzz.pcap";

    @FuzzTest
    void readsOrRefusesInOneLine(byte[] file) {
        PcapReader r;
        try {
            r = new PcapReader(new ByteArrayInputStream(file), NAME);
        } catch (IOException e) {
            assertOneLine(e);
            return;
        }
        assertTrue(FrameDecoder.supports(r.linkType()), "accepted link type " + r.linkType());
        long lastFrame = 0;
        try {
            for (UdpDatagram d = r.nextUdp(); d != null; d = r.nextUdp()) {
                assertTrue(d.frame() > lastFrame && d.frame() <= r.frames(), "frame numbers increase");
                lastFrame = d.frame();
                assertTrue(d.nanos() >= 0 && d.nanos() < 1_000_000_000, "nanos " + d.nanos());
                assertTrue(d.srcPort() >= 0 && d.srcPort() <= 0xFFFF && d.dstPort() >= 0 && d.dstPort() <= 0xFFFF);
                assertTrue(d.payload().length <= file.length, "payload within the file");
                assertEquals(d.src().getAddress().length, d.dst().getAddress().length, "one address family");
            }
        } catch (IOException e) {
            assertOneLine(e);
        }
    }

    private static void assertOneLine(IOException e) {
        String m = e.getMessage();
        assertNotNull(m);
        assertTrue(m.startsWith(NAME + ": "), m);
        assertFalse(m.contains("\n"), m);
    }
}
