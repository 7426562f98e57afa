package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Bounded concurrent GETs over three backends while one is killed or frozen. */
class LoadTest {
    private static final int CLIENTS = 8;
    private static final int REQUESTS = 600;
    private static final long TRY_TIMEOUT_MS = 400;

    private record Outcome(int failed, long maxMillis) {
    }

    /** Runs the load; {@code disrupt} runs once, after a third of the requests. */
    private static Outcome load(ProxyFixture fixture, ThrowingRunnable disrupt) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong maxMillis = new AtomicLong();
        java.util.concurrent.CountDownLatch third = new java.util.concurrent.CountDownLatch(REQUESTS / 3);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                futures.add(clients.submit(() -> {
                    while (sent.incrementAndGet() <= REQUESTS) {
                        long start = System.nanoTime();
                        HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                                fixture.proxy.uri("/load")).timeout(Duration.ofSeconds(10)).GET().build());
                        maxMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                        if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                        third.countDown();
                    }
                    return null;
                }));
            }
            third.await();
            disrupt.run();
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            clients.shutdownNow();
        }
        return new Outcome(failed.get(), maxMillis.get());
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void killingOneOfThreeBackendsUnderLoadFailsNoRequest() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(3, "tryTimeout", Long.toString(TRY_TIMEOUT_MS) + "ms",
                "healthCheckInterval", "200ms")) {
            Outcome outcome = load(fixture, () -> fixture.backend(0).kill());
            assertEquals(0, outcome.failed());
            assertTrue(fixture.backend(1).requests() > 0 && fixture.backend(2).requests() > 0);
        }
    }

    @Test
    void freezingOneOfThreeBackendsUnderLoadFailsNoRequestAndThePerTryTimeoutBoundsLatency() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(3, "tryTimeout", Long.toString(TRY_TIMEOUT_MS) + "ms",
                "healthCheckInterval", "200ms", "healthCheckTimeout", "200ms")) {
            Outcome outcome = load(fixture, () -> fixture.backend(1).freeze());
            assertEquals(0, outcome.failed());
            assertTrue(fixture.retries() > 0, "no request met the frozen backend");
            // One try at most hits the frozen backend: the per-try timeout plus an ordinary answer, with margin.
            assertTrue(outcome.maxMillis() < TRY_TIMEOUT_MS + 1000, "max latency " + outcome.maxMillis() + " ms");
        }
    }
}
