package io.breakwater.timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.time.TimeoutScheduler;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.ErrorLines;
import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * However a request ends before its deadline, the deadline ends with it: it never fires on the request afterwards
 * (which the container has recycled by then), nothing is counted as a timeout, and the route's active requests go
 * back to 0.
 */
class RequestEndTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    /** ExceptionHandlingFilter, TimeoutFilter (the deadline under test), MetricsFilter (counting active requests). */
    private static final class Chain implements AutoCloseable {
        private final FilterHolder timeout = new FilterHolder(TimeoutFilter.class);
        private final ErrorLines errors = ErrorLines.capture();
        private final TestServer server;

        Chain(TestServlets.Handler handler) throws Exception {
            timeout.setInitParameters(Map.of("timeout", TIMEOUT.toMillis() + "ms"));
            server = TestServer.start(context -> {
                for (FilterHolder holder : List.of(new FilterHolder(ExceptionHandlingFilter.class), timeout,
                        new FilterHolder(MetricsFilter.class))) {
                    holder.setAsyncSupported(true);
                    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
                }
                TestServlets.route(context, "/end/*", handler);
            });
        }

        MetricRegistry registry() {
            return TimeoutFilterTest.registry(server);
        }

        /**
         * Waits until every deadline due by the time this was called has fired or been dropped: a marker due after
         * them fires in the scheduler's sweep that handles them, and schedules a second, which fires a sweep later.
         */
        void awaitDeadlinesDueBy(Duration fromNow) throws Exception {
            TimeoutScheduler scheduler = ((TimeoutFilter) timeout.getFilter()).scheduler();
            CountDownLatch later = new CountDownLatch(1);
            scheduler.schedule(() -> scheduler.schedule(later::countDown, Duration.ZERO), fromNow);
            assertTrue(later.await(30, TimeUnit.SECONDS), "the scheduler did not get past the deadline");
        }

        /** After the request: the route's active count goes back to 0, its deadline never fires, nothing failed. */
        void assertEndedCleanly() throws Exception {
            Await.until("route /end/* has no active request", Duration.ofSeconds(10),
                    () -> registry().counter("route./end/*.active").getCount() == 0);
            awaitDeadlinesDueBy(TIMEOUT);
            assertEquals(0, registry().counter("filter.timeout.timeouts").getCount());
            assertFalse(registry().getCounters().containsKey("route./end/*.timeouts"));
            assertEquals(0, registry().counter("route./end/*.active").getCount());
            assertEquals(List.of(), errors.lines());
        }

        @Override
        public void close() {
            try {
                server.close();
            } finally {
                errors.close();
            }
        }
    }

    /** Sends a request and reads until the server closes the connection. */
    private static String exchange(Chain chain, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", chain.server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Sends the first part of the answer: the response is committed. */
    private static void commit(HttpServletResponse response) {
        try {
            response.setContentType("text/plain");
            response.getOutputStream().write("first part\n".getBytes(StandardCharsets.UTF_8));
            response.flushBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void commitAndAbort(HttpServletResponse response) throws IOException {
        commit(response);
        response.sendError(-1); // Jetty's abort, as its ProxyServlet does when a backend fails mid-answer
    }

    private static void assertAborted(String raw) {
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
        assertTrue(raw.contains("first part"), raw);
        assertFalse(raw.endsWith("0\r\n\r\n"), "the aborted response must not look complete: " + raw);
    }

    @Test
    void asyncAnswerAbortedAfterCommitEndsItsDeadline() throws Exception {
        try (Chain chain = new Chain((request, response) -> {
            AsyncContext async = request.startAsync();
            async.start(() -> {
                try {
                    commitAndAbort(response);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                async.complete(); // as Jetty's proxy does after the abort: a no-op by then
            });
        })) {
            assertAborted(exchange(chain, "/end/async"));
            chain.assertEndedCleanly();
        }
    }

    @Test
    void asyncAnswerAbortedBeforeTheFiltersReturnEndsItsDeadline() throws Exception {
        try (Chain chain = new Chain((request, response) -> {
            AsyncContext async = request.startAsync();
            commitAndAbort(response); // a backend that failed before service() returned
            async.complete();
        })) {
            assertAborted(exchange(chain, "/end/early"));
            chain.assertEndedCleanly();
        }
    }

    @Test
    void synchronousAnswerAbortedAfterCommitEndsItsDeadline() throws Exception {
        try (Chain chain = new Chain((request, response) -> commitAndAbort(response))) {
            assertAborted(exchange(chain, "/end/sync"));
            chain.assertEndedCleanly();
        }
    }

    @Test
    void asyncFailureAfterCommitEndsItsDeadline() throws Exception {
        try (Chain chain = new Chain((request, response) -> {
            if (request.getDispatcherType() == DispatcherType.ASYNC) {
                throw new IllegalStateException("failed after the answer was committed");
            }
            AsyncContext async = request.startAsync();
            async.start(() -> {
                commit(response);
                async.dispatch();
            });
        })) {
            assertAborted(exchange(chain, "/end/dispatch"));
            Await.until("route /end/* has no active request", Duration.ofSeconds(10),
                    () -> chain.registry().counter("route./end/*.active").getCount() == 0);
            chain.awaitDeadlinesDueBy(TIMEOUT);
            assertEquals(0, chain.registry().counter("filter.timeout.timeouts").getCount());
            assertEquals(0, chain.registry().counter("route./end/*.active").getCount());
            List<String> errors = chain.errors.lines();
            assertEquals(1, errors.size(), errors.toString()); // the error contract's one line for the failure
            assertTrue(errors.get(0).contains("ExceptionHandlingFilter - request failed after the response was "
                    + "committed, aborting the connection"), errors.get(0));
        }
    }

    @Test
    void clientGoneDuringAsyncAnswerEndsItsDeadline() throws Exception {
        CompletableFuture<Void> clientGone = new CompletableFuture<>();
        CompletableFuture<IOException> writeFailed = new CompletableFuture<>();
        try (Chain chain = new Chain((request, response) -> {
            AsyncContext async = request.startAsync();
            async.start(() -> {
                commit(response);
                try {
                    clientGone.get(10, TimeUnit.SECONDS);
                    byte[] chunk = new byte[8192];
                    for (int i = 0; i < 10_000; i++) {
                        response.getOutputStream().write(chunk);
                        response.flushBuffer();
                    }
                } catch (IOException e) {
                    writeFailed.complete(e);
                } catch (Exception e) {
                    writeFailed.completeExceptionally(e);
                }
                async.complete();
            });
        })) {
            try (Socket socket = new Socket("127.0.0.1", chain.server.port())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write("GET /end/gone HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                byte[] head = new byte[64];
                assertTrue(in.read(head) > 0);
                socket.setSoLinger(true, 0); // a reset: the client is gone
            }
            clientGone.complete(null);
            writeFailed.get(30, TimeUnit.SECONDS);
            chain.assertEndedCleanly();
        }
    }

    @Test
    void asyncAnswerCommittedBeforeItsDeadlineThenAbortedByItCountsOneTimeoutAndEnds() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (Chain chain = new Chain((request, response) -> {
            AsyncContext async = request.startAsync();
            async.start(() -> {
                commit(response);
                try {
                    never.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException timedOut) {
                    // the deadline interrupts only the request's own thread; this one just ends
                }
            });
        })) {
            assertAborted(exchange(chain, "/end/stream"));
            Await.until("route /end/* has no active request", Duration.ofSeconds(10),
                    () -> chain.registry().counter("route./end/*.active").getCount() == 0);
            chain.awaitDeadlinesDueBy(TIMEOUT);
            assertEquals(1, chain.registry().counter("filter.timeout.timeouts").getCount());
            assertEquals(1, chain.registry().counter("route./end/*.timeouts").getCount());
            assertEquals(List.of(), chain.errors.lines());
        } finally {
            never.countDown();
        }
    }
}
