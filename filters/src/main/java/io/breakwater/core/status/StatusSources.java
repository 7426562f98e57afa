package io.breakwater.core.status;

import jakarta.servlet.ServletContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Where the features of one web app publish what the status page shows of them: a proxy its {@link BackendSource},
 * the circuit breaker filter its {@link BreakerSource}, each under a name unique in the web app, at init, withdrawn
 * at destroy. One per web app, at context attribute {@value #ATTRIBUTE}, created by the first caller, so that the
 * page and the features need not know each other nor start in any order. Thread-safe.
 */
public final class StatusSources {
    public static final String ATTRIBUTE = "io.breakwater.status.sources";

    // sorted by name, so that the lists come in the same order on every read
    private final Map<String, BackendSource> backendSources = new ConcurrentSkipListMap<>();
    private final Map<String, BreakerSource> breakerSources = new ConcurrentSkipListMap<>();

    private StatusSources() {
    }

    /** The context's sources, created if no one asked for them yet. */
    public static StatusSources of(ServletContext context) {
        synchronized (context) {
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing == null) {
                StatusSources sources = new StatusSources();
                context.setAttribute(ATTRIBUTE, sources);
                return sources;
            }
            if (!(existing instanceof StatusSources)) {
                throw new IllegalStateException("context attribute " + ATTRIBUTE + " must be a "
                        + StatusSources.class.getName() + ", but was a " + existing.getClass().getName());
            }
            return (StatusSources) existing;
        }
    }

    /** Publishes backends under a name (a proxy servlet's, for example), replacing a source of that name. */
    public void publish(String name, BackendSource source) {
        backendSources.put(name, source);
    }

    /** Publishes breakers under a name (a filter's, for example), replacing a source of that name. */
    public void publish(String name, BreakerSource source) {
        breakerSources.put(name, source);
    }

    /** Withdraws whatever was published under the name. */
    public void withdraw(String name) {
        backendSources.remove(name);
        breakerSources.remove(name);
    }

    /** Every published backend now, source by source. */
    public List<BackendView> backends() {
        List<BackendView> views = new ArrayList<>();
        backendSources.values().forEach(source -> views.addAll(source.backends()));
        return views;
    }

    /** Every published breaker now, source by source. */
    public List<BreakerView> breakers() {
        List<BreakerView> views = new ArrayList<>();
        breakerSources.values().forEach(source -> views.addAll(source.breakers()));
        return views;
    }

    /** Drains the backend of this id in whichever source has it; false if none has. */
    public boolean drain(String id) {
        return backendSources.values().stream().anyMatch(source -> source.drain(id));
    }

    /** Enables the backend of this id in whichever source has it; false if none has. */
    public boolean enable(String id) {
        return backendSources.values().stream().anyMatch(source -> source.enable(id));
    }

    /** Resets the breaker of this name in whichever source has it; false if none has. */
    public boolean reset(String name) {
        return breakerSources.values().stream().anyMatch(source -> source.reset(name));
    }
}
