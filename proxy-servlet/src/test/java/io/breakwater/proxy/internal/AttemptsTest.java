package io.breakwater.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Counter;
import io.breakwater.core.config.internal.Parsers;
import io.breakwater.core.time.Deadline;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import io.breakwater.proxy.balance.internal.BackendPool;
import io.breakwater.proxy.balance.internal.BackendSpec;
import io.breakwater.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attempt state machine driven by events in the orders a proxy sees them, and in racy ones, with no server: real
 * pool, balancer, failover policy, retry and hedge budgets, a test clock for deadlines.
 */
class AttemptsTest {
    private static final IOException RESET = new IOException("connection reset");

    private final TestClock clock = new TestClock();
    private final BackendPool pool = new BackendPool(List.of(BackendSpec.parse("http://a:1"),
            BackendSpec.parse("http://b:1"), BackendSpec.parse("http://c:1")), clock,
            new BackendPool.Ejection(3, Duration.ofSeconds(30), Duration.ofMinutes(5), 100), b -> { }, b -> { });
    private final Counter retriesRefused = new Counter();
    private final RetryBudget retryBudget = new RetryBudget(20, 1, clock, retriesRefused);
    private final Hedging hedging = new Hedging(Duration.ofMillis(100), 0, null, pool);
    private final AtomicBoolean committed = new AtomicBoolean();
    private final AtomicInteger dropped = new AtomicInteger();
    private final Attempts.Client client = new Attempts.Client() {
        @Override
        public boolean committed() {
            return committed.get();
        }

        @Override
        public boolean dropAnswer() {
            if (committed.get()) {
                return false;
            }
            dropped.incrementAndGet();
            return true;
        }
    };
    private final ExecutorService racers = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopRacers() {
        racers.shutdownNow();
    }

    private TryRules rules(int maxAttempts) {
        return new TryRules(pool, BalanceStrategy.named("round-robin", pool),
                new FailoverPolicy(maxAttempts, false, pool, retryBudget), hedging,
                Parsers.statuses().parse("502,503,504"), Duration.ofSeconds(5), maxAttempts, "ip");
    }

    private Attempts<String> exchange(int maxAttempts) {
        return exchange(maxAttempts, true, true, Optional.empty());
    }

    private Attempts<String> exchange(int maxAttempts, boolean replayable, boolean idempotent,
            Optional<Deadline> deadline) {
        return new Attempts<>(rules(maxAttempts), client, "10.0.0.1", replayable, idempotent, deadline);
    }

    /** The first try, its request on its way to the backend. */
    private static Attempt sent(Attempts<String> exchange) {
        Attempt attempt = exchange.start(exchange.choose());
        attempt.connected();
        return attempt;
    }

    private static Attempt hedge(Attempts<String> exchange, Attempt slow) {
        Move move = exchange.hedgeDue(slow);
        assertEquals(Move.Kind.HEDGE, move.kind());
        move.next().connected();
        return move.next();
    }

    /** The first try, and a hedge beside it whose answer began first and won. */
    private record Race(Attempt slow, Attempt hedge) { }

    private static Race hedgeWon(Attempts<String> exchange) {
        Attempt slow = sent(exchange);
        Attempt hedge = hedge(exchange, slow);
        assertEquals(Move.Answer.PASS_HEDGE, exchange.answerBegan(hedge, 200));
        return new Race(slow, hedge);
    }

    private static Move answered(Attempts<String> exchange, Attempt attempt, int status) {
        return exchange.ended(attempt, null, status, null, 1_000_000);
    }

    private static Move failed(Attempts<String> exchange, Attempt attempt, Throwable failure) {
        return exchange.ended(attempt, failure, 0, null, 1_000_000);
    }

