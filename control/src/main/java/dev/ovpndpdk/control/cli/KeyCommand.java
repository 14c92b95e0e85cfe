package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.Role;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ovpn-dpdk key new|swap|del|get}: NEW_KEY, SWAP_KEYS, DEL_KEY, GET_KEY. {@code key new}
 * takes an OpenVPN 256-byte key block (spec §2.1) and the role, and sends the two directions
 * the role implies (spec §2.2: the client encrypts with keys[0], the server with keys[1]),
 * so both ends can be fed the same file. Nothing here ever prints key bytes.
 */
@picocli.CommandLine.Command(name = "key",
        description = "Install, swap, remove or describe a peer's data-channel keys.",
        mixinStandardHelpOptions = true,
        synopsisSubcommandLabel = "new|swap|del|get",
        subcommands = {KeyCommand.New.class, KeyCommand.Swap.class, KeyCommand.Del.class, KeyCommand.Get.class})
public final class KeyCommand implements Runnable {
    @Mixin
    ControlSocketOption control;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: new, swap, del or get");
    }

    /** {@code primary} (0, encrypts) or {@code secondary} (1). */
    static final class SlotConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "primary" -> FieldNames.SLOT_PRIMARY;
                case "secondary" -> FieldNames.SLOT_SECONDARY;
                default -> throw new IllegalArgumentException("'" + s + "' is not a slot (primary or secondary)");
            };
        }
    }

    @picocli.CommandLine.Command(name = "new", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Install a key into a slot (NEW_KEY), replacing what was there.")
    static final class New extends ControlCommand {
        @Option(names = "--peer", required = true, paramLabel = "N", description = "The peer.")
        int peer;

        @Option(names = "--slot", required = true, paramLabel = "primary|secondary", converter = SlotConverter.class,
                description = "primary encrypts; both decrypt, by key-id.")
        long slot;

        @Option(names = "--key-id", required = true, paramLabel = "K", description = "Key-id 0..7 of the opcode byte.")
        int keyId;

        @Option(names = "--cipher", required = true, paramLabel = "CIPHER",
                description = "AES-128-GCM, AES-192-GCM, AES-256-GCM or CHACHA20-POLY1305.")
        String cipher;

        @Option(names = "--key-material", required = true, paramLabel = "FILE",
                description = "A 256-byte OpenVPN key block: hex, base64 or an OpenVPN static key file.")
        Path file;

        @Option(names = "--role", required = true, paramLabel = "client|server",
                description = "Which end we are: decides which half of the block encrypts.")
        String role;

        @Override
        void run(ControlClient client) throws IOException {
            CipherAlg alg = CipherAlg.parse(cipher);
            Role r = Role.parse(role);
            byte[][] secrets = new byte[4][];
            try (KeyMaterial km = KeyMaterial.readOne(file)) {
                secrets[0] = km.cipherKey(r.encryptIndex(), alg).toArray(ValueLayout.JAVA_BYTE);
                secrets[1] = km.nonceTail(r.encryptIndex()).toArray(ValueLayout.JAVA_BYTE);
                secrets[2] = km.cipherKey(r.decryptIndex(), alg).toArray(ValueLayout.JAVA_BYTE);
                secrets[3] = km.nonceTail(r.decryptIndex()).toArray(ValueLayout.JAVA_BYTE);
                client.call(Command.NEW_KEY, Fields.builder()
                        .u64(FieldNames.PEER_ID, peer)
                        .u64(FieldNames.SLOT, slot)
                        .u64(FieldNames.KEY_ID, keyId)
                        .string(FieldNames.CIPHER, alg.openvpnName())
                        .nested(FieldNames.ENCRYPT, direction(secrets[0], secrets[1]))
                        .nested(FieldNames.DECRYPT, direction(secrets[2], secrets[3]))
                        .build());
            } finally {
                for (byte[] s : secrets) {
                    if (s != null) {
                        Arrays.fill(s, (byte) 0);
                    }
                }
            }
        }

        private static Fields direction(byte[] key, byte[] nonceTail) {
            return Fields.builder().bytes(FieldNames.KEY, key).bytes(FieldNames.NONCE_TAIL, nonceTail).build();
        }
    }

    @picocli.CommandLine.Command(name = "swap", mixinStandardHelpOptions = true,
            description = "Exchange primary and secondary (SWAP_KEYS).")
    static final class Swap extends ControlCommand {
        @Option(names = "--peer", required = true, paramLabel = "N", description = "The peer.")
        int peer;

        @Override
        void run(ControlClient client) throws IOException {
            client.call(Command.SWAP_KEYS, Fields.builder().u64(FieldNames.PEER_ID, peer).build());
        }
    }

    @picocli.CommandLine.Command(name = "del", mixinStandardHelpOptions = true,
            description = "Empty a slot (DEL_KEY); its key is zeroed once no worker can use it.")
    static final class Del extends ControlCommand {
        @Option(names = "--peer", required = true, paramLabel = "N", description = "The peer.")
        int peer;

        @Option(names = "--slot", required = true, paramLabel = "primary|secondary", converter = SlotConverter.class,
                description = "The slot to empty.")
        long slot;

        @Override
        void run(ControlClient client) throws IOException {
            client.call(Command.DEL_KEY, Fields.builder().u64(FieldNames.PEER_ID, peer).u64(FieldNames.SLOT, slot).build());
        }
    }

    @picocli.CommandLine.Command(name = "get", mixinStandardHelpOptions = true,
            description = "Describe the key in a slot (GET_KEY): key-id, cipher, last TX packet-id. Never key bytes.")
    static final class Get extends ControlCommand {
        @Option(names = "--peer", required = true, paramLabel = "N", description = "The peer.")
        int peer;

        @Option(names = "--slot", required = true, paramLabel = "primary|secondary", converter = SlotConverter.class,
                description = "The slot.")
        long slot;

        @Option(names = "--json", description = "One JSON object.")
        boolean json;

        @Override
        void run(ControlClient client) throws IOException {
            Message reply = client.call(Command.GET_KEY,
                    Fields.builder().u64(FieldNames.PEER_ID, peer).u64(FieldNames.SLOT, slot).build());
            Fields f = results(reply);
            out().println(json ? Json.object().putAll(f).toString() : Text.key(f));
        }
    }
}
