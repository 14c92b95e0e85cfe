package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** Identity of this process and thread; these calls cannot fail. For credential checks and logs. */
public final class ProcessIds {

    private static final MethodHandle GETPID = Libc.call("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETUID = Libc.call("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = Libc.call("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = Libc.call("getgid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = Libc.call("gettid", FunctionDescriptor.of(JAVA_INT));

    private ProcessIds() {
    }

    public static int pid() {
        return invoke(GETPID);
    }

    public static int uid() {
        return invoke(GETUID);
    }

    public static int euid() {
        return invoke(GETEUID);
    }

    public static int gid() {
        return invoke(GETGID);
    }

    /** The kernel thread id of the calling thread (what sched_setaffinity(0, ...) applies to). */
    public static int tid() {
        return invoke(GETTID);
    }

    private static int invoke(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
