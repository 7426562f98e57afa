package io.breakwater.circuit;

import static io.breakwater.circuit.CircuitBreakerFixture.HEALTHY;
import static io.breakwater.circuit.CircuitBreakerFixture.assertCircuitOpen;
import static io.breakwater.circuit.CircuitBreakerFixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.ErrorResponse;
import io.breakwater.core.error.Refusal;
import io.breakwater.core.time.Deadline;
import io.breakwater.testing.TestClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What the breaker counts as a failure, a success, or nothing at all. */
class CircuitBreakerOutcomeTest {

    @Test
    void clientAbortsNeverOpenIt() throws Exception {
        WriteUntilGoneServlet aborted = new WriteUntilGoneServlet();
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of(), Map.of("/abort/*", aborted),
                null)) {
            for (int i = 1; i <= 5; i++) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", fixture.server.port()), 5000);
                    OutputStream out = socket.getOutputStream();
                    out.write("GET /abort/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertTrue(aborted.entered.tryAcquire(10, TimeUnit.SECONDS));
                    socket.setSoLinger(true, 0); // a reset, as a client that gave up sends it
                }
                aborted.clientGone.release();
                int aborts = i;
                awaitTrue(() -> fixture.metrics().counter("filter.exceptionHandling.clientAborts").getCount() == aborts,
                        aborts + " client aborts were handled");
            }

            assertEquals(5, aborted.failedWrites.get());
            assertEquals(State.CLOSED, fixture.breaker("/abort/*").getState());
            assertEquals(0, fixture.breaker("/abort/*").getMetrics().getNumberOfBufferedCalls());
        }
    }

    @Test
    void thrownClientErrorsNeverOpenIt() throws Exception {
        HttpServlet rejecting = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) {
                throw new BreakwaterException(ErrorCode.PAYLOAD_TOO_LARGE);
            }
        };
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of(), Map.of("/upload/*", rejecting),
                null)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(413, fixture.get("/upload/x").statusCode());
            }

            assertEquals(State.CLOSED, fixture.breaker("/upload/*").getState());
            assertEquals(0.0f, fixture.breaker("/upload/*").getMetrics().getFailureRate());
        }
    }

    @Test
    void theSuitesOwnRefusalsNeverOpenIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServlet refusing = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                switch (calls.incrementAndGet() % 3) {
                    case 0 -> ErrorResponse.send(request, response, ErrorCode.NO_HEALTHY_BACKENDS);
                    case 1 -> ErrorResponse.send(request, response, new ErrorCode("OVERLOADED", 503, "Overloaded"));
                    default -> {
                        // a refusal answered with another code: the proxy's connectionWait
                        Refusal.mark(request);
                        ErrorResponse.send(request, response, ErrorCode.BACKEND_ERROR);
                    }
                }
            }
        };
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of(), Map.of("/refused/*", refusing),
                null)) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                statuses.add(fixture.get("/refused/x").statusCode());
            }

            assertEquals(List.of(503, 502, 503, 503, 502, 503, 503, 502, 503), statuses);
            awaitTrue(() -> fixture.metrics().counter("filter.circuitBreaker.calls").getCount() == 9,
                    "the filter returned from all nine requests");
            assertEquals(State.CLOSED, fixture.breaker("/refused/*").getState());
            assertEquals(0, fixture.breaker("/refused/*").getMetrics().getNumberOfBufferedCalls());
        }
    }

    @Test
    void aBackendsErrorAnsweredByTheSuiteOpensIt() throws Exception {
        HttpServlet failing = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                ErrorResponse.send(request, response, ErrorCode.BACKEND_ERROR);
            }
        };
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of(), Map.of("/proxied/*", failing),
                null)) {
            for (int i = 0; i < 4; i++) {
                assertEquals(502, fixture.get("/proxied/x").statusCode());
            }

            // the answer is flushed before the filter judges the call
            awaitTrue(() -> fixture.breaker("/proxied/*").getState() == State.OPEN, "the breaker opened");
        }
    }

    @Test
    void exceptionsAndTimeoutErrorsOpenIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServlet throwing = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) {
                if (calls.incrementAndGet() % 2 == 0) {
                    throw new BreakwaterException(ErrorCode.TIMEOUT);
                }
                throw new IllegalStateException("database down");
            }
        };
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of(), Map.of("/db/*", throwing),
                null)) {
            assertEquals(500, fixture.get("/db/x").statusCode());
            assertEquals(503, fixture.get("/db/x").statusCode());
            assertEquals(500, fixture.get("/db/x").statusCode());
            assertEquals(503, fixture.get("/db/x").statusCode());

            assertEquals(State.OPEN, fixture.breaker("/db/*").getState());
            assertCircuitOpen(fixture.get("/db/x"), "10");
            assertEquals(4, calls.get());
        }
    }

    @Test
    void requestsPastTheirDeadlineCountAsFailures() throws Exception {
        Function<TestClock, Filter> deadline = clock -> (request, response, chain) -> {
            request.setAttribute(Deadline.ATTRIBUTE, Deadline.after(Duration.ofSeconds(1), clock));
            chain.doFilter(request, response);
        };
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of(), Map.of(), deadline)) {
            fixture.healthy.taking(Duration.ofSeconds(2));
            for (int i = 0; i < 4; i++) {
                assertEquals(200, fixture.get("/ok/x").statusCode());
            }

            assertEquals(State.OPEN, fixture.breaker(HEALTHY).getState());
        }
    }

    @Test
    void asyncRequestsAreJudgedWhenTheirAsyncCycleCompletes() throws Exception {
        BlockingQueue<AsyncContext> pending = new LinkedBlockingQueue<>();
        HttpServlet async = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) {
                pending.add(request.startAsync());
            }
        };
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of(), Map.of("/async/*", async),
                null)) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                responses.add(fixture.server.client().sendAsync(
                        java.net.http.HttpRequest.newBuilder(fixture.server.uri("/async/x")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            List<AsyncContext> started = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                AsyncContext context = pending.poll(10, TimeUnit.SECONDS);
                assertNotNull(context);
                started.add(context);
            }
            awaitTrue(() -> fixture.metrics().counter("filter.circuitBreaker.calls").getCount() == 4,
                    "the filter returned from all four requests");

            assertEquals(0, fixture.breaker("/async/*").getMetrics().getNumberOfBufferedCalls());

            for (AsyncContext context : started) {
                ((HttpServletResponse) context.getResponse()).setStatus(502);
                context.complete();
            }
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                assertEquals(502, response.get(10, TimeUnit.SECONDS).statusCode());
            }
            awaitTrue(() -> fixture.breaker("/async/*").getState() == State.OPEN, "the breaker opened");
            assertCircuitOpen(fixture.get("/async/x"), "10");
            assertEquals(0, pending.size());
        }
    }

    /** Waits until the test says the client is gone, then writes until the connection fails. */
    private static final class WriteUntilGoneServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final int CHUNKS = 4096;

        final transient Semaphore entered = new Semaphore(0);
        final transient Semaphore clientGone = new Semaphore(0);
        final AtomicInteger failedWrites = new AtomicInteger();

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            entered.release();
            try {
                if (!clientGone.tryAcquire(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never closed the connection");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            byte[] chunk = new byte[16 * 1024];
            OutputStream out = response.getOutputStream();
            try {
                for (int i = 0; i < CHUNKS; i++) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException e) {
                failedWrites.incrementAndGet();
                throw e;
            }
        }
    }
}
