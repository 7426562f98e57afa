package io.breakwater.proxy.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.balance.internal.BackendPool;
import io.breakwater.proxy.balance.internal.BackendSpec;
import io.breakwater.proxy.balance.internal.ConsistentHash;
import io.breakwater.proxy.balance.internal.LeastConnections;
import io.breakwater.proxy.balance.internal.RoundRobin;
import io.breakwater.proxy.balance.internal.SmoothWeightedRoundRobin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrategiesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static BackendPool pool(String... specs) {
        List<BackendSpec> list = java.util.Arrays.stream(specs).map(BackendSpec::parse).toList();
        return new BackendPool(list, CLOCK, new BackendPool.Ejection(3, Duration.ofSeconds(30),
                Duration.ofMinutes(5), 50), b -> { }, b -> { });
    }

    private static Map<Backend, Integer> count(BalanceStrategy strategy, BackendPool pool, int picks) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(strategy.choose(pool.candidates(Set.of()), "k" + i), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void weightedRoundRobinDistributes10000RequestsWithin5PercentOfTheWeights() {
        BackendPool pool = pool("http://a:1;weight=5", "http://b:1;weight=3", "http://c:1;weight=2");
        Map<Backend, Integer> counts = count(new SmoothWeightedRoundRobin(), pool, 10_000);
        for (Backend backend : pool.all()) {
            double expected = 10_000 * backend.getWeight() / 10.0;
            assertEquals(expected, counts.get(backend), expected * 0.05, backend.key());
        }
    }

    @Test
    void weightedRoundRobinInterleavesRatherThanBursts() {
        BackendPool pool = pool("http://a:1;weight=5", "http://b:1", "http://c:1");
        BalanceStrategy strategy = new SmoothWeightedRoundRobin();
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            order.append(strategy.choose(pool.candidates(Set.of()), null).uri().getHost());
        }
        assertEquals("aabacaa", order.toString());
    }

    @Test
    void roundRobinTakesEachInTurn() {
        BackendPool pool = pool("http://a:1", "http://b:1", "http://c:1");
        Map<Backend, Integer> counts = count(new RoundRobin(), pool, 300);
        pool.all().forEach(b -> assertEquals(100, counts.get(b)));
    }

    @Test
    void everyStrategySkipsDrainedDisabledEjectedAndUnhealthyBackends() {
        for (String name : List.of("round-robin", "weighted", "least-connections", "least-response-time", "random",
                "hash")) {
            BackendPool pool = pool("http://a:1", "http://b:1", "http://c:1", "http://d:1", "http://e:1");
            pool.all().get(0).drain();
            pool.all().get(1).disable();
            pool.all().get(2).healthy(false);
            pool.all().get(3).eject(Duration.ofMinutes(1), Duration.ofMinutes(5));
            Map<Backend, Integer> counts = count(BalanceStrategy.named(name, pool), pool, 200);
            assertEquals(Map.of(pool.all().get(4), 200), counts, name);
        }
    }

    @Test
    void leastConnectionsPrefersTheBackendWithFewerInFlight() {
        BackendPool pool = pool("http://a:1", "http://b:1");
        Backend busy = pool.all().get(0);
        for (int i = 0; i < 10; i++) {
            busy.begin();
        }
        Map<Backend, Integer> counts = count(new LeastConnections(pool), pool, 100);
        assertEquals(100, counts.get(pool.all().get(1)));
    }

    @Test
    void hashingKeepsAClientOnItsBackendAndRemovingOneMovesOnlyItsClients() {
        BackendPool pool = pool("http://a:1", "http://b:1", "http://c:1", "http://d:1");
        BalanceStrategy strategy = new ConsistentHash(pool);
        Map<String, Backend> before = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String client = "10.0.0." + i;
            Backend chosen = strategy.choose(pool.candidates(Set.of()), client);
            assertEquals(chosen, strategy.choose(pool.candidates(Set.of()), client), "stable");
            before.put(client, chosen);
        }
        Backend removed = pool.all().get(1);
        pool.remove(removed.key());
        int moved = 0;
        for (Map.Entry<String, Backend> entry : before.entrySet()) {
            Backend now = strategy.choose(pool.candidates(Set.of()), entry.getKey());
            if (entry.getValue() == removed) {
                moved++;
                assertFalse(now == removed);
            } else {
                assertEquals(entry.getValue(), now, "a client of a remaining backend moved");
            }
        }
        // Virtual nodes spread clients evenly: the removed backend had about a quarter of them.
        assertTrue(moved > 350 && moved < 650, "moved " + moved);
    }

    @Test
    void passiveEjectionStopsAtTheCapOnTheShareEjected() {
        BackendPool pool = pool("http://a:1", "http://b:1", "http://c:1", "http://d:1");
        // each answered once, in the millisecond of the failures (a fixed clock): each failing one has peers that
        // answered since its failures began
        pool.all().forEach(backend -> backend.succeeded(1_000_000));
        for (Backend backend : pool.all()) {
            for (int i = 0; i < 3; i++) {
                pool.failed(backend);
            }
        }
        assertEquals(2, pool.all().stream().filter(Backend::isEjected).count());
    }

    @Test
    void ejectionGrowsWithEachReEjectionUpToTheMaximum() {
        MutableClock clock = new MutableClock();
        BackendPool pool = new BackendPool(List.of(BackendSpec.parse("http://a:1"), BackendSpec.parse("http://b:1")),
                clock, new BackendPool.Ejection(1, Duration.ofSeconds(10), Duration.ofSeconds(25), 50),
                b -> { }, b -> { });
        Backend a = pool.all().get(0);
        Backend b = pool.all().get(1);
        b.succeeded(1_000_000);
        assertTrue(pool.failed(a));
        assertEquals("2026-01-01T00:00:10Z", a.getEjectedUntil());
        clock.now = clock.now.plusSeconds(10);
        assertTrue(a.isAvailable());
        b.succeeded(1_000_000);
        assertTrue(pool.failed(a));
        assertEquals("2026-01-01T00:00:30Z", a.getEjectedUntil());
        clock.now = clock.now.plusSeconds(20);
        b.succeeded(1_000_000);
        assertTrue(pool.failed(a));
        assertEquals("2026-01-01T00:00:55Z", a.getEjectedUntil());
    }

    @Test
    void aRunOfFailuresThatEveryBackendSharesEjectsNone() {
        MutableClock clock = new MutableClock();
        BackendPool pool = new BackendPool(List.of(BackendSpec.parse("http://a:1"), BackendSpec.parse("http://b:1")),
                clock, new BackendPool.Ejection(3, Duration.ofSeconds(10), Duration.ofSeconds(25), 50),
                b -> { }, b -> { });
        Backend a = pool.all().get(0);
        Backend b = pool.all().get(1);
        a.succeeded(1_000_000);
        b.succeeded(1_000_000);
        clock.now = clock.now.plusSeconds(1);
        // a stall times out every try in flight, on both backends
        for (int i = 0; i < 10; i++) {
            assertFalse(pool.failed(a));
            assertFalse(pool.failed(b));
        }
        assertTrue(a.isAvailable() && b.isAvailable());

        // once b answers, a's run of failures is its own
        clock.now = clock.now.plusSeconds(1);
        b.succeeded(1_000_000);
        assertTrue(pool.failed(a));
        assertTrue(a.isEjected());
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
