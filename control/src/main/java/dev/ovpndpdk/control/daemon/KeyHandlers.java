package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.ErrnoException;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * NEW_KEY, SWAP_KEYS, DEL_KEY and GET_KEY (docs/control-protocol.md; Linux KEY_* commands,
 * spec §5.1, §5.4). Key bytes pass through here once: every copy this class makes, on the
 * heap and in native memory, is zeroed before the request returns, and GET_KEY never
 * returns any.
 */
final class KeyHandlers {
    private final Engine engine;

    KeyHandlers(Engine engine) {
        this.engine = engine;
    }

    Message newKey(Message request) throws ErrnoException {
        int peer = Handlers.peerId(request);
        KeySlots.Slot slot = slot(request);
        int keyId = (int) request.u64(FieldNames.KEY_ID, FieldNames.KEY_ID_MAX);
        CipherAlg alg = cipher(request.string(FieldNames.CIPHER));
        Fields encrypt = request.nested(FieldNames.ENCRYPT);
        Fields decrypt = request.nested(FieldNames.DECRYPT);
        byte[][] secrets = new byte[4][];
        try (Arena arena = Arena.ofConfined()) {
            secrets[0] = encrypt.bytes(FieldNames.KEY, alg.keyLength());
            secrets[1] = encrypt.bytes(FieldNames.NONCE_TAIL, FieldNames.NONCE_TAIL_BYTES);
            secrets[2] = decrypt.bytes(FieldNames.KEY, alg.keyLength());
            secrets[3] = decrypt.bytes(FieldNames.NONCE_TAIL, FieldNames.NONCE_TAIL_BYTES);
            MemorySegment[] segments = new MemorySegment[4];
            for (int i = 0; i < 4; i++) {
                segments[i] = arena.allocateFrom(ValueLayout.JAVA_BYTE, secrets[i]);
            }
            try {
                engine.newKey(peer, slot, keyId, alg, segments[0], segments[1], segments[2], segments[3]);
            } finally {
                for (MemorySegment s : segments) {
                    s.fill((byte) 0);
                }
            }
        } finally {
            for (byte[] s : secrets) {
                if (s != null) {
                    Arrays.fill(s, (byte) 0);
                }
            }
        }
        return Message.replyTo(request).build();
    }

    Message swap(Message request) throws ErrnoException {
        engine.swapKeys(Handlers.peerId(request));
        return Message.replyTo(request).build();
    }

    /** Emptying an empty slot succeeds (protocol doc), like deleting a file that is gone. */
    Message delete(Message request) throws ErrnoException {
        int peer = Handlers.peerId(request);
        KeySlots.Slot slot = slot(request);
        if (engine.peer(peer).keys().get(slot) != null) {
            engine.delKey(peer, slot);
        }
        return Message.replyTo(request).build();
    }

    Message get(Message request) throws ErrnoException {
        int peer = Handlers.peerId(request);
        KeySlots.Slot slot = slot(request);
        KeySlot k = engine.key(peer, slot);
        return Message.replyTo(request)
                .u64(FieldNames.PEER_ID, peer)
                .u64(FieldNames.SLOT, slot.ordinal())
                .u64(FieldNames.KEY_ID, k.keyId())
                .string(FieldNames.CIPHER, k.alg().openvpnName())
                // The last id sent: the next one less one, 0 before the first packet.
                .u64(FieldNames.TX_PACKET_ID, Math.max(0, k.peekNextTxPacketId() - 1))
                .u64(FieldNames.AEAD_USAGE, k.aeadUsage())
                .u64(FieldNames.FAILED_VERIFICATIONS, k.failedVerifications())
                .build();
    }

    private static KeySlots.Slot slot(Message request) throws ErrnoException {
        return request.u64(FieldNames.SLOT, FieldNames.SLOT_SECONDARY) == FieldNames.SLOT_PRIMARY
                ? KeySlots.Slot.PRIMARY : KeySlots.Slot.SECONDARY;
    }

    /** ENOTSUP for a cipher we do not have, "none" included, as Linux answers (spec §5.4). */
    private CipherAlg cipher(String name) throws ErrnoException {
        CipherAlg alg;
        try {
            alg = CipherAlg.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ErrnoException(Errno.ENOTSUP, e.getMessage());
        }
        if (!engine.crypto().supports(alg)) {
            throw new ErrnoException(Errno.ENOTSUP, "cipher " + alg + " is not supported by "
                    + engine.crypto().describe());
        }
        return alg;
    }
}
