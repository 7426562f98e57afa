package io.breakwater.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Counter;
import io.breakwater.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry budget as a token bucket, on a test clock. */
class RetryBudgetTokensTest {
    private final TestClock clock = new TestClock();
    private final Counter refusals = new Counter();

    @Test
    void eachRequestDepositsItsShareAndEachRetryWithdrawsOne() {
        RetryBudget budget = new RetryBudget(20, 0, clock, refusals);
        for (int i = 0; i < 10; i++) {
            budget.deposit();
        }
        assertEquals(2, budget.available());
        assertTrue(budget.withdraw());
        assertTrue(budget.withdraw());
        assertFalse(budget.withdraw());
        assertEquals(1, refusals.getCount());
    }

    @Test
    void aBurstOfRetriesIsPaidFromTheTrafficBeforeIt() {
        // a backend that dies with five requests in flight: five retries at once, paid by the 25 requests before
        RetryBudget budget = new RetryBudget(20, 0, clock, refusals);
        for (int i = 0; i < 25; i++) {
            budget.deposit();
            clock.advance(Duration.ofMillis(100));
        }
        for (int i = 0; i < 5; i++) {
            assertTrue(budget.withdraw(), "retry " + i);
        }
        assertEquals(0, refusals.getCount());
    }

    @Test
    void aQuietProxyMayRetryItsFloorEverySecond() {
        RetryBudget budget = new RetryBudget(20, 2, clock, refusals);
        assertEquals(20, budget.available(), "2 a second over the 10 s a withdrawal counts");
        for (int i = 0; i < 20; i++) {
            assertTrue(budget.withdraw(), "retry " + i);
        }
        assertFalse(budget.withdraw());
        clock.advance(RetryBudget.TTL);
        assertEquals(20, budget.available(), "the withdrawals expired");
    }

    @Test
    void depositsExpireAfterTheTtl() {
        RetryBudget budget = new RetryBudget(50, 0, clock, refusals);
        for (int i = 0; i < 10; i++) {
            budget.deposit();
        }
        clock.advance(Duration.ofSeconds(5));
        for (int i = 0; i < 4; i++) {
            budget.deposit();
        }
        assertEquals(7, budget.available());
        clock.advance(Duration.ofSeconds(5));
        assertEquals(2, budget.available(), "only the later deposits are left");
        clock.advance(Duration.ofSeconds(5));
        assertEquals(0, budget.available());
        assertFalse(budget.withdraw());
    }

    @Test
    void timeComingBackToASliceForgetsWhatItHeld() {
        RetryBudget budget = new RetryBudget(100, 0, clock, refusals);
        budget.deposit();
        budget.deposit();
        clock.advance(RetryBudget.TTL.multipliedBy(3));
        budget.deposit();
        assertEquals(1, budget.available());
    }
}
