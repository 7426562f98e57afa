package io.breakwater.core.servlet;

import static io.breakwater.testing.TestServlets.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.internal.FilterMetrics;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.servlet.internal.ClientConnection;
import io.breakwater.core.servlet.internal.RequestEnd;
import io.breakwater.core.servlet.internal.TimedFilter;
import io.breakwater.testing.TestServer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.GenericServlet;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/**
 * The skeleton's contract, on a real Jetty: a request's end reaches the filter's call exactly once, whether the
 * request returns, throws, or ends its async cycle by completing, timing out, failing or being aborted; requests that
 * are not HTTP and later dispatches go straight through; the filter's own time leaves the rest of the chain out.
 * Each test stops its server before it counts the ends, so that a second end would have come by then.
 */
class TimedFilterTest {
    private static final EnumSet<DispatcherType> EVERY_DISPATCH = EnumSet.allOf(DispatcherType.class);

    private final Probe probe = new Probe();
    private final BlockingQueue<AsyncContext> cycles = new LinkedBlockingQueue<>();
    private final CountDownLatch dispatchReturned = new CountDownLatch(1);
    private final AtomicInteger servlet = new AtomicInteger();

    @Test
    void syncAnswerEndsOnceWithItsStatus() throws Exception {
        try (TestServer server = start(context -> route(context, "/x", (request, response) -> {
            response.setStatus(201);
        }))) {
            assertEquals(201, server.get("/x").statusCode());
        }
        assertEquals(List.of("answered 201"), probe.ends());
    }

    @Test
    void thrownFailureEndsOnceWithWhatWasThrown() throws Exception {
        try (TestServer server = start(context -> route(context, "/x", (request, response) -> {
            throw new IllegalStateException("boom");
        }))) {
            assertEquals(500, server.get("/x").statusCode());
        }
        assertEquals(List.of("threw boom"), probe.ends());
    }

