package io.breakwater.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.ProxyFixture;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.internal.BackendPool;
import io.breakwater.proxy.balance.internal.BackendSpec;
import io.breakwater.testing.TestClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A hedge goes out only when another backend's recent answers promise to beat the slow try. */
class HedgePromiseTest {
    private static final long MS = 1_000_000;

    private static List<Backend> backends(String... specs) {
        List<BackendSpec> list = java.util.Arrays.stream(specs).map(BackendSpec::parse).toList();
        return new BackendPool(list, new TestClock(), new BackendPool.Ejection(3, Duration.ofSeconds(30),
                Duration.ofMinutes(5), 50), b -> { }, b -> { }).all();
    }

    @Test
    void aHedgeIsPromisingOnlyWhereACandidateAnswersInUnderHalfTheTimeWaited() {
        List<Backend> backends = backends("http://a:1", "http://b:1");
        Backend a = backends.get(0);
        Backend b = backends.get(1);

        assertTrue(Hedging.promising(100 * MS, backends), "no figure yet: a hedge may tell");
        a.succeeded(60 * MS);
        b.succeeded(55 * MS);
        assertFalse(Hedging.promising(100 * MS, backends), "every backend as slow: the proxy is loaded");
        assertTrue(Hedging.promising(121 * MS, backends));
        b.succeeded(60 * MS);
        assertFalse(Hedging.promising(119 * MS, List.of(a)));
        assertTrue(Hedging.promising(100 * MS, backends("http://c:1")));
    }

    @Test
    void noHedgeGoesOutWhenEveryBackendAnswersAsSlowly() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "hedgeAfter", "100ms",
                "tryTimeout", "10s", "healthCheckPath", "off")) {
            // each backend's first answer gives it a figure of at least 1 s
            for (int i = 0; i < 2; i++) {
                assertEquals(200, fixture.get("/x?delayMs=1000").statusCode());
            }
            long hedges = fixture.registry().counter("proxy.proxy.hedges").getCount();
            for (int i = 0; i < 3; i++) {
                assertEquals(200, fixture.get("/x?delayMs=1000").statusCode());
            }
            assertEquals(hedges, fixture.registry().counter("proxy.proxy.hedges").getCount());
        }
    }
}
