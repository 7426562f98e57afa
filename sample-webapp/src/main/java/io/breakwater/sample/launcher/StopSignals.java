package io.breakwater.sample.launcher;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * Hands every SIGTERM and SIGINT to the launcher, the second one too: a JVM shutdown hook runs once, and a process
 * stopped through hooks exits with status 143, where an orchestrator expects 0 after a clean stop. Uses
 * {@code sun.misc.Signal} (module jdk.unsupported, in every JDK since 9) through reflection, because javac flags
 * each direct use with a warning that cannot be suppressed, and the build fails on warnings. Stateless.
 */
final class StopSignals {
    private StopSignals() {
    }

    /**
     * Calls {@code onSignal} with the signal's name ({@code TERM}, {@code INT}) on each arrival; returns false where
     * this JVM offers no handling of SIGTERM. SIGINT is taken where it can be: a process started in the background
     * by a shell ignores it, and the JVM then refuses a handler for it.
     */
    static boolean install(Consumer<String> onSignal) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Constructor<?> signalOf = signalType.getConstructor(String.class);
            Method handle = signalType.getMethod("handle", signalType, handlerType);
            Method nameOf = signalType.getMethod("getName");
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            onSignal.accept((String) nameOf.invoke(args[0]));
                            return null;
                        }
                        // equals, hashCode and toString of the proxy itself
                        return method.getName().equals("equals") ? proxy == args[0]
                                : method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                                : "StopSignals handler";
                    });
            handle.invoke(null, signalOf.newInstance("TERM"), handler);
            try {
                handle.invoke(null, signalOf.newInstance("INT"), handler);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // SIGINT stays the JVM's: a plain exit through the shutdown hooks
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
