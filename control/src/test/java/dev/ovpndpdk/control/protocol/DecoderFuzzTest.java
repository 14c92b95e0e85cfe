package dev.ovpndpdk.control.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds the decoder more than a million random and mutated datagrams. It must answer each
 * with a message or a MalformedMessageException carrying an errno and a text — never another
 * exception, never a hang — and whatever it accepts must survive re-encoding. The seed is
 * fixed, so a failure reproduces; the timeout is a hang guard, not a benchmark.
 */
class DecoderFuzzTest {
    private static final int ROUNDS = 1_100_000;
    private static final int[] INTERESTING_U32 = {
        0, 1, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, -8};

    private final MessageCodec codec = new MessageCodec();
    private final MessageCodec shallow = new MessageCodec(4096, 1);

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noInputMakesTheDecoderThrowAnythingElse() {
        List<byte[]> seeds = Samples.all().stream().map(codec::encode).toList();
        byte[] bigSeed = codec.encode(Samples.peerDump(Message.request(Command.GET_PEER, 1).build(), 100));
        SplittableRandom rnd = new SplittableRandom(0x0F5E_ED_2024L);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] input = switch (i % 8) {
                case 0 -> random(rnd);
                case 1 -> randomPayload(rnd);
                case 7 -> (i & 0x3F) == 7 ? mutate(rnd, bigSeed.clone(), 1 + rnd.nextInt(4))
                        : mutate(rnd, seeds.get(rnd.nextInt(seeds.size())).clone(), 1 + rnd.nextInt(6));
                default -> mutate(rnd, seeds.get(rnd.nextInt(seeds.size())).clone(), 1 + rnd.nextInt(6));
            };
            MessageCodec c = (i & 0xFF) == 0 ? shallow : codec;
            try {
                Message m = c.decode(input);
                accepted++;
                // Anything accepted re-encodes to something that decodes to the same message
                // (unknown-type fields are dropped on the first decode, so compare messages).
                assertEquals(m, c.decode(c.encode(m)));
            } catch (MalformedMessageException e) {
                refused++;
                assertNotNull(e.getMessage());
                assertTrue(e.errno() == Errno.EINVAL || e.errno() == Errno.E2BIG
                        || e.errno() == Errno.EPROTONOSUPPORT, "errno " + e.errno());
                Message.errorReplyTo(e); // the server can always answer
            } catch (RuntimeException e) {
                fail("round " + i + " input " + java.util.HexFormat.of().formatHex(input), e);
            }
        }
        System.out.printf("fuzz: %d accepted, %d refused%n", accepted, refused);
        assertEquals(ROUNDS, accepted + refused);
        // The mutations must reach past the header check often enough to mean something.
        assertTrue(accepted > ROUNDS / 100, "accepted " + accepted);
        assertTrue(refused > ROUNDS / 2, "refused " + refused);
    }

    private static byte[] random(SplittableRandom rnd) {
        byte[] b = new byte[rnd.nextInt(rnd.nextInt(8) == 0 ? 2048 : 64)];
        rnd.nextBytes(b);
        return b;
    }

    /** A correct header around random bytes: exercises the field parser, not the magic check. */
    private static byte[] randomPayload(SplittableRandom rnd) {
        byte[] payload = new byte[rnd.nextInt(200)];
        rnd.nextBytes(payload);
        // Bias towards small types and short names so that some fields parse.
        for (int j = 0; j + 1 < payload.length; j += 1 + rnd.nextInt(12)) {
            payload[j] = (byte) rnd.nextInt(7);
        }
        return Raw.message(MessageCodec.MAGIC, 1, 1 + rnd.nextInt(3), rnd.nextInt(20), rnd.nextInt(),
                payload.length, payload);
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] b, int count) {
        for (int k = 0; k < count; k++) {
            if (b.length == 0) {
                return b;
            }
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(9)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[at] = (byte) rnd.nextInt(256);
                case 2 -> b[at] = (byte) (new int[] {0, 1, 0x3F, 0x40, 0x7F, 0x80, 0xFF})[rnd.nextInt(7)];
                case 3 -> {
                    if (at + 4 <= b.length) {
                        ByteBuffer.wrap(b).putInt(at, INTERESTING_U32[rnd.nextInt(INTERESTING_U32.length)]);
                    }
                }
                case 4 -> b = Arrays.copyOf(b, at); // truncate
                case 5 -> { // grow with garbage
                    int n = b.length;
                    b = Arrays.copyOf(b, n + 1 + rnd.nextInt(32));
                    for (int j = n; j < b.length; j++) {
                        b[j] = (byte) rnd.nextInt(256);
                    }
                }
                case 6 -> { // duplicate a slice (fields repeated, lengths off)
                    int len = rnd.nextInt(Math.min(64, b.length - at) + 1);
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                case 7 -> { // delete a slice
                    int len = rnd.nextInt(Math.min(32, b.length - at) + 1);
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
                default -> { // keep the header's payload length consistent so the fields get parsed
                    if (b.length >= 16) {
                        ByteBuffer.wrap(b).putInt(12, b.length - 16);
                    }
                }
            }
        }
        if (rnd.nextInt(3) > 0 && b.length >= 16) {
            ByteBuffer.wrap(b).putInt(12, b.length - 16);
        }
        return b;
    }
}
