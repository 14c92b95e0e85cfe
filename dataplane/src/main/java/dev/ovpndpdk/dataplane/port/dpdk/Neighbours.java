package dev.ovpndpdk.dataplane.port.dpdk;

/**
 * IP address → Ethernet address of the hosts the wire port talks to, learned from their
 * frames (our UDP port, ARP, neighbour solicitations and advertisements). The kernel's
 * neighbour table is of no use here: the kernel does not see the wire port.
 *
 * <p>Read by every worker for every packet it sends, written only when a host is new or
 * changed its address: an immutable open-addressing table replaced as a whole (the snapshot
 * idea of the peer table), so lookups take no lock and allocate nothing. Keys are IPv6
 * addresses; IPv4 is kept v4-mapped ({@code ::ffff:a.b.c.d}). The table is bounded: a flood
 * of spoofed sources cannot grow it past {@link #MAX}.
 */
public final class Neighbours {
    static final int MAX = 4096;
    private static final long V4_MAPPED_LO = 0x0000_FFFF_0000_0000L;

    private record Table(long[] hi, long[] lo, long[] mac, int size) {
        static Table empty(int slots) {
            return new Table(new long[slots], new long[slots], new long[slots], 0);
        }
    }

    private volatile Table table = Table.empty(64);
    private long refused;

    static long v4Lo(long ipv4) {
        return V4_MAPPED_LO | (ipv4 & 0xFFFFFFFFL);
    }

    /** The MAC for an address, or -1. The IPv4 form passes {@code v6 = false} and the address in {@code lo}. */
    public long lookup(boolean v6, long hi, long lo) {
        return lookup(table, v6, hi, lo);
    }

    /** The MAC for an address in table {@code t}, or -1. */
    private static long lookup(Table t, boolean v6, long hi, long lo) {
        if (!v6) {
            hi = 0;
            lo = v4Lo(lo);
        }
        int mask = t.mac.length - 1;
        for (int i = slot(hi, lo, mask); ; i = (i + 1) & mask) {
            long m = t.mac[i];
            if (m == 0) {
                return -1;
            }
            if (t.hi[i] == hi && t.lo[i] == lo) {
                return m & 0xFFFF_FFFF_FFFFL;
            }
        }
    }

    /**
     * One port's memory of its last learn and its last lookup. The frames of a burst mostly
     * come from one host and go to one host, so a worker's port asks the shared table once per
     * change of host instead of once per packet (a hash and three array probes each). Valid
     * while the table is the one it was taken from: every change replaces the table, so an
     * identity check is enough. Single-threaded, like the port that owns it.
     *
     * <p>The shared table is read (volatile) once per burst, at {@link #refresh}, as workers
     * read the peer table's snapshot; the port refreshes at each receive, which the worker
     * calls before it sends in every pass, and every learning of the port (datagrams, ARP,
     * neighbour discovery) goes through here, so a send sees what the receive before it
     * learned. A volatile read per packet instead cost ~1.7 ns a packet on receive at 64 B
     * ({@code DpdkPipelineBench.ports}, decrypt).
     */
    static final class Memo {
        private final Neighbours n;
        /** The table for this burst ({@link #refresh}), or the one this memo's own learning just made. */
        private Table t;
        private Table learnedIn;
        private boolean learnedV6;
        private long learnedHi;
        private long learnedLo;
        private long learnedMac;
        private Table lookedIn;
        private boolean lookedV6;
        private long lookedHi;
        private long lookedLo;
        private long lookedMac;

        Memo(Neighbours n) {
            this.n = n;
            this.t = n.table;
        }

        /** A new burst: the shared table as it is now, with what other workers' ports learned. */
        void refresh() {
            t = n.table;
        }

        /** {@link Neighbours#learn}, skipped when it is what this memo last learned in the current table. */
        void learn(boolean v6, long hi, long lo, long mac) {
            if (t == learnedIn && mac == learnedMac && lo == learnedLo && hi == learnedHi && v6 == learnedV6) {
                return;
            }
            n.learn(v6, hi, lo, mac);
            t = n.table;
            learnedIn = t; // a refused learning is not retried until the table changes
            learnedV6 = v6;
            learnedHi = hi;
            learnedLo = lo;
            learnedMac = mac;
        }

        /** {@link Neighbours#lookup}, answered from the memo when the address and the table are the same. */
        long lookup(boolean v6, long hi, long lo) {
            if (t == lookedIn && lo == lookedLo && hi == lookedHi && v6 == lookedV6) {
                return lookedMac;
            }
            long mac = Neighbours.lookup(t, v6, hi, lo);
            lookedIn = t;
            lookedV6 = v6;
            lookedHi = hi;
            lookedLo = lo;
            lookedMac = mac;
            return mac;
        }
    }

    /** Records (or updates) where {@code ip} is. Cheap when nothing changed. */
    public void learn(boolean v6, long hi, long lo, long mac) {
        if (mac == 0 || (mac & 0x0100_0000_0000L) != 0) {
            return; // no multicast or all-zero source: not a host
        }
        if (lookup(v6, hi, lo) == mac) {
            return;
        }
        if (!v6) {
            hi = 0;
            lo = v4Lo(lo);
        }
        insert(hi, lo, mac);
    }

    /** How many learnings were refused because the table was full. */
    public synchronized long refused() {
        return refused;
    }

    public int size() {
        return table.size;
    }

    private synchronized void insert(long hi, long lo, long mac) {
        Table t = table;
        boolean present = find(t, hi, lo) >= 0;
        if (!present && t.size >= MAX) {
            refused++;
            return;
        }
        int size = t.size + (present ? 0 : 1);
        int slots = t.mac.length;
        while (size * 2 > slots) {
            slots *= 2;
        }
        Table n = Table.empty(slots);
        for (int i = 0; i < t.mac.length; i++) {
            if (t.mac[i] != 0 && !(t.hi[i] == hi && t.lo[i] == lo)) {
                put(n, t.hi[i], t.lo[i], t.mac[i]);
            }
        }
        // Bit 48 marks a used slot, so that a host whose MAC is 00:00:00:00:00:00 could not
        // look empty (learn() refuses it anyway).
        put(n, hi, lo, mac | (1L << 48));
        table = new Table(n.hi, n.lo, n.mac, size);
    }

    private static int find(Table t, long hi, long lo) {
        int mask = t.mac.length - 1;
        for (int i = slot(hi, lo, mask); ; i = (i + 1) & mask) {
            if (t.mac[i] == 0) {
                return -1;
            }
            if (t.hi[i] == hi && t.lo[i] == lo) {
                return i;
            }
        }
    }

    private static void put(Table t, long hi, long lo, long mac) {
        int mask = t.mac.length - 1;
        int i = slot(hi, lo, mask);
        while (t.mac[i] != 0) {
            i = (i + 1) & mask;
        }
        t.hi[i] = hi;
        t.lo[i] = lo;
        t.mac[i] = mac;
    }

    private static int slot(long hi, long lo, int mask) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