    @Test
    void asyncCycleEndsOnceWhenItCompletesNotWhenItsDispatchReturns() throws Exception {
        try (TestServer server = start(context -> route(context, "/x", (request, response) -> {
            cycles.add(request.startAsync());
        }))) {
            var answer = server.client().sendAsync(java.net.http.HttpRequest.newBuilder(server.uri("/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            AsyncContext cycle = cycles.poll(10, TimeUnit.SECONDS);
            assertTrue(dispatchReturned.await(10, TimeUnit.SECONDS), "the dispatch returned");
            assertEquals(List.of(), probe.ends());

            ((HttpServletResponse) cycle.getResponse()).setStatus(202);
            cycle.complete();
            assertEquals(202, answer.get(10, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(List.of("answered 202"), probe.ends());
    }

    @Test
    void asyncTimeoutEndsOnceWithTheStatusItWasAnsweredWith() throws Exception {
        try (TestServer server = start(context -> route(context, "/x", (request, response) -> {
            request.startAsync().setTimeout(50);
        }))) {
            assertEquals(500, server.get("/x").statusCode());
        }
        assertEquals(List.of("answered 500"), probe.ends());
    }

    @Test
    void asyncFailureEndsOnceWithTheStatusItWasAnsweredWith() throws Exception {
        try (TestServer server = start(context -> {
            route(context, "/x", (request, response) -> request.startAsync().dispatch("/fail"));
            route(context, "/fail", (request, response) -> {
                throw new IllegalStateException("async boom");
            });
        })) {
            assertEquals(500, server.get("/x").statusCode());
        }
        assertEquals(List.of("answered 500"), probe.ends());
        assertEquals(1, probe.admitted.get());
    }

    @Test
    void abortedCycleEndsOnceThoughTheContainerCompletesItToo() throws Exception {
        try (TestServer server = TestServer.start(context -> {
            context.addFilter(new FilterHolder(new Tracking()), "/*", EVERY_DISPATCH);
            addProbe(context);
            route(context, "/x", (request, response) -> cycles.add(request.startAsync()));
        })) {
            var answer = server.client().sendAsync(java.net.http.HttpRequest.newBuilder(server.uri("/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            AsyncContext cycle = cycles.poll(10, TimeUnit.SECONDS);
            assertTrue(dispatchReturned.await(10, TimeUnit.SECONDS), "the dispatch returned");
            ((HttpServletResponse) cycle.getResponse()).setStatus(299);
            AsyncStarts.aborting(cycle.getRequest());
            assertEquals(List.of("answered 299"), probe.ends());

            cycle.complete();
            assertEquals(299, answer.get(10, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(List.of("answered 299"), probe.ends());
        assertEquals(1, probe.admitted.get());
    }

    @Test
    void laterDispatchesOfTheRequestGoStraightThrough() throws Exception {
        try (TestServer server = start(context -> {
            route(context, "/async", (request, response) -> request.startAsync().dispatch("/forward"));
            route(context, "/forward", (request, response) ->
                    request.getRequestDispatcher("/target").forward(request, response));
            route(context, "/target", (request, response) -> {
                servlet.incrementAndGet();
                response.setStatus(203);
            });
        })) {
            assertEquals(203, server.get("/async").statusCode());
        }
        assertEquals(1, servlet.get());
        assertEquals(1, probe.admitted.get());
        assertEquals(List.of("answered 203"), probe.ends());
    }

    @Test
    void requestThatIsNotHttpGoesStraightThrough() throws Exception {
        try (TestServer server = TestServer.start(context -> {
            context.addFilter(new FilterHolder(new NotHttp()), "/*", EVERY_DISPATCH);
            addProbe(context);
            context.addServlet(new ServletHolder(new GenericServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                public void service(ServletRequest request, ServletResponse response) throws IOException {
                    servlet.incrementAndGet();
                    response.getWriter().write(request instanceof HttpServletRequest ? "http" : "plain");
                }
            }), "/x");
        })) {
            assertEquals("plain", server.get("/x").body());
        }
        assertEquals(1, servlet.get());
        assertEquals(0, probe.admitted.get());
        assertEquals(0, probe.calls());
    }

    @Test
    void passedAndAnsweredRequestsCountTheirOwnTimeAndEndNothing() throws Exception {
        try (TestServer server = start(context -> route(context, "/x", (request, response) -> {
            servlet.incrementAndGet();
        }))) {
            assertEquals(200, server.get("/x?admit=pass").statusCode());
            assertEquals(429, server.get("/x?admit=answer").statusCode());
        }
        assertEquals(1, servlet.get());
        assertEquals(List.of(), probe.ends());
        assertEquals(2, probe.calls());
    }

    @Test
    void ownTimeLeavesTheRestOfTheChainOut() throws Exception {
        AtomicInteger downstreamMillis = new AtomicInteger();
        try (TestServer server = start(context -> route(context, "/x", (request, response) -> {
            long begin = System.nanoTime();
            try {
                // the servlet works for a second: nothing counts this latch down
                new CountDownLatch(1).await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            downstreamMillis.set((int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        }))) {
            assertEquals(200, server.get("/x").statusCode());
        }
        assertEquals(1, probe.calls());
        assertTrue(downstreamMillis.get() >= 1000, downstreamMillis + " ms");
        long ownMillis = TimeUnit.NANOSECONDS.toMillis(probe.registry.counter("filter.probe.ownTimeTotalNanos")
                .getCount());
        assertTrue(ownMillis < downstreamMillis.get(), ownMillis + " ms of own time");
        assertFalse(probe.ends().isEmpty());
    }

    private TestServer start(Consumer<ServletContextHandler> routes) throws Exception {
        return TestServer.start(context -> {
            addProbe(context);
            routes.accept(context);
        });
    }

    private void addProbe(ServletContextHandler context) {
        context.addFilter(new FilterHolder(new Returned()), "/*", EnumSet.of(DispatcherType.REQUEST));
        FilterHolder holder = new FilterHolder(probe);
        holder.setAsyncSupported(true);
        context.addFilter(holder, "/*", EVERY_DISPATCH);
    }

    /** Tells the test when the request's first dispatch has returned through the probe. */
    private final class Returned implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, jakarta.servlet.ServletException {
            chain.doFilter(request, response);
            dispatchReturned.countDown();
        }
    }

    /** Hands the chain a request that notes its async cycle, as ExceptionHandlingFilter does. */
    private static final class Tracking implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, jakarta.servlet.ServletException {
            chain.doFilter(AsyncStarts.track((HttpServletRequest) request,
                    ClientConnection.watch((HttpServletResponse) response)), response);
        }
    }

    /** Hands the chain the container's request and response as no HTTP ones. */
    private static final class NotHttp implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, jakarta.servlet.ServletException {
            chain.doFilter(new ServletRequestWrapper(request), new ServletResponseWrapper(response));
        }
    }

    /** A filter on the skeleton that notes each request it admits and each end its calls learn of. */
    static final class Probe extends TimedFilter<Probe.Call> {
        final MetricRegistry registry = new MetricRegistry();
        final AtomicInteger admitted = new AtomicInteger();
        private final Queue<String> ends = new ConcurrentLinkedQueue<>();

        @Override
        protected void start(FilterConfig filterConfig) {
            measureIn(new FilterMetrics(registry, "probe"));
        }

        @Override
        protected Object admit(HttpServletRequest request, HttpServletResponse response, long start) {
            admitted.incrementAndGet();
            String admit = request.getParameter("admit");
            if ("pass".equals(admit)) {
                return PASS;
            }
            if ("answer".equals(admit)) {
                response.setStatus(429);
                return ANSWERED;
            }
            return new Call();
        }

        List<String> ends() {
            return List.copyOf(ends);
        }

        long calls() {
            return registry.counter("filter.probe.calls").getCount();
        }

        final class Call extends RequestEnd {
            @Override
            protected void ended(HttpServletRequest request, HttpServletResponse response, Throwable failure,
                    long nanoTime) {
                ends.add(failure != null ? "threw " + failure.getMessage() : "answered " + response.getStatus());
            }
        }
    }
}
