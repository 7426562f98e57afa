package io.breakwater.core.breaker.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.journal.internal.StateJournal;
import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.status.internal.BreakerView;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import jakarta.servlet.ServletContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * One Resilience4j breaker (a route's, or a guarded filter's) with what Breakwater adds around it: the
 * {@code Retry-After} it answers while open, a WARN line per state change, its metrics labelled with its name and its
 * MBean. Thread-safe.
 */
public final class Breaker {
    /** Resilience4j's states in lower case, by the ordinal that the state figures hold. */
    private static final List<String> STATES = Arrays.stream(State.values())
            .sorted(Comparator.comparingInt(State::getOrder))
            .map(state -> state.name().toLowerCase(Locale.ROOT)).collect(Collectors.toList());
    static final MetricFamily STATE = MetricFamily.state("circuit_state",
            "The breaker's state: 1 for the state it is in, 0 for the others.", "circuit.{breaker}.state", STATES);
    /** The state of a guarded filter's breaker, among that filter's figures. */
    public static final MetricFamily FILTER_STATE = MetricFamily.state("filter_breaker_state",
            "The guarded filter's breaker state: 1 for the state it is in, 0 for the others.",
            "filter.{filter}.breakerState", STATES);
    static final MetricFamily FAILURE_RATE = MetricFamily.gauge("circuit_failure",
            "Share of failed calls in the breaker's window; NaN until it has its minimum of calls.",
            "circuit.{breaker}.failureRate", "ratio", Breaker::percentToRatio);
    static final MetricFamily SLOW_CALL_RATE = MetricFamily.gauge("circuit_slow_call",
            "Share of slow calls in the breaker's window; NaN until it has its minimum of calls.",
            "circuit.{breaker}.slowCallRate", "ratio", Breaker::percentToRatio);
    static final MetricFamily REJECTED_CALLS = MetricFamily.counter("circuit_rejected_calls",
            "Calls the breaker refused while open.", "circuit.{breaker}.rejectedCalls");
    private final CircuitBreaker breaker;
    private final OpenWaits settings;
    /** Where its state changes are logged, and what its name is there: {@code route} or {@code filter}. */
    private final Logger log;
    private final String subject;
    private final Clock clock;
    private final MetricCatalog metrics;
    private final Counter rejected;
    /** Openings without a close in between, as Resilience4j counts them to grow the wait. */
    private final AtomicInteger openings = new AtomicInteger();
    private volatile Instant probeAllowedAt = Instant.MIN;
    /** When the breaker last went half-open, on {@link #clock}. */
    private volatile Instant halfOpenSince = Instant.MIN;
    private ObjectName mbean;
    private volatile StateJournal journal;
    /**
     * The state last seen. Changes are found by looking after each call that may make one, rather than from
     * Resilience4j's events: a consumer of those makes it build an event, with its time zone and date, for every
     * call, which cost more than the rest of the breaker on a request.
     */
    private volatile State seen;

    /**
     * Around {@code breaker}, open as long as {@code settings} say, its state changes logged on {@code log} with its
     * name as the {@code subject} ({@code route=/orders/*}).
     */
    public Breaker(CircuitBreaker breaker, OpenWaits settings, Clock clock, MetricRegistry metrics, Logger log,
            String subject) {
        this.breaker = breaker;
        this.settings = settings;
        this.log = log;
        this.subject = subject;
        this.clock = clock;
        this.metrics = MetricCatalog.of(metrics);
        this.rejected = this.metrics.counter(REJECTED_CALLS, breaker.getName());
        this.seen = breaker.getState();
    }

    /** Publishes the breaker's gauges and MBean; {@link #unpublish} takes them back. */
    public Breaker publish(ServletContext context) {
        String name = breaker.getName();
        metrics.gauge(STATE, () -> (Gauge<Integer>) () -> breaker.getState().getOrder(), name);
        metrics.gauge(FAILURE_RATE, () -> (Gauge<Float>) () -> breaker.getMetrics().getFailureRate(), name);
        metrics.gauge(SLOW_CALL_RATE, () -> (Gauge<Float>) () -> breaker.getMetrics().getSlowCallRate(), name);
        mbean = Jmx.register(new CircuitBreakerControl(this), Jmx.name(context, "CircuitBreaker", breaker.getName()));
        journal = StateJournal.of(context);
        return this;
    }

