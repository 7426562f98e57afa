package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * A traffic spike as a user's would come: the sample WAR, with its own web.xml settings, under 256 connections for
 * 10 s against two healthy backends. It must serve every request and take nothing out, however busy the host.
 * The proxy's backends and the breakers are read over JMX, as an operator reads them (the WAR's classes are its own).
 */
class SpikeIT {
    private static final int CONNECTIONS = 256;
    private static final Duration LOAD = Duration.ofSeconds(10);
    private static final int WARM_UP = 500;

    @Test
    void aSpikeOf256ConnectionsOverTwoHealthyBackendsIsServedWholeAndEvenly() throws Exception {
        try (SampleWar sample = SampleWar.deploy(SampleWar.warFile().toString(), Map.of(), 2)) {
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            List<ObjectName> backends = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                backends.add(new ObjectName("breakwater:type=Backend,context=\"ROOT\",name="
                        + ObjectName.quote("proxy " + sample.backend(i).url())));
            }
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> takenOut = new ConcurrentLinkedQueue<>();
            AtomicLong answered = new AtomicLong();
            // Jetty's asynchronous client: the load costs the shared cores less than the JDK's client would
            HttpClient client = new HttpClient();
            client.setMaxConnectionsPerDestination(CONNECTIONS);
            client.setMaxRequestsQueuedPerDestination(CONNECTIONS);
            client.start();
            try {
                // a spike hits a server that has been serving: its code compiled, its connections to backends open
                for (int i = 0; i < WARM_UP; i++) {
                    assertEquals(200, client.GET(sample.uri("/warm-up/" + i)).getStatus());
                }
                long end = System.nanoTime() + LOAD.toNanos();
                List<CompletableFuture<Void>> connections = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++) {
                    connections.add(loop(client, sample, c, end, answered, failures));
                }
                // watched from outside the load, as an operator's dashboard would
                while (!connections.isEmpty()) {
                    watch(jmx, backends, takenOut);
                    CompletableFuture.anyOf(connections.toArray(new CompletableFuture<?>[0]))
                            .completeOnTimeout(null, 50, TimeUnit.MILLISECONDS).join();
                    connections.removeIf(CompletableFuture::isDone);
                }
            } finally {
                client.stop();
            }

            assertEquals(List.of(), List.copyOf(failures).subList(0, Math.min(10, failures.size())),
                    failures.size() + " requests failed, " + answered.get() + " answered");
            assertEquals(List.of(), List.copyOf(takenOut).stream().distinct().toList());
            Set<ObjectName> breakers = jmx.queryNames(new ObjectName("breakwater:type=CircuitBreaker,*"), null);
            assertFalse(breakers.isEmpty(), "no breaker");
            for (ObjectName breaker : breakers) {
                assertEquals("CLOSED", jmx.getAttribute(breaker, "State"), breaker.toString());
                assertEquals(0L, jmx.getAttribute(breaker, "RejectedCalls"), breaker.toString());
            }
            long proxied = sample.backend(0).requests() + sample.backend(1).requests();
            assertTrue(answered.get() >= CONNECTIONS, "answered " + answered.get());
            for (int i = 0; i < 2; i++) {
                int requests = sample.backend(i).requests();
                assertTrue(requests * 3L >= proxied, "b" + (i + 1) + " got " + requests + " of " + proxied);
            }
        }
    }

    /** Notes each backend that is unhealthy or ejected now, and each breaker that is not closed. */
    private static void watch(MBeanServer jmx, List<ObjectName> backends, ConcurrentLinkedQueue<String> takenOut)
            throws JMException {
        for (ObjectName backend : backends) {
            if (!Boolean.TRUE.equals(jmx.getAttribute(backend, "Healthy"))) {
                takenOut.add(backend + " unhealthy");
            }
            if (!"".equals(jmx.getAttribute(backend, "EjectedUntil"))) {
                takenOut.add(backend + " ejected");
            }
        }
        for (ObjectName breaker : jmx.queryNames(new ObjectName("breakwater:type=CircuitBreaker,*"), null)) {
            if (!"CLOSED".equals(jmx.getAttribute(breaker, "State"))) {
                takenOut.add(breaker + " " + jmx.getAttribute(breaker, "State"));
            }
        }
    }

    /** One connection's requests, one after another until the load's end; each failure is noted. */
    private static CompletableFuture<Void> loop(HttpClient client, SampleWar sample, int connection, long end,
            AtomicLong answered, ConcurrentLinkedQueue<String> failures) {
        if (System.nanoTime() - end >= 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<ContentResponse> sent = new CompletableResponseListener(
                client.newRequest(sample.uri("/items/" + connection)).timeout(60, TimeUnit.SECONDS)).send();
        return sent.handle((response, thrown) -> {
            if (thrown != null) {
                failures.add(thrown.toString());
            } else if (response.getStatus() / 100 != 2) {
                failures.add(response.getStatus() + " " + response.getContentAsString());
            } else {
                answered.incrementAndGet();
            }
            return null;
        }).thenCompose(ignored -> loop(client, sample, connection, end, answered, failures));
    }
}