    @Test
    void firstTryThatAnswersIsPassedOnAndCompleted() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        assertEquals(Move.Answer.PASS, exchange.answerBegan(a, 200));
        assertSame(Move.COMPLETE, answered(exchange, a, 200));
        assertEquals(1, exchange.attempts());
        assertEquals(0, a.backend.getFailures());
        assertEquals(0, exchange.late());
    }

    @Test
    void anAppErrorStatusIsTheAppsAnswerNotAFailover() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        assertEquals(Move.Answer.PASS, exchange.answerBegan(a, 500));
        assertSame(Move.COMPLETE, answered(exchange, a, 500));
        assertEquals(0, a.backend.getFailures());
    }

    @Test
    void retriesIdempotentRequestOnAnotherBackend() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        Move move = failed(exchange, a, RESET);
        assertEquals(Move.Kind.RETRY, move.kind());
        Attempt b = move.next();
        assertNotEquals(a.backend, b.backend);
        assertEquals(1, a.backend.getFailures(), "the backend that reset is blamed");
        b.connected();
        assertEquals(Move.Answer.PASS, exchange.answerBegan(b, 200));
        assertSame(Move.COMPLETE_AFTER_FAILOVER, answered(exchange, b, 200));
    }

    @Test
    void doesNotRetryANonIdempotentRequestTheBackendMayHaveSeen() {
        Attempts<String> exchange = exchange(3, true, false, Optional.empty());
        assertSame(Move.FAIL_ERROR, failed(exchange, sent(exchange), RESET));
    }

    @Test
    void retriesANonIdempotentRequestThatWasNeverSent() {
        Attempts<String> exchange = exchange(3, true, false, Optional.empty());
        Attempt a = exchange.start(exchange.choose()); // never connected
        assertEquals(Move.Kind.RETRY, failed(exchange, a, new ConnectException("refused")).kind());
    }

    @Test
    void doesNotRetryAStreamedBody() {
        Attempts<String> exchange = exchange(3, false, true, Optional.empty());
        assertSame(Move.FAIL_ERROR, failed(exchange, sent(exchange), RESET));
    }

    @Test
    void answersTheLastFailureOnceTheAttemptsAreUsedUp() {
        Attempts<String> exchange = exchange(2);
        Move retry = failed(exchange, sent(exchange), RESET);
        retry.next().connected();
        assertSame(Move.FAIL_TIMEOUT, failed(exchange, retry.next(), new TimeoutException("no answer")));
        assertEquals(2, exchange.attempts());
    }

    @Test
    void answersTheFailureWhenTheRetryBudgetIsSpent() {
        for (int i = 0; i < 15; i++) {
            retryBudget.deposit(); // 20 % of 15 requests: 3 retries, beside the floor of 1 a second (10 a TTL)
        }
        assertEquals(13, retryBudget.available());
        for (int i = 0; i < 13; i++) {
            Attempts<String> other = exchange(3);
            assertEquals(Move.Kind.RETRY, failed(other, sent(other), RESET).kind(), "retry " + i);
        }
        Attempts<String> exchange = exchange(3);
        assertSame(Move.FAIL_ERROR, failed(exchange, sent(exchange), RESET));
        assertEquals(1, retriesRefused.getCount());
    }

    @Test
    void aTimedOutTryIsRetriedThenAnsweredAsATimeout() {
        Attempts<String> exchange = exchange(2);
        Move retry = failed(exchange, sent(exchange), new TimeoutException("no answer in 5000 ms"));
        assertEquals(Move.Kind.RETRY, retry.kind());
        retry.next().connected();
        assertSame(Move.FAIL_TIMEOUT, failed(exchange, retry.next(), new TimeoutException("no answer in 5000 ms")));
    }

    @Test
    void noNextTryOnceTheRequestsDeadlinePassed() {
        Attempts<String> exchange = exchange(3, true, true, Optional.of(Deadline.after(Duration.ofSeconds(1),
                clock)));
        Attempt a = sent(exchange);
        assertEquals(Duration.ofSeconds(1), a.budget, "the deadline is nearer than the try timeout");
        clock.advance(Duration.ofSeconds(2));
        assertSame(Move.FAIL_TIMEOUT, failed(exchange, a, new TimeoutException("no answer")));
        assertNull(exchange.start(exchange.choose()), "no time is left for a try");
    }

    @Test
    void dropsAFailoverStatusForARetryAndBlamesItsBackend() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        assertEquals(Move.Answer.DROP, exchange.answerBegan(a, 503));
        Move move = failed(exchange, a, new FailoverPolicy.FailoverStatus());
        assertEquals(Move.Kind.RETRY, move.kind());
        assertEquals(1, a.backend.getFailures());
    }

    @Test
    void aLoneTrysFailoverAnswerIsPassedOnWhenNoOtherTryMayFollow() {
        Attempts<String> exchange = exchange(1);
        Attempt a = sent(exchange);
        assertEquals(Move.Answer.PASS, exchange.answerBegan(a, 503));
        assertSame(Move.COMPLETE, answered(exchange, a, 503));
    }

    @Test
    void aSwitchOfProtocolsNobodyAskedForIsTheBackendsFailure() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        assertEquals(Move.Answer.REFUSE_UPGRADE, exchange.answerBegan(a, 101));
        assertEquals(Move.Kind.RETRY, failed(exchange, a, new FailoverPolicy.UnrequestedUpgrade()).kind());
        assertEquals(1, a.backend.getFailures());
    }

    @Test
    void hedgeWinsAndTheSlowTrysAnswerIsDropped() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        Attempt b = hedge(exchange, a);
        assertEquals(1, hedging.inFlight());
        assertEquals(Move.Answer.PASS_HEDGE, exchange.answerBegan(b, 200));
        assertEquals(Move.Answer.LOSE, exchange.answerBegan(a, 200));
        assertSame(Move.NONE, answered(exchange, a, 200));
        assertSame(Move.COMPLETE_AFTER_FAILOVER, answered(exchange, b, 200));
        assertEquals(0, hedging.inFlight(), "the hedge gave its place back");
    }

    @Test
    void originalWinsOverItsHedge() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        Attempt b = hedge(exchange, a);
        assertEquals(Move.Answer.PASS, exchange.answerBegan(a, 200));
        assertEquals(Move.Answer.LOSE, exchange.answerBegan(b, 200));
        assertSame(Move.NONE, answered(exchange, b, 200));
        assertSame(Move.COMPLETE, answered(exchange, a, 200));
        assertEquals(0, hedging.inFlight());
    }

    @Test
    void tryAndHedgeBothFailingAnswersTheLastFailure() {
        Attempts<String> exchange = exchange(2);
        Attempt a = sent(exchange);
        Attempt b = hedge(exchange, a);
        assertSame(Move.NONE, failed(exchange, a, RESET), "the hedge in flight decides");
        assertSame(Move.FAIL_ERROR, failed(exchange, b, RESET));
        assertEquals(0, hedging.inFlight());
    }

    @Test
    void noHedgeOnceTheAnswerBeganOrASecondTime() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        Attempt b = hedge(exchange, a);
        assertSame(Move.NONE, exchange.hedgeDue(b), "one hedge per exchange");
        exchange.answerBegan(a, 200);
        assertSame(Move.NONE, exchange.hedgeDue(a));
    }

    @Test
    void aHedgeOverBudgetIsAskedForLater() {
        Attempts<String> exchange = exchange(3);
        for (int i = 0; i < Hedging.MIN_IN_FLIGHT; i++) {
            assertTrue(hedging.acquire());
        }
        assertSame(Move.HEDGE_OVER_BUDGET, exchange.hedgeDue(sent(exchange)));
    }

    @Test
    void keepsAFailoverAnswerWhileTheHedgeRunsAndPassesItOnWhenTheHedgeFails() {
        Attempts<String> exchange = exchange(2);
        Attempt a = sent(exchange);
        Attempt b = hedge(exchange, a);
        assertEquals(Move.Answer.KEEP, exchange.answerBegan(a, 503));
        assertSame(Move.NONE, exchange.ended(a, null, 503, "a's 503", 1_000_000));
        assertSame(Move.ANSWER_KEPT, failed(exchange, b, RESET));
        assertEquals("a's 503", exchange.kept());
    }

    @Test
    void aKeptAnswerGivesWayToTheHedgesAnswer() {
        Attempts<String> exchange = exchange(2);
        Attempt a = sent(exchange);
        Attempt b = hedge(exchange, a);
        assertEquals(Move.Answer.KEEP, exchange.answerBegan(a, 503));
        assertSame(Move.NONE, exchange.ended(a, null, 503, "a's 503", 1_000_000));
        assertEquals(Move.Answer.PASS_HEDGE, exchange.answerBegan(b, 200));
        assertSame(Move.COMPLETE_AFTER_FAILOVER, answered(exchange, b, 200));
    }

    @Test
    void ofTwoFailoverAnswersThatBeginTogetherWithNoTryLeftOneIsKept() {
        // both tries in flight, both answers 503, no further try allowed: dropping both would leave no answer
        Attempts<String> exchange = exchange(2);
        Attempt a = sent(exchange);
        Attempt b = hedge(exchange, a);
        assertEquals(Move.Answer.KEEP, exchange.answerBegan(a, 503));
        assertEquals(Move.Answer.PASS_HEDGE, exchange.answerBegan(b, 503));
        assertSame(Move.NONE, answered(exchange, a, 503));
        assertSame(Move.COMPLETE_AFTER_FAILOVER, answered(exchange, b, 503));
    }

    @Test
    void noAnswerIsDroppedOnceAnotherWon() {
        Attempts<String> exchange = exchange(3);
        Race race = hedgeWon(exchange);
        Attempt a = race.slow();
        Attempt b = race.hedge();
        assertEquals(Move.Answer.LOSE, exchange.answerBegan(a, 503));
        assertSame(Move.NONE, answered(exchange, a, 503));
    }

    @Test
    void aBrokenWinnersPlaceGoesToATryInFlightWhoseAnswerHasNotBegun() {
        Attempts<String> exchange = exchange(3);
        Race race = hedgeWon(exchange);
        Attempt a = race.slow();
        Attempt b = race.hedge();
        assertSame(Move.TRY_BESIDE, failed(exchange, b, RESET));
        assertEquals(1, dropped.get(), "the broken answer was dropped from the response's buffer");
        Move beside = exchange.besideDue();
        assertEquals(Move.Kind.RETRY, beside.kind(), "a third try runs beside the one in flight");
        assertEquals(Move.Answer.PASS, exchange.answerBegan(a, 200));
        assertEquals(Move.Answer.LOSE, exchange.answerBegan(beside.next(), 200));
    }

    @Test
    void anAnswerBeginningRightAfterTheWinnerBrokeWins() {
        // no window between the break and the reopening in which the slow try's answer would lose to a broken one
        Attempts<String> exchange = exchange(2);
        Race race = hedgeWon(exchange);
        Attempt a = race.slow();
        Attempt b = race.hedge();
        assertSame(Move.TRY_BESIDE, failed(exchange, b, RESET));
        assertEquals(Move.Answer.PASS, exchange.answerBegan(a, 200));
        assertSame(Move.NONE, exchange.besideDue(), "no third try is allowed");
        assertSame(Move.COMPLETE, answered(exchange, a, 200));
    }

    @Test
    void aBrokenWinnerKeepsItsPlaceWhenTheAnswerInFlightBeganAndLost() {
        Attempts<String> exchange = exchange(3);
        Race race = hedgeWon(exchange);
        Attempt a = race.slow();
        Attempt b = race.hedge();
        assertEquals(Move.Answer.LOSE, exchange.answerBegan(a, 200));
        assertSame(Move.FAIL_ERROR, failed(exchange, b, RESET));
    }

    @Test
    void aLoneBrokenWinnersPlaceIsForTheNextTry() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        assertEquals(Move.Answer.PASS, exchange.answerBegan(a, 200));
        assertEquals(Move.Kind.RETRY, failed(exchange, a, RESET).kind());
        assertEquals(1, dropped.get());
    }

    @Test
    void aWinnerThatBrokeAfterBytesReachedTheClientIsCompletedBroken() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        exchange.answerBegan(a, 200);
        committed.set(true);
        assertSame(Move.COMPLETE, failed(exchange, a, RESET));
        assertEquals(0, dropped.get());
    }

    @Test
    void clientGoneMidTryIsAnsweredForTheClientAndCountedOnce() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        assertTrue(exchange.clientFault(ClientFault.GONE));
        assertFalse(exchange.clientFault(ClientFault.BAD_BODY), "the first fault stands");
        assertSame(Move.ANSWER_CLIENT_FAULT, failed(exchange, a, RESET));
        assertEquals(ClientFault.GONE, exchange.clientFault());
        assertEquals(0, a.backend.getFailures(), "the backend did nothing wrong");
        assertEquals(1, exchange.late());
    }

    @Test
    void aClientFaultAfterTheWinningAnswerBeganIsAnsweredForTheClient() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        exchange.answerBegan(a, 200);
        exchange.clientFault(ClientFault.STALLED);
        assertSame(Move.ANSWER_CLIENT_FAULT, failed(exchange, a, new ClientFault.Failure(ClientFault.STALLED)));
    }

    @Test
    void eventsAfterTheTrysEndAreIgnoredAndCountedOnce() {
        Attempts<String> exchange = exchange(3);
        Attempt a = sent(exchange);
        Move retry = failed(exchange, a, RESET);
        assertEquals(Move.Kind.RETRY, retry.kind());
        assertSame(Move.NONE, failed(exchange, a, RESET));
        assertEquals(Move.Answer.LOSE, exchange.answerBegan(a, 200));
        assertSame(Move.NONE, exchange.hedgeDue(a));
        assertEquals(1, a.backend.getFailures(), "the backend is blamed once");
        assertEquals(2, exchange.attempts(), "one retry");
        assertEquals(2, exchange.late());
    }

    @Test
    void ofTwoAnswersBeginningTogetherExactlyOneWins() throws Exception {
        for (int round = 0; round < 200; round++) {
            Attempts<String> exchange = exchange(3);
            Attempt a = sent(exchange);
            Attempt b = hedge(exchange, a);
            CyclicBarrier together = new CyclicBarrier(2);
            Future<Move.Answer> first = racers.submit(() -> {
                together.await();
                return exchange.answerBegan(a, 200);
            });
            Future<Move.Answer> second = racers.submit(() -> {
                together.await();
                return exchange.answerBegan(b, 200);
            });
            List<Move.Answer> answers = List.of(first.get(10, TimeUnit.SECONDS), second.get(10, TimeUnit.SECONDS));
            assertEquals(1, answers.stream().filter(answer -> answer != Move.Answer.LOSE).count(), "" + answers);
            Attempt loser = answers.get(0) == Move.Answer.LOSE ? a : b;
            Attempt winner = loser == a ? b : a;
            assertSame(Move.NONE, answered(exchange, loser, 200));
            Move end = answered(exchange, winner, 200);
            assertTrue(end == Move.COMPLETE || end == Move.COMPLETE_AFTER_FAILOVER, "" + end);
            assertSame(Move.NONE, answered(exchange, winner, 200), "a late end");
            assertEquals(0, hedging.inFlight(), "the hedge gave its place back once");
        }
    }

    @Test
    void aNonIdempotentOrStreamedRequestGetsNoHedge() {
        Attempts<String> post = exchange(3, true, false, Optional.empty());
        Attempts<String> streamed = exchange(3, false, true, Optional.empty());
        assertFalse(post.hedgeable(sent(post)));
        assertFalse(streamed.hedgeable(sent(streamed)));
        Attempts<String> get = exchange(3);
        assertTrue(get.hedgeable(sent(get)));
    }

    @Test
    void theStateMachineKnowsNeitherJettyNorTheServletApi() throws IOException {
        for (Class<?> type : List.of(Attempts.class, Attempts.Client.class, Attempt.class, Attempt.Stage.class,
                Move.class, Move.Kind.class, Move.Answer.class, TryRules.class, FailoverPolicy.class,
                FaultAttribution.class, Hedging.class, RetryBudget.class)) {
            try (InputStream in = type.getResourceAsStream(type.getName().substring(type.getPackageName().length()
                    + 1) + ".class")) {
                // class names in the constant pool are plain ASCII: reading the bytes as Latin-1 finds them
                String constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertFalse(constants.contains("org/eclipse/jetty"), type + " refers to Jetty");
                assertFalse(constants.contains("jakarta/servlet"), type + " refers to the servlet API");
            }
        }
    }
}
