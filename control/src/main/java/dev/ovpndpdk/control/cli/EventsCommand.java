package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ovpn-dpdk events}: subscribes and prints every notification, one line each, as it
 * comes — the listener of Linux's selftests ({@code ovpn-cli listen_mcast}, the ynl
 * subscriber), whose output a test compares with what it expects.
 */
@picocli.CommandLine.Command(name = "events", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the daemon's notifications, one per line: peer_deleted, peer_float, key_rotate.",
                "Ends after --count events or --timeout seconds, whichever comes first (default: never). "
                        + "Exit status 1 if --timeout ends it before --count events arrived."})
public final class EventsCommand extends ControlCommand {
    private static final Logger LOG = Logger.getLogger(EventsCommand.class.getName());

    @Mixin
    ControlSocketOption control;

    @Option(names = "--json", description = "One JSON object per event: \"event\", \"sequence\", then its fields.")
    boolean json;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N events.")
    long count;

    @Option(names = "--timeout", paramLabel = "SEC", description = "Exit after SEC seconds.")
    Double timeout;

    @Override
    void run(ControlClient client) throws IOException {
        client.call(Command.SUBSCRIBE, Fields.empty());
        // On stderr, so that a script can wait for it before it makes something happen.
        LOG.info(() -> "subscribed to " + client.path());
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + (long) (timeout * 1e9);
        long seen = 0;
        while (count == 0 || seen < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (count > 0) {
                    throw new IOException("timeout after " + timeout + " s: " + seen + " of " + count + " events");
                }
                return;
            }
            Optional<Message> n = client.nextNotification(Duration.ofNanos(Math.min(left, 1_000_000_000L)));
            if (n.isPresent()) {
                out().println(format(n.get()));
                out().flush();
                seen++;
            }
        }
    }

    private String format(Message n) {
        if (!json) {
            return Text.event(n);
        }
        return Json.object().put("event", Text.eventName(n)).put("sequence", n.sequence())
                .putAll(n.fields()).toString();
    }
}
