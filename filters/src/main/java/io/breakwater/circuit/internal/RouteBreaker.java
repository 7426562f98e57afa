package io.breakwater.circuit.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.journal.internal.StateJournal;
import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.status.internal.BreakerView;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.StateTransition;
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
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route's Resilience4j breaker with what Breakwater adds around it: the {@code Retry-After} it answers while
 * open, a WARN line per state change, its metrics labelled with its name and its MBean. Thread-safe.
 */
public final class RouteBreaker {
    static final MetricFamily STATE = MetricFamily.state("circuit_state",
            "The breaker's state: 1 for the state it is in, 0 for the others.", "circuit.{breaker}.state",
            Arrays.stream(State.values()).sorted(Comparator.comparingInt(State::getOrder))
                    .map(state -> state.name().toLowerCase(Locale.ROOT)).collect(Collectors.toList()));
    static final MetricFamily FAILURE_RATE = MetricFamily.gauge("circuit_failure",
            "Share of failed calls in the breaker's window; NaN until it has its minimum of calls.",
            "circuit.{breaker}.failureRate", "ratio", RouteBreaker::percentToRatio);
    static final MetricFamily SLOW_CALL_RATE = MetricFamily.gauge("circuit_slow_call",
            "Share of slow calls in the breaker's window; NaN until it has its minimum of calls.",
            "circuit.{breaker}.slowCallRate", "ratio", RouteBreaker::percentToRatio);
    static final MetricFamily REJECTED_CALLS = MetricFamily.counter("circuit_rejected_calls",
            "Calls the breaker refused while open.", "circuit.{breaker}.rejectedCalls");
    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerFilter.class);

    private final CircuitBreaker breaker;
    private final CircuitBreakerSettings settings;
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

    public RouteBreaker(CircuitBreaker breaker, CircuitBreakerSettings settings, Clock clock, MetricRegistry metrics) {
        this.breaker = breaker;
        this.settings = settings;
        this.clock = clock;
        this.metrics = MetricCatalog.of(metrics);
        this.rejected = this.metrics.counter(REJECTED_CALLS, breaker.getName());
        breaker.getEventPublisher().onStateTransition(event -> changed(event.getStateTransition()));
    }

    /** Publishes the breaker's gauges and MBean; {@link #unpublish} takes them back. */
    public RouteBreaker publish(ServletContext context) {
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

    CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * Whether a call may go to the route; a refusal is counted. A half-open breaker whose probes have not all
     * ended within {@code maxWaitInHalfOpen} opens again (as Resilience4j's {@code maxWaitDurationInHalfOpenState}
     * does, without its timer thread): a lost probe delays the route's next probe, it never refuses it for good.
     */
    public boolean tryAcquire() {
        if (breaker.tryAcquirePermission()) {
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
        }
        return false;
    }

    void succeeded(long nanos) {
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    void failed(long nanos, Throwable failure) {
        breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
    }

    /** Gives back a permission without judging the route: the call said nothing about it. */
    void released() {
        breaker.releasePermission();
    }

    long rejectedCalls() {
        return rejected.getCount();
    }

    /** Its state and figures now, as the status page shows them. */
    BreakerView view() {
        CircuitBreaker.Metrics rates = breaker.getMetrics();
        return new BreakerView(breaker.getName(), breaker.getState().name(), rates.getFailureRate(),
                rates.getSlowCallRate(), rejectedCalls(), probeAllowedAt());
    }

    /** When an open breaker lets its first probe through (maybe already past), or {@code null} when it is not open. */
    Instant probeAllowedAt() {
        return breaker.getState() == State.OPEN ? probeAllowedAt : null;
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

    private void changed(StateTransition transition) {
        State to = transition.getToState();
        if (to == State.CLOSED) {
            openings.set(0);
        } else if (to == State.OPEN) {
            probeAllowedAt = clock.instant().plus(settings.waitInOpen(openings.incrementAndGet()));
        } else if (to == State.HALF_OPEN) {
            halfOpenSince = clock.instant();
        }
        if (transition.getFromState() != to) {
            LOG.warn("circuit breaker state change: route={} from={} to={} failureRate={}", breaker.getName(),
                    transition.getFromState(), to, breaker.getMetrics().getFailureRate());
            StateJournal changes = journal;
            if (changes != null) {
                changes.record(clock.instant(), "breaker", breaker.getName(), transition.getFromState().name(),
                        to.name());
            }
        }
    }
}
