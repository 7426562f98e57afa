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
 * the figures strategies choose by (in-flight requests, a peak-EWMA of response time, when it joined or came back).
 * Thread-safe.
 */
public final class Backend implements BackendMBean {
    /** The administrative states an operator sets over JMX. */
    public enum State { ACTIVE, DRAINING, DISABLED }

    /** The share of its load a backend takes as soon as it joins or comes back, under {@code slowStart}. */
    static final double MIN_WARMTH = 0.1;

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
    private final PeakEwma responseTime = new PeakEwma();
    /** When it joined the pool, or came back from unhealthy, drained or disabled; milliseconds on the clock. */
    private volatile long returnedAt;
    /** When the last answer of a try to it came that was no failure; milliseconds on the clock. */
    private volatile long lastAnswerAt = Long.MIN_VALUE;
    // Written under this lock, as the passive ejection's bookkeeping changes together; the two volatile ones are
    // read without it on every request, so that choosing a backend and recording a success take no lock.
    private volatile int consecutiveFailures;
    /** When the current run of consecutive failures began; milliseconds on the clock. */
    private long failingSince;
    private int ejections;
    private volatile Instant ejectedUntil = Instant.MIN;

    public Backend(URI uri, int weight, Clock clock) {
        this.uri = Objects.requireNonNull(uri);
        this.hostPort = uri.getHost() + ":" + port(uri);
        this.authority = uri.getScheme() + "://" + hostPort;
        this.weight = weight;
        this.clock = clock;
        this.returnedAt = clock.millis();
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
        if (value && !healthy) {
            returnedAt = clock.millis();
        }
        healthy = value;
    }

    @Override
    public String getEjectedUntil() {
        Instant until = ejectedUntil();
        return until == null ? "" : until.toString();
    }

    /** When the passive ejection ends, or {@code null} when the backend is not ejected. */
    public Instant ejectedUntil() {
        Instant until = ejectedUntil;
        return until != Instant.MIN && clock.instant().isBefore(until) ? until : null;
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
        if (state.getAndSet(State.ACTIVE) != State.ACTIVE) {
            returnedAt = clock.millis();
        }
    }

    /** A request starts here. */
    public void begin() {
        inFlight.incrementAndGet();
        requests.incrementAndGet();
    }

    /** A request ends here, well or not. */
    public void end() {
        inFlight.decrementAndGet();
    }

    /**
     * The response time strategies weigh it by, in nanoseconds: a peak-EWMA of its answers ({@link PeakEwma}),
     * decayed to now; 0 before the first answer.
     */
    public double responseNanos() {
        return responseTime.nanos(clock.millis());
    }

    /** Whether an answer came since it joined or came back; before that, its old figure says nothing. */
    public boolean answeredSinceReturn() {
        return responseTime.answeredSince(returnedAt());
    }

    /** Whether a try to it was answered (no failure) within the last {@code period}. */
    public boolean answeredWithin(Duration period) {
        return answeredSince(clock.millis() - period.toMillis());
    }

    /**
     * The share of its load it may take now, from {@link #MIN_WARMTH} when it joined or came back to 1 once
     * {@code slowStart} has passed (zero: 1 at once), as HAProxy's and Envoy's slow start ramp a returning server.
     */
    public double warmth(Duration slowStart) {
        if (slowStart.isZero()) {
            return 1;
        }
        double ramped = (clock.millis() - returnedAt()) / (double) slowStart.toMillis();
        return Math.min(1, Math.max(MIN_WARMTH, ramped));
    }

    /** When it joined or last came back: from unhealthy, drained or disabled, or from an ejection that is over. */
    long returnedAt() {
        long returned = returnedAt;
        Instant until = ejectedUntil;
        if (until != Instant.MIN) {
            long ejectionEnd = until.toEpochMilli();
            if (ejectionEnd > returned && ejectionEnd <= clock.millis()) {
                return ejectionEnd;
            }
        }
        return returned;
    }

    /** A try answered in {@code nanos} without failing: feeds the response time and resets the consecutive failures. */
    public void succeeded(long nanos) {
        long now = clock.millis();
        lastAnswerAt = now;
        responseTime.observe(nanos, now, returnedAt());
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
            if (consecutiveFailures++ == 0) {
                failingSince = clock.millis();
            }
            return consecutiveFailures >= threshold && !clock.instant().isBefore(ejectedUntil);
        }
    }

    /** When its current run of consecutive failures began, in milliseconds on the clock. */
    synchronized long failingSince() {
        return failingSince;
    }

    /** Whether a try to it was answered (no failure) at or after {@code millis} on the clock. */
    boolean answeredSince(long millis) {
        long last = lastAnswerAt;
        return last != Long.MIN_VALUE && last >= millis;
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
