package dev.ovpndpdk.bench;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.aesni.JdkAeadEngine;
import dev.ovpndpdk.bindings.ipsecmb.ImbContexts;
import dev.ovpndpdk.bindings.ipsecmb.ImbJob;
import dev.ovpndpdk.bindings.ipsecmb.IpsecMb;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One packet's AEAD, sealed and opened in place on native memory laid out as the data
 * channel's P_DATA_V2 (8 bytes AAD, 16 bytes tag, then the payload), with a new nonce each
 * time. {@code seal}/{@code open} go through the crypto SPI ({@code engine} = aesni or jdk);
 * {@code directIpsecMb*} call the same intel-ipsec-mb function pointers on the same buffers
 * with nothing in between: the reference the SPI's overhead is measured against.
 *
 * <p>An open needs an authentic packet, and opening in place destroys it, so each open first
 * copies one of {@value #RING} sealed packets (each with its own nonce) into the work buffer;
 * both paths pay that copy (24 + size bytes, from L1).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CryptoBench {

    static final int AAD = 8;
    static final int TAG = CipherAlg.TAG_LENGTH;
    static final int DATA = AAD + TAG;
    static final int RING = 16;
    /** All of native memory: the direct path reads the tags by address, unchecked. */
    static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** What is encrypted; shared by both paths so they see the same bytes. */
    @State(Scope.Thread)
    public static class Workload {
        @Param({"AES_128_GCM", "AES_256_GCM", "CHACHA20_POLY1305"})
        public String cipher;

        @Param({"64", "512", "1424"})
        public int size;

        CipherAlg alg;
        byte[] key;
        byte[] packet;

        @Setup
        public void setup() {
            alg = CipherAlg.valueOf(cipher);
            Random r = new Random(1);
            key = new byte[alg.keyLength()];
            packet = new byte[DATA + size];
            r.nextBytes(key);
            r.nextBytes(packet);
        }
    }

    /** Buffers common to both paths: the work buffer and the ring of sealed packets. */
    abstract static class Buffers {
        final Arena arena = Arena.ofShared();
        MemorySegment buf;
        MemorySegment ring;
        long stride;
        int size;
        int packetId = RING;
        int next;
        long failures;

        void allocate(Workload w) {
            size = w.size;
            stride = (DATA + size + 63) & ~63L;
            buf = arena.allocate(stride, 64);
            ring = arena.allocate(stride * RING, 64);
            for (int i = 0; i < RING; i++) {
                MemorySegment slot = ring.asSlice(i * stride, stride);
                MemorySegment.copy(w.packet, 0, slot, JAVA_BYTE, 0, w.packet.length);
                nonce().set(JAVA_INT, 0, i + 1);
                sealAt(slot);
            }
            MemorySegment.copy(w.packet, 0, buf, JAVA_BYTE, 0, w.packet.length);
        }

        abstract MemorySegment nonce();

        abstract void sealAt(MemorySegment packet);

        /** Puts sealed packet {@code i} into the work buffer and its nonce into the nonce buffer. */
        final void restore(int i) {
            MemorySegment.copy(ring, i * stride, buf, 0, stride);
            nonce().set(JAVA_INT, 0, i + 1);
        }

        @TearDown(Level.Iteration)
        public void checkOpens() {
            if (failures != 0) {
                throw new IllegalStateException(failures + " opens failed authentication");
            }
        }
    }

    /** The crypto SPI, as the data plane calls it. */
    @State(Scope.Thread)
    public static class Spi extends Buffers {
        @Param({"aesni", "jdk"})
        public String engine;

        AeadKey key;
        AeadScratch scratch;
        MemorySegment nonce;

        @Setup
        public void setup(Workload w) {
            AeadEngine e = engine.equals("aesni") ? IpsecMbEngine.create() : new JdkAeadEngine();
            scratch = e.newScratch();
            nonce = scratch.nonce();
            try (Arena tmp = Arena.ofConfined()) {
                key = e.newKey(w.alg, tmp.allocateFrom(JAVA_BYTE, w.key));
            }
            allocate(w);
        }

        @Override
        MemorySegment nonce() {
            return nonce;
        }

        @Override
        void sealAt(MemorySegment p) {
            key.seal(scratch, p, 0, AAD, AAD, DATA, size);
        }

        @TearDown
        public void close() {
            key.close();
            scratch.close();
            arena.close();
        }
    }

    /** Raw intel-ipsec-mb: the same function pointers the engine calls, no checks, no SPI. */
    @State(Scope.Thread)
    public static class Direct extends Buffers {
        CipherAlg alg;
        MemorySegment keyData;
        MemorySegment block; // nonce at 0, computed tag at 16, gcm_context_data at 64
        MemorySegment manager;
        long keyAddr;
        long nonceAddr;
        long tagAddr;
        long ctxAddr;
        long mgr;

        @Setup
        public void setup(Workload w) {
            if (!IpsecMb.isAvailable()) {
                throw new IllegalStateException(IpsecMb.unavailableReason());
            }
            alg = w.alg;
            keyData = arena.allocate(ImbContexts.GCM_KEY_DATA_SIZE, 64);
            block = arena.allocate(64 + ImbContexts.GCM_CONTEXT_DATA_SIZE, 64);
            MemorySegment raw = arena.allocate(32, 64).copyFrom(MemorySegment.ofArray(w.key));
            switch (alg) {
                case AES_128_GCM -> IpsecMb.gcm128_pre(raw.address(), keyData.address());
                case AES_192_GCM -> IpsecMb.gcm192_pre(raw.address(), keyData.address());
                case AES_256_GCM -> IpsecMb.gcm256_pre(raw.address(), keyData.address());
                case CHACHA20_POLY1305 -> keyData.copyFrom(raw);
            }
            manager = IpsecMb.newManager();
            mgr = manager.address();
            keyAddr = keyData.address();
            nonceAddr = block.address();
            tagAddr = block.address() + 16;
            ctxAddr = block.address() + 64;
            allocate(w);
            raw.fill((byte) 0);
        }

        @Override
        MemorySegment nonce() {
            return block;
        }

        @Override
        void sealAt(MemorySegment p) {
            seal(p.address());
        }

        void seal(long base) {
            long data = base + DATA;
            long tag = base + AAD;
            switch (alg) {
                case AES_128_GCM -> IpsecMb.gcm128_enc(keyAddr, ctxAddr, data, data, size, nonceAddr, base, AAD, tag, TAG);
                case AES_192_GCM -> IpsecMb.gcm192_enc(keyAddr, ctxAddr, data, data, size, nonceAddr, base, AAD, tag, TAG);
                case AES_256_GCM -> IpsecMb.gcm256_enc(keyAddr, ctxAddr, data, data, size, nonceAddr, base, AAD, tag, TAG);
                case CHACHA20_POLY1305 -> chachaPoly(true, data, base, tag);
            }
        }

        boolean open(long base) {
            long data = base + DATA;
            switch (alg) {
                case AES_128_GCM -> IpsecMb.gcm128_dec(keyAddr, ctxAddr, data, data, size, nonceAddr, base, AAD, tagAddr, TAG);
                case AES_192_GCM -> IpsecMb.gcm192_dec(keyAddr, ctxAddr, data, data, size, nonceAddr, base, AAD, tagAddr, TAG);
                case AES_256_GCM -> IpsecMb.gcm256_dec(keyAddr, ctxAddr, data, data, size, nonceAddr, base, AAD, tagAddr, TAG);
                case CHACHA20_POLY1305 -> chachaPoly(false, data, base, tagAddr);
            }
            long tag = base + AAD;
            long diff = (NATIVE.get(JAVA_LONG_UNALIGNED, tag) ^ NATIVE.get(JAVA_LONG, tagAddr))
                    | (NATIVE.get(JAVA_LONG_UNALIGNED, tag + 8) ^ NATIVE.get(JAVA_LONG, tagAddr + 8));
            return diff == 0;
        }

        private void chachaPoly(boolean encrypt, long data, long aad, long tag) {
            long job = IpsecMb.get_next_job(mgr);
            ImbJob.fillChachaPoly(manager, job, encrypt, keyAddr, data, size, nonceAddr, aad, AAD, tag);
            long done = IpsecMb.submit_job(mgr);
            if (done == 0) {
                done = IpsecMb.flush_job(mgr);
            }
            if (done == 0 || ImbJob.status(manager, done) != ImbJob.IMB_STATUS_COMPLETED) {
                throw new IllegalStateException("ChaCha20-Poly1305 job failed");
            }
        }

        @TearDown
        public void close() {
            block.fill((byte) 0);
            keyData.fill((byte) 0);
            IpsecMb.freeManager(manager);
            arena.close();
        }
    }

    @Benchmark
    public void seal(Spi s) {
        s.nonce.set(JAVA_INT, 0, ++s.packetId);
        s.key.seal(s.scratch, s.buf, 0, AAD, AAD, DATA, s.size);
    }

    @Benchmark
    public boolean open(Spi s) {
        s.restore(s.next++ & (RING - 1));
        boolean ok = s.key.open(s.scratch, s.buf, 0, AAD, AAD, DATA, s.size);
        if (!ok) {
            s.failures++;
        }
        return ok;
    }

    @Benchmark
    public void directIpsecMbSeal(Direct d) {
        d.block.set(JAVA_INT, 0, ++d.packetId);
        d.seal(d.buf.address());
    }

    @Benchmark
    public boolean directIpsecMbOpen(Direct d) {
        d.restore(d.next++ & (RING - 1));
        boolean ok = d.open(d.buf.address());
        if (!ok) {
            d.failures++;
        }
        return ok;
    }
}
