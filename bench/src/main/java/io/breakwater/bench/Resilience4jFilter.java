package io.breakwater.bench;

import io.breakwater.circuit.CircuitBreakerSettings;
import io.breakwater.core.config.ConfigReader;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The least a filter on Resilience4j does per request, with {@code CircuitBreakerFilter}'s default configuration
 * (the same {@code CircuitBreakerSettings}): one breaker, a permission taken, the call timed with two clock reads
 * (slow calls are judged on its duration), a 5xx or a throw recorded as an error, anything else as a success. With
 * a state-transition consumer, as the contract's WARN line per state change needs; {@link Quiet} registers none.
 * No routes, no metrics, no own time, no async: the floor that Resilience4j as the engine sets under
 * {@code CircuitBreakerFilter}'s figure. Thread-safe.
 */
public class Resilience4jFilter implements Filter {
    private CircuitBreaker breaker;

    @Override
    public void init(FilterConfig config) throws ServletException {
        breaker = CircuitBreaker.of("bench", CircuitBreakerSettings.read(ConfigReader.of(config))
                .forRoute("/hello", Clock.systemUTC()).orElseThrow());
        if (listens()) {
            // what it does with a transition does not matter here (the hello servlet never fails): registering it is
            // what makes Resilience4j build an event for every call
            breaker.getEventPublisher().onStateTransition(event -> { });
        }
    }

    boolean listens() {
        return true;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!breaker.tryAcquirePermission()) {
            ((HttpServletResponse) response).sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        long start = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException | Error thrown) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, thrown);
            throw thrown;
        }
        long duration = System.nanoTime() - start;
        if (((HttpServletResponse) response).getStatus() >= HttpServletResponse.SC_INTERNAL_SERVER_ERROR) {
            breaker.onError(duration, TimeUnit.NANOSECONDS, new IllegalStateException("5xx"));
        } else {
            breaker.onSuccess(duration, TimeUnit.NANOSECONDS);
        }
    }

    /** The same without a consumer: Resilience4j then builds no event per call. */
    public static class Quiet extends Resilience4jFilter {
        @Override
        boolean listens() {
            return false;
        }
    }
}
