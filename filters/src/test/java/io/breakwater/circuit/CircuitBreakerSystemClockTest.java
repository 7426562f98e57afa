package io.breakwater.circuit;

import static io.breakwater.circuit.CircuitBreakerFixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.TestServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The breaker on the system clock, the filter's default, where a call is timed with the filter's own
 * {@code System.nanoTime()} readings rather than an injected clock: slow calls are judged on real time, for a
 * synchronous call up to its return and for an async one up to the end of its cycle.
 */
class CircuitBreakerSystemClockTest {
    /** How long a slow route takes, three times the threshold. */
    private static final Duration SLOW = Duration.ofMillis(150);

    private final ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor();
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(context -> {
            context.addFilter(new FilterHolder(new ExceptionHandlingFilter()), "/*",
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            FilterHolder breaker = new FilterHolder(new CircuitBreakerFilter());
            breaker.setInitParameter("windowType", "count");
            breaker.setInitParameter("windowSize", "4");
            breaker.setInitParameter("minimumCalls", "4");
            breaker.setInitParameter("slowCallDuration", "50ms");
            breaker.setInitParameter("slowCallRateThreshold", "50");
            context.addFilter(breaker, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            context.addServlet(new ServletHolder(new Slow()), "/slow/*");
            context.addServlet(new ServletHolder(new Quick()), "/quick/*");
            ServletHolder async = new ServletHolder(new SlowAsync(completer));
            async.setAsyncSupported(true);
            context.addServlet(async, "/async/*");
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        completer.shutdownNow();
    }

    @Test
    void aSynchronousCallSlowerThanTheThresholdIsSlow() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertEquals(200, server.get("/slow/x").statusCode());
        }

        assertEquals(100.0f, breaker("/slow/*").getMetrics().getSlowCallRate());
        assertEquals(State.OPEN, breaker("/slow/*").getState());
        assertEquals(503, server.get("/slow/x").statusCode());
    }

    @Test
    void anAsyncCallIsTimedToTheEndOfItsCycle() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertEquals(200, server.get("/async/x").statusCode());
        }

        // an async call reports when its cycle ends, which may be just after the client read the answer
        awaitTrue(() -> breaker("/async/*").getState() == State.OPEN, "the async route's breaker open");
        assertEquals(100.0f, breaker("/async/*").getMetrics().getSlowCallRate());
    }

    @Test
    void quickCallsAreNotSlow() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertEquals(200, server.get("/quick/x").statusCode());
        }

        assertEquals(0.0f, breaker("/quick/*").getMetrics().getSlowCallRate());
        assertEquals(4, breaker("/quick/*").getMetrics().getNumberOfSuccessfulCalls());
        assertEquals(State.CLOSED, breaker("/quick/*").getState());
    }

    private CircuitBreaker breaker(String name) {
        CircuitBreakerRegistry registry = (CircuitBreakerRegistry) server.context().getServletContext()
                .getAttribute(BreakerRegistry.ATTRIBUTE);
        return registry.find(name).orElseThrow(() -> new AssertionError("no breaker " + name));
    }

    private static void answer(HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().write("done");
    }

    /** Works for {@link #SLOW} of real time on the request's thread: the slowness under test, not a wait for it. */
    private static final class Slow extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            long until = System.nanoTime() + SLOW.toNanos();
            for (long left = SLOW.toNanos(); left > 0; left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            answer(response);
        }
    }

    private static final class Quick extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            answer(response);
        }
    }

    /** Returns at once and answers {@link #SLOW} later from another thread. */
    private static final class SlowAsync extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient ScheduledExecutorService completer;

        SlowAsync(ScheduledExecutorService completer) {
            this.completer = completer;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            completer.schedule(() -> {
                try {
                    answer((HttpServletResponse) async.getResponse());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    async.complete();
                }
            }, SLOW.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