    public void unpublish() {
        for (MetricFamily family : List.of(STATE, FAILURE_RATE, SLOW_CALL_RATE, REJECTED_CALLS)) {
            metrics.remove(family, breaker.getName());
        }
        if (mbean != null) {
            Jmx.unregister(mbean);
        }
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * Whether a call may go to the route; a refusal is counted. A half-open breaker whose probes have not all
     * ended within {@code maxWaitInHalfOpen} opens again (as Resilience4j's {@code maxWaitDurationInHalfOpenState}
     * does, without its timer thread): a lost probe delays the route's next probe, it never refuses it for good.
     */
    public boolean tryAcquire() {
        boolean permitted = breaker.tryAcquirePermission();
        look(); // an open breaker whose wait is over went half-open
        if (permitted) {
            return true;
        }
        rejected.inc();
        if (breaker.getState() == State.HALF_OPEN
                && !clock.instant().isBefore(halfOpenSince.plus(settings.maxWaitInHalfOpen()))) {
            try {
                breaker.transitionToOpenState();
            } catch (IllegalStateTransitionException moved) {
                // another call moved it first
            }
            look();
        }
        return false;
    }

    public void succeeded(long nanos) {
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        look();
    }

    public void failed(long nanos, Throwable failure) {
        breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
        look();
    }

    /** Gives back a permission without judging the route: the call said nothing about it. */
    public void released() {
        breaker.releasePermission();
        look();
    }

    /** Closes the breaker and forgets its window, as an operator's reset does. */
    public void reset() {
        breaker.reset();
        look();
    }

    /** Makes an operator's move ({@code transitionToForcedOpenState} and the like) and reports it. */
    public void move(Consumer<CircuitBreaker> transition) {
        try {
            transition.accept(breaker);
        } finally {
            look();
        }
    }

    /**
     * Reports a change of state made by the call just made, or by another thread's meanwhile. Calls that change
     * it race only when probes do, and then each change that is seen is reported once, in order.
     */
    private void look() {
        if (breaker.getState() != seen) {
            report();
        }
    }

    private synchronized void report() {
        State from = seen;
        State to = breaker.getState();
        if (to != from) {
            seen = to;
            changed(from, to);
        }
    }

    public long rejectedCalls() {
        return rejected.getCount();
    }

    /** Its state and figures now, as the status page shows them. */
    public BreakerView view() {
        CircuitBreaker.Metrics rates = breaker.getMetrics();
        return new BreakerView(breaker.getName(), breaker.getState().name(), rates.getFailureRate(),
                rates.getSlowCallRate(), rejectedCalls(), probeAllowedAt());
    }

    /** When an open breaker lets its first probe through (maybe already past), or {@code null} when it is not open. */
    public Instant probeAllowedAt() {
        return breaker.getState() == State.OPEN ? probeAllowedAt : null;
    }

    /** The ordinal of its state, as the state figures hold it. */
    public int stateOrder() {
        return breaker.getState().getOrder();
    }

    /** Whole seconds until the breaker will let a probe through, at least 1. */
    public long retryAfterSeconds() {
        Duration wait;
        State state = breaker.getState();
        if (state == State.OPEN) {
            wait = Duration.between(clock.instant(), probeAllowedAt);
        } else if (state == State.FORCED_OPEN) {
            // no probe until someone resets it: the configured wait is the honest polling interval
            wait = settings.baseWaitInOpen();
        } else {
            // half-open with every probe taken: the probes' answers decide within a request's time
            wait = Duration.ZERO;
        }
        long seconds = (wait.toMillis() + 999) / 1000;
        return Math.max(1, seconds);
    }

    /** Resilience4j's rates are percentages, -1 before the window has its minimum of calls. */
    private static double percentToRatio(double percent) {
        return percent < 0 ? Double.NaN : percent / 100;
    }

    private void changed(State from, State to) {
        if (to == State.CLOSED) {
            openings.set(0);
        } else if (to == State.OPEN) {
            probeAllowedAt = clock.instant().plus(settings.waitInOpen(openings.incrementAndGet()));
        } else if (to == State.HALF_OPEN) {
            halfOpenSince = clock.instant();
        }
        log.warn("circuit breaker state change: " + subject + "={} from={} to={} failureRate={} requestId={}",
                breaker.getName(), from, to, breaker.getMetrics().getFailureRate(), MDC.get(RequestIds.MDC_KEY));
        StateJournal changes = journal;
        if (changes != null) {
            changes.record(clock.instant(), "breaker", breaker.getName(), from.name(), to.name());
        }
    }
}
