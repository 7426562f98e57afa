package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The backends of one proxy, changeable at run time, and the passive ejection of failing ones within a cap on
 * the share ejected at once. Reads take an immutable snapshot, so strategies never see a list change under them.
 * Thread-safe.
 */
public final class BackendPool implements BackendPoolMBean {
    private final Clock clock;
    private final Ejection ejection;
    private final Duration slowStart;
    private final Consumer<Backend> onAdded;
    private final Consumer<Backend> onRemoved;
    private volatile List<Backend> backends = List.of();

    /** How passive ejection works: after how many consecutive failures, for how long, and how many at once. */
    public record Ejection(int consecutiveFailures, Duration base, Duration max, float maxPercent) {
    }

    public BackendPool(List<BackendSpec> specs, Clock clock, Ejection ejection, Consumer<Backend> onAdded,
            Consumer<Backend> onRemoved) {
        this(specs, clock, ejection, Duration.ZERO, onAdded, onRemoved);
    }

    /** With a {@code slowStart} over which a backend that joins or comes back ramps up to its full share. */
    public BackendPool(List<BackendSpec> specs, Clock clock, Ejection ejection, Duration slowStart,
            Consumer<Backend> onAdded, Consumer<Backend> onRemoved) {
        this.clock = clock;
        this.ejection = ejection;
        this.slowStart = slowStart;
        this.onAdded = onAdded;
        this.onRemoved = onRemoved;
        specs.forEach(this::add);
    }

    /** All backends, whatever their state. */
    public List<Backend> all() {
        return backends;
    }

    /** The backends a new request may go to, leaving out those already tried. */
    public List<Backend> candidates(Set<Backend> tried) {
        List<Backend> all = backends;
        List<Backend> candidates = new ArrayList<>(all.size());
        for (Backend backend : all) {
            if (backend.isAvailable() && !tried.contains(backend)) {
                candidates.add(backend);
            }
        }
        return candidates;
    }

    /** The share of its load the backend may take now ({@link Backend#warmth}). */
    public double warmth(Backend backend) {
        return backend.warmth(slowStart);
    }

    /** Whether the backend is still in the pool (it may have been removed while a request was on it). */
    public boolean contains(Backend backend) {
        return backends.contains(backend);
    }

    /**
     * Counts a failure of a backend and ejects it on reaching the threshold, unless no other backend answered since
     * its run of failures began, or that would put more than the allowed share of the pool out at once. Returns
     * whether it was ejected.
     */
    public synchronized boolean failed(Backend backend) {
        if (!backend.failed(ejection.consecutiveFailures())) {
            return false;
        }
        List<Backend> all = backends;
        // Failures that every backend shares (a stall of the proxy, its host or the network under a spike) are no
        // one backend's fault: ejecting it would only pile its load onto the others. It is an outlier only beside
        // a backend that answered meanwhile.
        long since = backend.failingSince();
        if (all.stream().noneMatch(other -> other != backend && other.answeredSince(since))) {
            return false;
        }
        long ejected = all.stream().filter(Backend::isEjected).count();
        if ((ejected + 1) * 100f > all.size() * ejection.maxPercent()) {
            return false;
        }
        backend.eject(ejection.base(), ejection.max());
        return true;
    }

    public Backend add(BackendSpec spec) {
        Backend backend;
        synchronized (this) {
            for (Backend existing : backends) {
                if (existing.key().equals(spec.uri().toString())) {
                    throw new IllegalArgumentException("backend already present: " + spec.uri());
                }
            }
            backend = new Backend(spec.uri(), spec.weight(), clock);
            List<Backend> next = new ArrayList<>(backends);
            next.add(backend);
            backends = List.copyOf(next);
        }
        onAdded.accept(backend);
        return backend;
    }

    public boolean remove(String url) {
        String key = BackendSpec.parse(url).uri().toString();
        Backend removed = null;
        synchronized (this) {
            List<Backend> next = new ArrayList<>(backends);
            for (Backend backend : backends) {
                if (backend.key().equals(key)) {
                    removed = backend;
                    next.remove(backend);
                }
            }
            backends = List.copyOf(next);
        }
        if (removed != null) {
            onRemoved.accept(removed);
        }
        return removed != null;
    }

    /** The backend of a URL, or {@code null}. */
    public Backend find(String url) {
        String key = BackendSpec.parse(url).uri().toString();
        for (Backend backend : backends) {
            if (backend.key().equals(key)) {
                return backend;
            }
        }
        return null;
    }

    @Override
    public List<String> getBackends() {
        return backends.stream().map(Backend::key).toList();
    }

    @Override
    public void addBackend(String url) {
        add(BackendSpec.parse(url));
    }

    @Override
    public void removeBackend(String url) {
        if (!remove(url)) {
            throw new IllegalArgumentException("no such backend: " + url);
        }
    }
}
