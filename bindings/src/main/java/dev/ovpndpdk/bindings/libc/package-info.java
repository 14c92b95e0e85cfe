/**
 * libc bindings for the pure-Java socket/TUN port backend and the control socket, through the
 * FFM API: UDP sockets with {@code recvmmsg}/{@code sendmmsg}, SO_REUSEPORT steering with a
 * classic BPF program, multiqueue TUN, AF_UNIX with SO_PEERCRED and SCM_RIGHTS, CPU affinity.
 *
 * <h2>Shape</h2>
 * Like jextract output, one small class per concern: {@code static final MethodHandle}s linked
 * once, struct {@code MemoryLayout}s with their field offsets as named constants, and the Linux
 * constants (x86_64; the asm-generic values aarch64 shares) under their C names.
 * {@code LibcLayoutProbeTest} compiles {@code src/test/c/libc_probe.c} and checks every size,
 * offset and constant against the system headers. {@link dev.ovpndpdk.bindings.libc.Libc#isAvailable()}
 * says whether this machine is one those numbers are right for.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Pointers.</b> Per-packet and per-burst calls take raw addresses as {@code long}
 *       ({@code JAVA_LONG} in the descriptor): a worker keeps buffer addresses in a
 *       {@code long[]} and must not make a MemorySegment per packet. Control-path calls take
 *       MemorySegments and allocate freely in a confined arena.</li>
 *   <li><b>Errors.</b> Every call that can fail is linked with
 *       {@code Linker.Option.captureCallState("errno")}; a failure becomes an
 *       {@link dev.ovpndpdk.bindings.libc.ErrnoException} (an IOException) carrying errno, naming
 *       the call and its key argument: {@code bind(10.0.0.1:1194): Address already in use}.</li>
 *   <li><b>"Nothing to do now" is not an error.</b> EAGAIN (and EINTR) on a non-blocking call
 *       returns a count instead of throwing: 0 from {@code MmsgBatch.receive/send} and
 *       {@code Poll.await}, -1 from {@code Fd.read/write/readv/writev},
 *       {@code Sockets.sendTo/recvFrom/accept}. An empty poll costs no exception object.
 *       {@code MmsgBatch.send} also reports a datagram the kernel refused (EMSGSIZE,
 *       ENETUNREACH...) as {@code -errno}, so a peer behind a dead route does not cost an
 *       exception per burst.</li>
 *   <li><b>errno on the fast path.</b> The per-packet calls ({@code MmsgBatch}, {@code Fd}'s
 *       read/write family) are linked twice: a first attempt without errno capture, then, only if
 *       it fails, the same call again with capture. Why: the FFM invoker slices the capture
 *       segment on every call, and in JDK 25 that slice is removed only when the JIT inlines the
 *       whole invoker; inside a worker's large loop it did not, and every burst allocated.
 *       Repeating a failed call is safe (a failed read/write/recvmmsg/sendmmsg did nothing); it
 *       costs a second system call when a call fails — typically an empty socket or TUN queue,
 *       i.e. when the worker has time to spare — and a pending asynchronous socket error, which
 *       the first attempt consumes, goes unreported.</li>
 *   <li><b>Ownership.</b> The static functions are thread-safe. {@code MmsgBatch} and
 *       {@code Poll} hold native memory and belong to one worker; {@code close()} frees it.
 *       File descriptors are plain {@code int}s the caller closes ({@code Fd.close}).</li>
 * </ul>
 */
package dev.ovpndpdk.bindings.libc;
