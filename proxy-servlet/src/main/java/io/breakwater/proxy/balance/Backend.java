package io.breakwater.proxy.balance;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One configured backend: its address and weight, its administrative state, its health, its passive ejection and
 * the figures strategies choose by (in-flight requests, a moving average of response time). Thread-safe.
 */
public final class Backend implements BackendMBean {
    /** The administrative states an operator sets over JMX. */
    public enum State { ACTIVE, DRAINING, DISABLED }

    /** Weight of the newest response time in the moving average (EWMA). */
    private static final double EWMA_ALPHA = 0.3;

    private final URI uri;
    private final String authority;
    private final String hostPort;
    private final int weight;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(State.ACTIVE);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean healthy = true;
    private volatile double averageNanos;
    // Written under this lock, as the passive ejection's bookkeeping changes together; the two volatile ones are
    // read without it on every request, so that choosing a backend and recording a success take no lock.
    private volatile int consecutiveFailures;
    private int ejections;
    private volatile Instant ejectedUntil = Instant.MIN;

    public Backend(URI uri, int weight, Clock clock) {
        this.uri = Objects.requireNonNull(uri);
        this.hostPort = uri.getHost() + ":" + port(uri);
        this.authority = uri.getScheme() + "://" + hostPort;
        this.weight = weight;
        this.clock = clock;
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }

    /** The scheme, host and port, like {@code http://127.0.0.1:8081}; the key of the backend in the pool. */
    public String key() {
        return authority;
    }

    /** The host and port, for metric and MBean names and the {@code Host} of requests to it. */
    public String hostPort() {
        return hostPort;
    }

    public URI uri() {
        return uri;
    }

    @Override
    public String getUrl() {
        return authority;
    }

    @Override
    public int getWeight() {
        return weight;
    }

    /** Whether a strategy may send a new request here now. */
    public boolean isAvailable() {
        return state.get() == State.ACTIVE && healthy && !isEjected();
    }

    public boolean isEjected() {
        Instant until = ejectedUntil;
        return until != Instant.MIN && clock.instant().isBefore(until);
    }

    @Override
    public boolean isHealthy() {
        return healthy;
    }

    /** Set by the active health check. */
    public void healthy(boolean value) {
        healthy = value;
    }

    @Override
    public String getEjectedUntil() {
        Instant until = ejectedUntil;
        return until != Instant.MIN && clock.instant().isBefore(until) ? until.toString() : "";
    }

    @Override
    public int getInFlight() {
        return inFlight.get();
    }

    @Override
    public long getRequests() {
        return requests.get();
    }

    @Override
    public long getFailures() {
        return failures.get();
    }

    @Override
    public String getState() {
        return state.get().name();
    }

    public State state() {
        return state.get();
    }

    @Override
    public void drain() {
        state.set(State.DRAINING);
    }

    @Override
    public void disable() {
        state.set(State.DISABLED);
    }

    @Override
    public void enable() {
        state.set(State.ACTIVE);
    }

    /** A request starts here. */
    public void begin() {
        inFlight.incrementAndGet();
        requests.incrementAndGet();
    }

    /** A request ends here, well or not; feeds the moving average of response time. */
    public void end(long nanos) {
        inFlight.decrementAndGet();
        double current = averageNanos;
        averageNanos = current == 0 ? nanos : current + EWMA_ALPHA * (nanos - current);
    }

    /** The moving average of response time in nanoseconds; 0 before the first answer. */
    public double averageNanos() {
        return averageNanos;
    }

    /** A success resets the count of consecutive failures. */
    public void succeeded() {
        if (consecutiveFailures != 0) {
            synchronized (this) {
                consecutiveFailures = 0;
            }
        }
    }

    /**
     * Counts a failure; returns whether it reached the threshold of consecutive failures, so that the pool may
     * eject the backend.
     */
    public boolean failed(int threshold) {
        failures.incrementAndGet();
        synchronized (this) {
            consecutiveFailures++;
            return consecutiveFailures >= threshold && !clock.instant().isBefore(ejectedUntil);
        }
    }

    /** Ejects for {@code base × number of ejections so far}, capped at {@code max}. */
    public void eject(Duration base, Duration max) {
        synchronized (this) {
            ejections++;
            Duration length = base.multipliedBy(ejections);
            if (length.compareTo(max) > 0) {
                length = max;
            }
            ejectedUntil = clock.instant().plus(length);
            consecutiveFailures = 0;
        }
    }

    @Override
    public String toString() {
        return authority;
    }
}
