package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sample jar stopped with SIGTERM, as an orchestrator stops it: a real process, real connections. */
class GracefulStopIT {
    private static final String SLOW_ACTIVE = "\"route./demo/slow.active\":{\"count\":1}";
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)\r\n");

    private final HttpClient client = HttpClient.newHttpClient();

    private CompletableFuture<HttpResponse<String>> slowRequest(SampleProcess sample, int ms) {
        return client.sendAsync(HttpRequest.newBuilder(sample.uri("/demo/slow?ms=" + ms))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitSlowRequestInFlight(SampleProcess sample) {
        SampleProcess.await("the slow request in flight", Duration.ofSeconds(10), () -> {
            try {
                return sample.raw("/breakwater/metrics").contains(SLOW_ACTIVE) ? true : null;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void requestInFlightCompletesWhileReadyIs503AndNewConnectionsAreRefusedThenTheSampleExits0() throws Exception {
        Duration grace = Duration.ofSeconds(10);
        try (SampleProcess sample = SampleProcess.start("--drain-delay", "1s", "--grace", "10s")) {
            assertTrue(sample.raw("/breakwater/ready").startsWith("HTTP/1.1 200 "));
            CompletableFuture<HttpResponse<String>> slow = slowRequest(sample, 3000);
            awaitSlowRequestInFlight(sample);

            long signalled = System.nanoTime();
            sample.term();
            // Within the drain delay: a new connection still gets an answer, and readiness says 503.
            String ready = SampleProcess.await("readiness 503", Duration.ofSeconds(5), () -> {
                try {
                    String answer = sample.raw("/breakwater/ready");
                    return answer.startsWith("HTTP/1.1 503 ") ? answer : null;
                } catch (IOException e) {
                    throw new AssertionError("no readiness 503 seen before connections were refused", e);
                }
            });
            assertTrue(ready.endsWith("\r\n\r\n{\"status\":\"NOT_READY\",\"reasons\":[\"draining\"]}"), ready);
            String health = sample.raw("/breakwater/health");
            assertTrue(health.startsWith("HTTP/1.1 200 ") && health.endsWith("{\"status\":\"UP\"}"), health);

            SampleProcess.await("new connections refused", Duration.ofSeconds(10), () -> {
                try {
                    sample.raw("/breakwater/health");
                    return null;
                } catch (ConnectException e) {
                    return true;
                } catch (IOException e) {
                    throw new AssertionError("a connection that was not refused lost its answer", e);
                }
            });
            assertFalse(slow.isDone(), "the slow request is still in flight when new connections are refused");

            HttpResponse<String> answer = slow.get(10, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode());
            assertEquals("{\"sleptMs\":3000}", answer.body());
            assertTrue(sample.waitFor(grace.plusSeconds(5).minusNanos(System.nanoTime() - signalled)),
                    "the sample exits within the grace period plus 5 s");
            assertEquals(0, sample.exitValue());
            sample.awaitLog("drained: every request in flight completed", Duration.ofSeconds(5));
        }
    }

    @Test
    void secondSigtermStopsAtOnceAndLogsHowManyRequestsWereCut() throws Exception {
        try (SampleProcess sample = SampleProcess.start()) {
            CompletableFuture<HttpResponse<String>> slow = slowRequest(sample, 4000);
            awaitSlowRequestInFlight(sample);
            sample.term();
            sample.awaitLog("SIGTERM: draining", Duration.ofSeconds(5));
            long signalled = System.nanoTime();
            sample.term();
            assertTrue(sample.waitFor(Duration.ofSeconds(5)), "the second SIGTERM stops the sample at once");
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertEquals(0, sample.exitValue());
            String line = sample.awaitLog("second SIGTERM", Duration.ofSeconds(5));
            assertTrue(line.endsWith("second SIGTERM: stopping at once, 1 request in flight cut"), line);
            ExecutionException cut = assertThrows(ExecutionException.class, () -> slow.get(10, TimeUnit.SECONDS));
            assertTrue(cut.getCause() instanceof IOException, cut.toString());
            System.out.println("second SIGTERM to exit: " + stopMillis + " ms");
        }
    }

    @Test
    void endOfTheGracePeriodStopsAtOnceAndLogsHowManyRequestsWereCut() throws Exception {
        try (SampleProcess sample = SampleProcess.start("--grace", "1s")) {
            CompletableFuture<HttpResponse<String>> slow = slowRequest(sample, 4000);
            awaitSlowRequestInFlight(sample);
            sample.term();
            assertTrue(sample.waitFor(Duration.ofSeconds(1 + 5)), "the sample exits within the grace period plus 5 s");
            assertEquals(0, sample.exitValue());
            String line = sample.awaitLog("grace period", Duration.ofSeconds(5));
            assertTrue(line.endsWith("grace period of 1s ended: stopping at once, 1 request in flight cut"), line);
            assertThrows(ExecutionException.class, () -> slow.get(10, TimeUnit.SECONDS));
        }
    }

    /**
     * Clients that each open a new connection per request (slow, proxied and quick routes) while the sample stops,
     * behind a balancer: one watcher polls readiness and, once it answers 503, the clients start no new request, as a
     * balancer stops sending within the drain delay. Every request started gets a whole 200 answer. Clients that
     * ignore readiness are not this test's: a connection whose handshake completes in the microseconds between the
     * listener's last take-in and its close is reset, which no server can prevent (README, "stops gracefully");
     * that the connections already waiting are taken in, not reset, is {@code DrainingConnectorTest}'s.
     */
    @Test
    void stoppingUnderLoadLosesNoRequest() throws Exception {
        int clients = 16;
        List<String> paths = List.of("/demo/slow?ms=300", "/orders/1", "/demo/hello", "/orders/2");
        try (SampleProcess sample = SampleProcess.start("--grace", "20s", "--drain-delay", "1s")) {
            AtomicInteger whole = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger afterSignal = new AtomicInteger();
            AtomicBoolean signalled = new AtomicBoolean();
            AtomicBoolean balancerStopped = new AtomicBoolean();
            List<String> lost = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch warm = new CountDownLatch(clients * 5);
            List<CompletableFuture<Void>> running = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int c = 0; c < clients; c++) {
                String path = paths.get(c % paths.size());
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread client = new Thread(() -> {
                    while (!balancerStopped.get() && System.nanoTime() < end) {
                        boolean startedAfterSignal = signalled.get();
                        try {
                            String answer = sample.raw(path);
                            if (isWhole200(answer)) {
                                whole.incrementAndGet();
                                if (startedAfterSignal) {
                                    afterSignal.incrementAndGet();
                                }
                                warm.countDown();
                            } else {
                                lost.add(path + ": " + answer.lines().findFirst().orElse("(nothing)"));
                            }
                        } catch (ConnectException e) {
                            refused.incrementAndGet();
                        } catch (IOException e) {
                            lost.add(path + ": " + e);
                        }
                    }
                    done.complete(null);
                }, "load-" + c);
                client.start();
                running.add(done);
            }
            assertTrue(warm.await(30, TimeUnit.SECONDS), "every client got answers before the stop");
            sample.term();
            signalled.set(true);
            SampleProcess.await("readiness 503", Duration.ofSeconds(5), () -> {
                try {
                    return sample.raw("/breakwater/ready").startsWith("HTTP/1.1 503 ") ? true : null;
                } catch (IOException e) {
                    throw new AssertionError("readiness did not answer within the drain delay", e);
                }
            });
            balancerStopped.set(true);
            CompletableFuture.allOf(running.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            assertTrue(sample.waitFor(Duration.ofSeconds(20 + 5)));
            assertEquals(0, sample.exitValue());
            assertEquals(List.of(), lost);
            assertEquals(0, refused.get(), "no connection refused before the drain delay ended");
            assertTrue(afterSignal.get() > 0, "requests started after the signal was sent were answered");
            System.out.println("stop under load: " + whole.get() + " whole answers, " + afterSignal.get()
                    + " of them started after the signal, " + lost.size() + " lost");
        }
    }

    private static boolean isWhole200(String answer) {
        int split = answer.indexOf("\r\n\r\n");
        if (!answer.startsWith("HTTP/1.1 200 ") || split < 0) {
            return false;
        }
        String head = answer.substring(0, split + 2);
        String body = answer.substring(split + 4);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (length.find()) {
            return body.length() == Integer.parseInt(length.group(1));
        }
        return head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")
                && body.endsWith("0\r\n\r\n");
    }
}
