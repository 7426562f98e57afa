package io.breakwater.proxy.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.balance.internal.BackendPool;
import io.breakwater.proxy.balance.internal.BackendSpec;
import io.breakwater.proxy.balance.internal.LeastConnections;
import io.breakwater.proxy.balance.internal.LeastResponseTime;
import io.breakwater.proxy.balance.internal.PeakEwma;
import io.breakwater.testing.TestClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** How the strategies read a backend's load: in-flight requests, response time, slow start. Time is a test clock. */
class LoadReadingTest {
    private static final long MS = 1_000_000;

    private final TestClock clock = new TestClock();

    private BackendPool pool(Duration slowStart, String... specs) {
        List<BackendSpec> list = java.util.Arrays.stream(specs).map(BackendSpec::parse).toList();
        return new BackendPool(list, clock, new BackendPool.Ejection(3, Duration.ofSeconds(30),
                Duration.ofMinutes(5), 50), slowStart, b -> { }, b -> { });
    }

    private static Map<Backend, Integer> picks(BalanceStrategy strategy, BackendPool pool, int times) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < times; i++) {
            counts.merge(strategy.choose(pool.candidates(Set.of()), null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void leastConnectionsSharesTheLoadOfTwoIdenticalBackendsEvenly() {
        BackendPool pool = pool(Duration.ZERO, "http://a:1", "http://b:1");
        BalanceStrategy strategy = new LeastConnections(pool);
        Deque<Backend> inFlight = new ArrayDeque<>();
        Map<Backend, Integer> counts = new HashMap<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 20_000; i++) {
            Backend chosen = strategy.choose(pool.candidates(Set.of()), null);
            chosen.begin();
            inFlight.add(chosen);
            counts.merge(chosen, 1, Integer::sum);
            // 256 connections' worth in flight, answered in no particular order
            while (inFlight.size() > 256 || (!inFlight.isEmpty() && random.nextInt(4) == 0)) {
                Backend done = random.nextBoolean() ? inFlight.pollFirst() : inFlight.pollLast();
                done.end();
                done.succeeded(MS);
            }
        }
        for (Backend backend : pool.all()) {
            assertEquals(10_000, counts.get(backend), 500, backend.key());
        }
    }

    @Test
    void aFailedTryIsNoFastAnswer() {
        BackendPool pool = pool(Duration.ZERO, "http://fast:1", "http://failing:1");
        Backend fast = pool.all().get(0);
        Backend failing = pool.all().get(1);
        fast.succeeded(20 * MS);
        failing.succeeded(20 * MS);
        for (int i = 0; i < 100; i++) {
            failing.begin();
            failing.end();
            failing.failed(Integer.MAX_VALUE); // counted, not ejected: the choice is what is tested
        }

        assertEquals(20 * MS, failing.responseNanos(), 1);
        Map<Backend, Integer> counts = picks(new LeastResponseTime(pool), pool, 1000);
        assertEquals(500, counts.get(failing), 60, "a tie between equal figures goes either way");
    }

    @Test
    void responseTimeJumpsToASlowerAnswerAndDecaysWithTime() {
        BackendPool pool = pool(Duration.ZERO, "http://a:1");
        Backend backend = pool.all().get(0);
        backend.succeeded(10 * MS);
        backend.succeeded(100 * MS);
        assertEquals(100 * MS, backend.responseNanos(), 1);

        clock.advance(Duration.ofMillis(PeakEwma.DECAY_MILLIS));
        assertEquals(100 * MS / Math.E, backend.responseNanos(), 1000);

        // a faster answer after a long quiet weighs the more, the longer the quiet was
        backend.succeeded(10 * MS);
        double weight = Math.exp(-1);
        assertEquals(100 * MS * weight + 10 * MS * (1 - weight), backend.responseNanos(), 1000);
    }

    @Test
    void leastResponseTimeSendsMostRequestsToTheFasterBackend() {
        BackendPool pool = pool(Duration.ZERO, "http://fast:1", "http://slow:1");
        pool.all().get(0).succeeded(5 * MS);
        pool.all().get(1).succeeded(50 * MS);
        Map<Backend, Integer> counts = picks(new LeastResponseTime(pool), pool, 100);
        assertEquals(Map.of(pool.all().get(0), 100), counts);
    }

    @Test
    void aBackendThatComesBackStartsFromThePoolsAverageNotFromZero() {
        BackendPool pool = pool(Duration.ZERO, "http://a:1", "http://b:1", "http://c:1");
        Backend a = pool.all().get(0);
        Backend b = pool.all().get(1);
        Backend c = pool.all().get(2);
        c.succeeded(MS);
        c.healthy(false);
        clock.advance(Duration.ofSeconds(1));
        a.succeeded(40 * MS);
        b.succeeded(60 * MS);
        c.healthy(true);

        assertTrue(!c.answeredSinceReturn());
        assertEquals(50 * MS, LeastResponseTime.average(pool.candidates(Set.of())), 1000);
        // c's old 1 ms figure would win every pick; at the average it wins only against b (60 ms)
        Map<Backend, Integer> counts = picks(new LeastResponseTime(pool), pool, 3000);
        assertEquals(1000, counts.get(c), 150);
        assertEquals(2000, counts.get(a), 150);

        c.succeeded(80 * MS);
        assertEquals(80 * MS, c.responseNanos(), 1, "the first answer after coming back replaces the old figure");
    }

    @Test
    void slowStartRampsAReturningBackendUpFromATenthOfItsShare() {
        BackendPool pool = pool(Duration.ofSeconds(10), "http://a:1", "http://b:1");
        Backend a = pool.all().get(0);
        Backend b = pool.all().get(1);
        clock.advance(Duration.ofSeconds(30));
        b.disable();
        for (int i = 0; i < 4; i++) {
            a.begin();
        }
        b.enable();

        assertEquals(0.1, pool.warmth(b), 1e-9);
        assertEquals(1.0, pool.warmth(a), 1e-9);
        BalanceStrategy strategy = new LeastConnections(pool);
        // idle b costs (0 + 1) / 0.1 = 10 against a's 4 + 1
        assertEquals(Map.of(a, 50), picks(strategy, pool, 50));

        clock.advance(Duration.ofSeconds(5));
        assertEquals(0.5, pool.warmth(b), 1e-9);
        clock.advance(Duration.ofSeconds(5));
        assertEquals(1.0, pool.warmth(b), 1e-9);
        assertEquals(Map.of(b, 50), picks(strategy, pool, 50));
    }

    @Test
    void aBackendBackFromEjectionRampsUpFromTheEjectionsEnd() {
        BackendPool pool = pool(Duration.ofSeconds(10), "http://a:1", "http://b:1");
        Backend b = pool.all().get(1);
        clock.advance(Duration.ofMinutes(1));
        b.eject(Duration.ofSeconds(30), Duration.ofMinutes(5));
        clock.advance(Duration.ofSeconds(32));

        assertTrue(b.isAvailable());
        assertEquals(0.2, pool.warmth(b), 1e-9);
    }

    @Test
    void everyRegisteredNameMakesItsStrategyAndNoOtherNameDoes() {
        BackendPool pool = pool(Duration.ZERO, "http://a:1");
        assertEquals(List.of("round-robin", "weighted", "least-connections", "least-response-time", "random", "hash"),
                Strategies.names());
        for (String name : Strategies.names()) {
            assertSame(pool.all().get(0), Strategies.create(name, pool).choose(pool.candidates(Set.of()), "k"));
        }
        assertThrows(IllegalArgumentException.class, () -> Strategies.create("fastest", pool));
    }
}
