package io.breakwater.core.health;

import jakarta.servlet.ServletContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Whether a web app may take traffic: not while it drains, nor while a registered {@link ReadinessCheck} objects.
 * One per web app, at context attribute {@value #ATTRIBUTE}, created by the first caller. The draining mark is a
 * plain {@code Boolean} at context attribute {@value #DRAINING_ATTRIBUTE}, so that a container or launcher outside
 * the web app's class loader can set it too. Thread-safe.
 */
public final class Readiness {
    public static final String ATTRIBUTE = "io.breakwater.health.readiness";
    public static final String DRAINING_ATTRIBUTE = "io.breakwater.health.draining";
    /** The reason given while the app drains. */
    public static final String DRAINING = "draining";

    private final ServletContext context;
    // sorted by name, so that reasons come in the same order on every probe
    private final Map<String, ReadinessCheck> checks = new ConcurrentSkipListMap<>();

    private Readiness(ServletContext context) {
        this.context = context;
    }

    /** The context's readiness, created if no one asked for it yet. */
    public static Readiness of(ServletContext context) {
        synchronized (context) {
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing == null) {
                Readiness readiness = new Readiness(context);
                context.setAttribute(ATTRIBUTE, readiness);
                return readiness;
            }
            if (!(existing instanceof Readiness)) {
                throw new IllegalStateException("context attribute " + ATTRIBUTE + " must be a "
                        + Readiness.class.getName() + ", but was a " + existing.getClass().getName());
            }
            return (Readiness) existing;
        }
    }

    /** Adds a check under a name unique in the web app (a servlet's name, for example), replacing one of that name. */
    public void register(String name, ReadinessCheck check) {
        checks.put(name, check);
    }

    public void unregister(String name) {
        checks.remove(name);
    }

    /** Starts draining: from now on the app is not ready, for good. */
    public void drain() {
        drain(context);
    }

    /** Marks a web app as draining, from code that holds only its context. */
    public static void drain(ServletContext context) {
        context.setAttribute(DRAINING_ATTRIBUTE, Boolean.TRUE);
    }

    public boolean isDraining() {
        return Boolean.TRUE.equals(context.getAttribute(DRAINING_ATTRIBUTE));
    }

    /** Why the app is not ready, draining first then each check's reason by name; empty when it is ready. */
    public List<String> reasons() {
        List<String> reasons = new ArrayList<>();
        if (isDraining()) {
            reasons.add(DRAINING);
        }
        for (ReadinessCheck check : checks.values()) {
            Optional<String> reason = check.unready();
            reason.ifPresent(reasons::add);
        }
        return reasons;
    }
}
