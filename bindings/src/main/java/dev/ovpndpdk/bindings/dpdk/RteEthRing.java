package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code rte_eth_ring.h}: an ethdev over {@link RteRing}s the caller owns ({@code net_ring},
 * {@code librte_net_ring.so.23}), for tests and benchmarks that drive the real ports with no
 * kernel and no NIC: {@code rte_eth_rx_burst} dequeues mbufs from the RX ring the caller fills,
 * {@code rte_eth_tx_burst} enqueues them on the TX ring the caller drains.
 *
 * <p>The function lives in the driver, not in the libraries {@link Dpdk} loads: it is looked up
 * on first use, after {@code rte_eal_init} has loaded the driver as a plugin (the soname resolves
 * to the same file, so it is the same loaded library, not a second copy).
 */
// Looking up a library and linking a downcall are restricted operations.
@SuppressWarnings("restricted")
public final class RteEthRing {
    public static final String LIBRARY = "librte_net_ring.so.23";

    private static MethodHandle fromRings;

    private RteEthRing() {
    }

    private static synchronized MethodHandle fromRings() {
        if (fromRings == null) {
            Dpdk.requireAvailable();
            MemorySegment f = SymbolLookup.libraryLookup(LIBRARY, Arena.global()).find("rte_eth_from_rings")
                    .orElseThrow(() -> new IllegalStateException(LIBRARY + " has no rte_eth_from_rings"));
            fromRings = Dpdk.LINKER.downcallHandle(f,
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        }
        return fromRings;
    }

    /**
     * {@code int rte_eth_from_rings(name, rx_queues[], nb_rx, tx_queues[], nb_tx, numa_node)}:
     * a new ethdev named {@code name} whose RX queue i is {@code rxRings[i]} and TX queue i
     * {@code txRings[i]}.
     *
     * @return the port id, or -1 with {@code rte_errno} set
     * @throws IllegalArgumentException when the driver library cannot be loaded (not installed)
     */
    public static int rte_eth_from_rings(String name, long[] rxRings, long[] txRings, int numaNode) {
        MethodHandle h = fromRings();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rx = a.allocateFrom(JAVA_LONG, rxRings);
            MemorySegment tx = a.allocateFrom(JAVA_LONG, txRings);
            return (int) h.invokeExact(a.allocateFrom(name), rx, rxRings.length, tx, txRings.length, numaNode);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}
