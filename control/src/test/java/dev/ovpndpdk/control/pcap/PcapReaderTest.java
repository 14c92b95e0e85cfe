package dev.ovpndpdk.control.pcap;

import static dev.ovpndpdk.control.pcap.TestPcaps.V4_CLIENT;
import static dev.ovpndpdk.control.pcap.TestPcaps.V4_SERVER;
import static dev.ovpndpdk.control.pcap.TestPcaps.ipv4Udp;
import static dev.ovpndpdk.control.pcap.TestPcaps.ipv6Udp;
import static dev.ovpndpdk.control.pcap.TestPcaps.pcap;
import static dev.ovpndpdk.control.pcap.TestPcaps.v6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class PcapReaderTest {
    private static final byte[] PAYLOAD = "\u0048hello openvpn".getBytes(StandardCharsets.US_ASCII);

    private static List<UdpDatagram> readAll(byte[] file) throws IOException {
        List<UdpDatagram> out = new ArrayList<>();
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(file), "test.pcap")) {
            for (UdpDatagram d = r.nextUdp(); d != null; d = r.nextUdp()) {
                out.add(d);
            }
        }
        return out;
    }

    private static UdpDatagram only(byte[] file) throws IOException {
        List<UdpDatagram> all = readAll(file);
        assertEquals(1, all.size(), "datagrams");
        return all.get(0);
    }

    private static IOException readError(byte[] file) {
        return assertThrows(IOException.class, () -> readAll(file));
    }

    @Test
    void ethernetWithStackedVlanTagsAndPaddingYieldsTheUdpPayload() throws IOException {
        byte[] ip = ipv4Udp(V4_CLIENT, 40229, V4_SERVER, 1194, new byte[] {0x48, 1, 2});
        byte[] frame = TestPcaps.ethernet(new int[][] {{0x88A8, 100}, {0x8100, 200}}, 0x0800, ip);
        byte[] padded = Arrays.copyOf(frame, 64); // Ethernet minimum size plus FCS-like junk
        Arrays.fill(padded, frame.length, padded.length, (byte) 0xEE);
        UdpDatagram d = only(pcap(1, ByteOrder.LITTLE_ENDIAN, false, List.of(padded)));
        assertArrayEquals(new byte[] {0x48, 1, 2}, d.payload(), "padding after the IP packet is not payload");
        assertEquals(InetAddress.getByAddress(V4_CLIENT), d.src());
        assertEquals(40229, d.srcPort());
        assertEquals(InetAddress.getByAddress(V4_SERVER), d.dst());
        assertEquals(1194, d.dstPort());
        assertEquals(1, d.frame());
        assertFalse(d.truncated());
    }

    @Test
    void linuxCookedCapturesV1AndV2YieldUdp() throws IOException {
        byte[] v4 = ipv4Udp(V4_SERVER, 1194, V4_CLIENT, 5000, PAYLOAD);
        byte[] v6 = ipv6Udp(v6(1), 1194, v6(2), 5001, PAYLOAD, 17);
        UdpDatagram a = only(pcap(113, ByteOrder.LITTLE_ENDIAN, false, List.of(TestPcaps.sll(0x0800, v4))));
        assertEquals(5000, a.dstPort());
        assertArrayEquals(PAYLOAD, a.payload());
        UdpDatagram b = only(pcap(276, ByteOrder.LITTLE_ENDIAN, false, List.of(TestPcaps.sll2(0x86DD, v6))));
        assertEquals(InetAddress.getByAddress(v6(2)), b.dst());
        assertEquals(5001, b.dstPort());
        assertArrayEquals(PAYLOAD, b.payload());
    }

    @Test
    void rawIpv6SkipsExtensionHeadersToTheUdpHeader() throws IOException {
        byte[] hopByHop = {60, 0, 1, 4, 0, 0, 0, 0};   // next: destination options; PadN
        byte[] destOpts = {17, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // 16 bytes, next: UDP
        byte[] ip = ipv6Udp(v6(1), 1194, v6(2), 7, PAYLOAD, 0, hopByHop, destOpts);
        for (int linkType : new int[] {101, 12, 14, 229}) {
            UdpDatagram d = only(pcap(linkType, ByteOrder.LITTLE_ENDIAN, false, List.of(ip)));
            assertEquals(1194, d.srcPort(), "link type " + linkType);
            assertArrayEquals(PAYLOAD, d.payload(), "link type " + linkType);
        }
    }

    @Test
    void ipv6FirstFragmentIsTruncatedAndLaterFragmentsAreSkipped() throws IOException {
        byte[] first = ipv6Udp(v6(1), 1194, v6(2), 7, PAYLOAD, 44, new byte[] {17, 0, 0, 1, 0, 0, 0, 9});
        byte[] later = ipv6Udp(v6(1), 1194, v6(2), 7, PAYLOAD, 44, new byte[] {17, 0, 0, (byte) 0xB9, 0, 0, 0, 9});
        List<UdpDatagram> all = readAll(pcap(101, ByteOrder.LITTLE_ENDIAN, false, List.of(first, later)));
        assertEquals(1, all.size());
        assertTrue(all.get(0).truncated(), "a first fragment holds only part of the datagram");
    }

    @Test
    void ipv4NonFirstFragmentsAndOtherProtocolsAreSkipped() throws IOException {
        byte[] fragment = ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, PAYLOAD);
        fragment[6] = 0x00;
        fragment[7] = 0x10; // fragment offset 16 * 8
        byte[] tcp = ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, PAYLOAD);
        tcp[9] = 6;
        byte[] arp = TestPcaps.ethernet(new int[0][], 0x0806, new byte[28]);
        byte[] good = ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, PAYLOAD);
        byte[] firstFragment = ipv4Udp(V4_CLIENT, 1, V4_SERVER, 3, PAYLOAD);
        firstFragment[6] = 0x20; // more fragments, offset 0
        List<byte[]> frames = new ArrayList<>();
        for (byte[] ip : List.of(fragment, tcp, good, firstFragment)) {
            frames.add(TestPcaps.ethernet(new int[0][], 0x0800, ip));
        }
        frames.add(1, arp);
        List<UdpDatagram> all = readAll(pcap(1, ByteOrder.LITTLE_ENDIAN, false, frames));
        assertEquals(2, all.size());
        assertEquals(4, all.get(0).frame(), "frame numbers count every record, skipped ones too");
        assertFalse(all.get(0).truncated());
        assertTrue(all.get(1).truncated());
    }

    @Test
    void snapshotLengthCutMarksTheDatagramTruncated() throws IOException {
        byte[] ip = ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, new byte[100]);
        UdpDatagram d = only(pcap(101, ByteOrder.LITTLE_ENDIAN, false, List.of(Arrays.copyOf(ip, 60))));
        assertTrue(d.truncated());
        assertEquals(60 - 28, d.payload().length);
    }

    @Test
    void nullLoopbackAcceptsTheFamilyInEitherByteOrder() throws IOException {
        byte[] v4 = TestPcaps.loopback(2, ByteOrder.LITTLE_ENDIAN, ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, PAYLOAD));
        byte[] v6 = TestPcaps.loopback(30, ByteOrder.BIG_ENDIAN, ipv6Udp(v6(1), 3, v6(2), 4, PAYLOAD, 17));
        byte[] other = TestPcaps.loopback(7, ByteOrder.LITTLE_ENDIAN, ipv4Udp(V4_CLIENT, 5, V4_SERVER, 6, PAYLOAD));
        List<UdpDatagram> all = readAll(pcap(0, ByteOrder.LITTLE_ENDIAN, false, List.of(v4, v6, other)));
        assertEquals(2, all.size());
        assertEquals(2, all.get(0).dstPort());
        assertEquals(4, all.get(1).dstPort());
    }

    @Test
    void bigEndianNanosecondFilesKeepTheirTimestamps() throws IOException {
        byte[] ip = ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, PAYLOAD);
        byte[] file = pcap(101, ByteOrder.BIG_ENDIAN, true, List.of(ip, ip));
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(file), "t")) {
            assertTrue(r.nanosecond());
            r.nextUdp();
            UdpDatagram second = r.nextUdp();
            assertEquals(1_700_000_001L, second.seconds());
            assertEquals(1007, second.nanos());
        }
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(
                pcap(101, ByteOrder.LITTLE_ENDIAN, false, List.of(ip, ip))), "t")) {
            assertFalse(r.nanosecond());
            r.nextUdp();
            assertEquals(1_007_000, r.nextUdp().nanos(), "microseconds scaled to nanoseconds");
        }
    }

    @Test
    void writerOutputReadsBackRecordForRecord() throws IOException {
        List<byte[]> packets = List.of(ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, PAYLOAD),
                ipv6Udp(v6(1), 3, v6(2), 4, new byte[1300], 17));
        for (boolean nanos : new boolean[] {false, true}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (PcapWriter w = new PcapWriter(bytes, nanos)) {
                w.write(1_700_000_000L, 123_456_789, packets.get(0), 0, packets.get(0).length);
                w.write(1_700_000_001L, 5, packets.get(1), 0, packets.get(1).length);
                assertEquals(2, w.records());
            }
            try (PcapReader r = new PcapReader(new ByteArrayInputStream(bytes.toByteArray()), "rt")) {
                assertEquals(PcapWriter.LINKTYPE_RAW, r.linkType());
                assertEquals(nanos, r.nanosecond());
                PcapReader.Frame a = r.nextFrame();
                assertArrayEquals(packets.get(0), a.data());
                assertEquals(1_700_000_000L, a.seconds());
                assertEquals(nanos ? 123_456_789 : 123_456_000, a.nanos());
                PcapReader.Frame b = r.nextFrame();
                assertArrayEquals(packets.get(1), b.data());
                assertEquals(packets.get(1).length, b.originalLength());
                assertNull(r.nextFrame());
            }
            assertEquals(4, readAll(bytes.toByteArray()).get(1).dstPort());
        }
    }

    @Test
    void badMagicIsNotAPcapFile() {
        IOException e = readError("hello, this is text".getBytes(StandardCharsets.US_ASCII));
        assertEquals("test.pcap: not a pcap file (magic 0x68656c6c)", e.getMessage());
        assertTrue(readError(new byte[2]).getMessage().contains("not a pcap file (2 bytes"));
    }

    @Test
    void pcapngIsRefusedWithTheConversionCommand() {
        byte[] ng = {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x4d, 0x3c, 0x2b, 0x1a};
        assertEquals("test.pcap: pcapng is not supported, convert with editcap -F pcap", readError(ng).getMessage());
    }

    @Test
    void truncatedRecordsAreErrorsNamingRecordAndOffset() {
        byte[] ip = ipv4Udp(V4_CLIENT, 1, V4_SERVER, 2, PAYLOAD);
        byte[] file = pcap(101, ByteOrder.LITTLE_ENDIAN, false, List.of(ip, ip));
        int second = 24 + 16 + ip.length;
        assertEquals("test.pcap: truncated record 2 at offset " + second + " (" + (ip.length - 5) + " of "
                + ip.length + " bytes)", readError(Arrays.copyOf(file, file.length - 5)).getMessage());
        assertEquals("test.pcap: truncated record 2 at offset " + second + " (record header: 10 of 16 bytes)",
                readError(Arrays.copyOf(file, second + 10)).getMessage());
        assertTrue(readError(Arrays.copyOf(file, 20)).getMessage().contains("truncated pcap file header"));
    }

    @Test
    void unsupportedLinkTypeIsNamed() {
        IOException e = readError(pcap(105, ByteOrder.LITTLE_ENDIAN, false, List.of()));
        assertTrue(e.getMessage().startsWith("test.pcap: link type 105 is not supported"), e.getMessage());
    }
}
