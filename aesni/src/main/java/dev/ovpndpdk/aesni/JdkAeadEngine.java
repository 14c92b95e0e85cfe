package dev.ovpndpdk.aesni;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The portable fallback: {@code javax.crypto} AES/GCM and ChaCha20-Poly1305. About half the
 * speed of intel-ipsec-mb at MTU size and it allocates per packet (the JCE API does), so it
 * is chosen only where the library is missing or when asked for with {@code --crypto jdk}.
 *
 * <p>The JCE wants the tag appended to the ciphertext, while OpenVPN puts it in front
 * (spec §6 item 4), so each call copies the packet through a per-thread heap buffer as
 * {@code ciphertext ‖ tag}.
 */
public final class JdkAeadEngine implements AeadEngine {

    /** Largest data length one call handles: a 64 KiB datagram with room for the tag. */
    static final int MAX_DATA = 65536;

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public String describe() {
        return "JDK javax.crypto (" + System.getProperty("java.vendor") + " "
                + System.getProperty("java.version") + ")";
    }

    @Override
    public boolean supports(CipherAlg alg) {
        return true;
    }

    @Override
    public AeadKey newKey(CipherAlg alg, MemorySegment key) {
        if (key.byteSize() != alg.keyLength()) {
            throw new IllegalArgumentException(alg + " needs a " + alg.keyLength()
                    + "-byte key, got " + key.byteSize());
        }
        byte[] raw = key.toArray(ValueLayout.JAVA_BYTE);
        try {
            return new JdkKey(alg, new SecretKeySpec(raw, alg.isAesGcm() ? "AES" : "ChaCha20"));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    @Override
    public AeadScratch newScratch() {
        return new JdkScratch();
    }

    static final class JdkScratch implements AeadScratch {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment nonce = arena.allocate(CipherAlg.NONCE_LENGTH, 16);
        final byte[] nonceBytes = new byte[CipherAlg.NONCE_LENGTH];
        final byte[] aad = new byte[64];
        final byte[] work = new byte[MAX_DATA + CipherAlg.TAG_LENGTH];
        /** Encrypt and decrypt objects per cipher, created on first use by this thread. */
        final Cipher[] encrypt = new Cipher[CipherAlg.values().length];
        final Cipher[] decrypt = new Cipher[CipherAlg.values().length];

        @Override
        public MemorySegment nonce() {
            return nonce;
        }

        Cipher cipher(CipherAlg alg, boolean forEncrypt) throws GeneralSecurityException {
            Cipher[] set = forEncrypt ? encrypt : decrypt;
            Cipher c = set[alg.ordinal()];
            if (c == null) {
                c = Cipher.getInstance(alg.isAesGcm() ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
                set[alg.ordinal()] = c;
            }
            return c;
        }

        @Override
        public void close() {
            Arrays.fill(work, (byte) 0);
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }

    private static final class JdkKey implements AeadKey {
        private final CipherAlg alg;
        private volatile SecretKeySpec key;

        JdkKey(CipherAlg alg, SecretKeySpec key) {
            this.alg = alg;
            this.key = key;
        }

        @Override
        public CipherAlg alg() {
            return alg;
        }

        private java.security.spec.AlgorithmParameterSpec params(byte[] nonce) {
            return alg.isAesGcm() ? new GCMParameterSpec(CipherAlg.TAG_LENGTH * 8, nonce)
                    : new IvParameterSpec(nonce);
        }

        @Override
        public void seal(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen,
                         long tagOff, long dataOff, int dataLen) {
            JdkScratch s = (JdkScratch) scratch;
            checkLengths(aadLen, dataLen);
            MemorySegment.copy(s.nonce, ValueLayout.JAVA_BYTE, 0, s.nonceBytes, 0, CipherAlg.NONCE_LENGTH);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, aadOff, s.aad, 0, aadLen);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, dataOff, s.work, 0, dataLen);
            try {
                Cipher c = s.cipher(alg, true);
                initEncrypt(c, s.nonceBytes);
                c.updateAAD(s.aad, 0, aadLen);
                int n = c.doFinal(s.work, 0, dataLen, s.work, 0);
                assert n == dataLen + CipherAlg.TAG_LENGTH;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK " + alg + " encryption failed", e);
            }
            MemorySegment.copy(s.work, 0, buf, ValueLayout.JAVA_BYTE, dataOff, dataLen);
            MemorySegment.copy(s.work, dataLen, buf, ValueLayout.JAVA_BYTE, tagOff, CipherAlg.TAG_LENGTH);
        }

        /**
         * The JCE refuses to encrypt twice in a row with the same key and nonce. The data
         * plane never does (packet-ids are unique per key), but the offline tool re-encrypts
         * captured packets to prove byte-exactness, so step over the guard with a throwaway
         * nonce in that case only.
         */
        private void initEncrypt(Cipher c, byte[] nonce) throws GeneralSecurityException {
            try {
                c.init(Cipher.ENCRYPT_MODE, key, params(nonce));
            } catch (InvalidAlgorithmParameterException reuse) {
                byte[] other = nonce.clone();
                other[0] ^= 1;
                c.init(Cipher.ENCRYPT_MODE, key, params(other));
                c.init(Cipher.ENCRYPT_MODE, key, params(nonce));
            }
        }

        @Override
        public boolean open(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen,
                            long tagOff, long dataOff, int dataLen) {
            JdkScratch s = (JdkScratch) scratch;
            if (aadLen < 0 || aadLen > s.aad.length || dataLen < 0 || dataLen > MAX_DATA) {
                return false;
            }
            MemorySegment.copy(s.nonce, ValueLayout.JAVA_BYTE, 0, s.nonceBytes, 0, CipherAlg.NONCE_LENGTH);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, aadOff, s.aad, 0, aadLen);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, dataOff, s.work, 0, dataLen);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, tagOff, s.work, dataLen, CipherAlg.TAG_LENGTH);
            try {
                Cipher c = s.cipher(alg, false);
                c.init(Cipher.DECRYPT_MODE, key, params(s.nonceBytes));
                c.updateAAD(s.aad, 0, aadLen);
                c.doFinal(s.work, 0, dataLen + CipherAlg.TAG_LENGTH, s.work, 0);
            } catch (AEADBadTagException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK " + alg + " decryption failed", e);
            }
            MemorySegment.copy(s.work, 0, buf, ValueLayout.JAVA_BYTE, dataOff, dataLen);
            return true;
        }

        private static void checkLengths(int aadLen, int dataLen) {
            if (aadLen < 0 || aadLen > 64 || dataLen < 0 || dataLen > MAX_DATA) {
                throw new IllegalArgumentException("aad " + aadLen + " / data " + dataLen + " out of range");
            }
        }

        /**
         * Drops the key. The JCE keeps its own copies inside {@link SecretKeySpec} and the
         * cipher objects that we cannot reach to zero; this is one reason ipsec-mb, whose key
         * schedule we own, is the default (docs/crypto.md).
         */
        @Override
        public void close() {
            key = null;
        }
    }
}
