package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout.PathElement;

/** Byte offsets of named members, for the {@code $OFFSET} constants of the struct classes. */
final class StructOffsets {
    private StructOffsets() {
    }

    static long of(GroupLayout layout, String... path) {
        PathElement[] p = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(p);
    }
}
