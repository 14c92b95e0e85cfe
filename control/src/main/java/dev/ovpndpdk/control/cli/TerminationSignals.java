package dev.ovpndpdk.control.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.logging.Logger;

/**
 * SIGTERM and SIGINT as a request to stop, not the end of the JVM. The JVM's default turns
 * them into its shutdown, which resets java.util.logging while the daemon is still cleaning
 * up (its last log lines vanish) and exits with 128+signal, which service managers read as a
 * failure. Catching them with {@code sun.misc.Signal} (module jdk.unsupported, there for
 * exactly this) lets the daemon stop like any other request and exit 0. Reached by reflection
 * because javac warns about every direct use of that API and the build keeps warnings at zero.
 */
final class TerminationSignals {
    private static final Logger LOG = Logger.getLogger(TerminationSignals.class.getName());

    private TerminationSignals() {
    }

    /**
     * Runs {@code action} on SIGTERM and SIGINT (on a JVM signal thread).
     *
     * @return false when the signals could not be taken over; the JVM's default stays
     */
    static boolean onTerminate(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            InvocationHandler h = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    LOG.info(args[0] + ": stopping"); // sun.misc.Signal prints as SIGTERM
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "termination signal handler";
            };
            Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType}, h);
            Method handle = signal.getMethod("handle", signal, handlerType);
            for (String name : new String[] {"TERM", "INT"}) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.fine(() -> "signals stay the JVM's: " + e);
            return false;
        }
    }
}
