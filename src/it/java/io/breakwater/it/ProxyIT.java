package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The sample's BalancingProxyServlet, through the whole filter chain, over three real backends, in each container. */
@ParameterizedClass
@EnumSource(ServletContainer.class)
class ProxyIT {
    @Parameter
    ServletContainer container;

    private static final int CLIENTS = 8;
    private static final int REQUESTS_PER_CLIENT = 150;

    @Test
    void pathsOutsideDemoAreSpreadOverTheBackends() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container)) {
            Set<String> answeredBy = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> response = sample.get("/orders/" + i);
                assertEquals(200, response.statusCode());
                answeredBy.add(response.headers().firstValue("X-Backend").orElseThrow());
            }
            assertEquals(Set.of("b1", "b2", "b3"), answeredBy);
            assertEquals(200, sample.get("/demo/hello").statusCode());
            assertEquals(null, sample.get("/demo/hello").headers().firstValue("X-Backend").orElse(null));
        }
    }

    @Test
    void killingAndFreezingBackendsUnderLoadFailsNoGet() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container)) {
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicLong slowestMillis = new AtomicLong();
            List<String> failures = new ArrayList<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                runs.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        try {
                            long start = System.nanoTime();
                            HttpResponse<String> response = sample.send(HttpRequest.newBuilder(sample.uri("/items"))
                                    .timeout(Duration.ofSeconds(10)).build());
                            slowestMillis.accumulateAndGet(
                                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                            if (response.statusCode() != 200) {
                                failed.incrementAndGet();
                                synchronized (failures) {
                                    failures.add(response.statusCode() + " " + response.body());
                                }
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            synchronized (failures) {
                                failures.add(e.toString());
                            }
                        }
                        done.incrementAndGet();
                    }
                }, clients));
            }
            awaitDone(done, CLIENTS * REQUESTS_PER_CLIENT / 4);
            sample.backend(0).close();
            awaitDone(done, CLIENTS * REQUESTS_PER_CLIENT / 2);
            sample.backend(1).freeze();
            CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
            sample.backend(1).thaw();
            clients.shutdown();

            assertEquals(0, failed.get(), failures.toString());
            assertTrue(sample.backend(2).requests() > 0);
            // A try on the frozen backend is backed up by a hedge after 200 ms (the sample's hedgeAfter), so no
            // request waits for the try timeout (2 s); without the per-try timeout it would wait for the deadline.
            assertTrue(slowestMillis.get() < 1_000, "slowest request took " + slowestMillis.get() + " ms");
        }
    }

    private static void awaitDone(AtomicInteger done, int count) {
        Await.until(count + " requests of the load answered", Duration.ofSeconds(60), () -> done.get() >= count);
    }
}
