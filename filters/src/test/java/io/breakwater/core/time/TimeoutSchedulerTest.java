package io.breakwater.core.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutSchedulerTest {
    private final TimeoutScheduler scheduler = new TimeoutScheduler("test");

    @AfterEach
    void stop() {
        scheduler.stop();
    }

    @Test
    void firesADeadlineAfterItsDelayAndNotBefore() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        long start = System.nanoTime();
        scheduler.schedule(fired::countDown, Duration.ofMillis(100));
        assertTrue(fired.await(5, TimeUnit.SECONDS));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 100, "fired after " + elapsedMillis + " ms");
    }

    @Test
    void aCancelledDeadlineNeverFiresAndLeavesTheQueue() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            scheduler.schedule(fired::incrementAndGet, Duration.ofMinutes(5)).cancel();
        }
        CountDownLatch marker = new CountDownLatch(1);
        scheduler.schedule(marker::countDown, Duration.ofMillis(20));
        assertTrue(marker.await(5, TimeUnit.SECONDS));
        awaitTrue(() -> scheduler.queued() == 0, "the cancelled deadlines are dropped, not kept for 5 minutes");
        assertEquals(0, fired.get());
    }

    @Test
    void aDeadlineCancelledAfterTheThreadTookItIsDroppedWithinTheCleanupTicks() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        List<TimeoutScheduler.Entry> deadlines = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            deadlines.add(scheduler.schedule(fired::incrementAndGet, Duration.ofMinutes(5)));
        }
        awaitTrue(() -> scheduler.queued() == 1_000, "the thread holds the deadlines");
        deadlines.forEach(TimeoutScheduler.Entry::cancel);
        awaitTrue(() -> scheduler.queued() == 0, "the cancelled deadlines are dropped, not kept for 5 minutes");
        CountDownLatch marker = new CountDownLatch(1);
        scheduler.schedule(marker::countDown, Duration.ofMillis(1));
        assertTrue(marker.await(5, TimeUnit.SECONDS));
        assertEquals(0, fired.get());
    }

    @Test
    void deadlinesFireAtTheirOwnTimesWhateverTheOrderTheyArrivedIn() throws Exception {
        int count = 200;
        CountDownLatch allFired = new CountDownLatch(count);
        List<String> early = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (int i = count - 1; i >= 0; i--) {
            long delayNanos = TimeUnit.MILLISECONDS.toNanos(i % 50);
            scheduler.scheduleAt(() -> {
                long elapsed = System.nanoTime() - start;
                if (elapsed < delayNanos) {
                    early.add("fired at " + elapsed + " ns, due at " + delayNanos);
                }
                allFired.countDown();
            }, start + delayNanos);
        }
        assertTrue(allFired.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(), early);
        awaitTrue(() -> scheduler.queued() == 0, "the fired deadlines are no longer held");
    }

    @Test
    void wakesFromIdleForANewDeadline() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        scheduler.schedule(first::countDown, Duration.ofMillis(1));
        assertTrue(first.await(5, TimeUnit.SECONDS));
        awaitTrue(() -> scheduler.queued() == 0, "the queue is empty, the thread idle");
        CountDownLatch second = new CountDownLatch(1);
        scheduler.schedule(second::countDown, Duration.ofMillis(1));
        assertTrue(second.await(5, TimeUnit.SECONDS));
    }

    @Test
    void keepsTickingWhileDeadlinesArriveThatEndBeforeItLooks() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        scheduler.schedule(first::countDown, Duration.ofMillis(1));
        assertTrue(first.await(5, TimeUnit.SECONDS));
        awaitTrue(() -> scheduler.sleeps() == 1, "asleep once no deadline arrives for a while");
        // as under a fast guarded filter: every deadline is cancelled before the next tick; a thread that slept
        // whenever it held none would be woken by a system call on nearly every request
        long longestGap = 0;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        long last = System.nanoTime();
        while (last - end < 0) {
            scheduler.schedule(() -> { }, Duration.ofSeconds(5)).cancel();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // the pace of the requests, not a wait
            long now = System.nanoTime();
            longestGap = Math.max(longestGap, now - last);
            last = now;
        }
        // it may sleep after 100 ms without a deadline: a test thread held up that long by a busy host proves nothing
        assumeTrue(longestGap < TimeUnit.MILLISECONDS.toNanos(50), "deadlines arrived at most 50 ms apart");
        assertEquals(1, scheduler.sleeps(), "the thread slept between requests");
        awaitTrue(() -> scheduler.sleeps() == 2, "asleep again once no deadline arrives for a while");
    }

    @Test
    void aFailingTaskDoesNotStopTheScheduler() throws Exception {
        scheduler.schedule(() -> {
            throw new IllegalStateException("a request's timeout failed");
        }, Duration.ofMillis(1));
        CountDownLatch next = new CountDownLatch(1);
        scheduler.schedule(next::countDown, Duration.ofMillis(10));
        assertTrue(next.await(5, TimeUnit.SECONDS));
    }

    @Test
    void aStoppedSchedulerRefusesNewDeadlinesAndItsThreadEnds() throws Exception {
        scheduler.stop();
        assertThrows(RejectedExecutionException.class, () -> scheduler.schedule(() -> { }, Duration.ofSeconds(1)));
        awaitTrue(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals(scheduler.threadName())), "the scheduler's thread ended");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        Await.until(what, Duration.ofSeconds(5), condition);
    }
}
