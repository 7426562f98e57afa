package io.breakwater.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentExtremesTest {
    private final AtomicLong now = new AtomicLong(600_000);
    private final RecentExtremes extremes = new RecentExtremes(now::get);
    private final RecentExtremes.Max max = extremes.new Max();
    private final RecentExtremes.Min min = extremes.new Min();

    private void record(long value) {
        extremes.record(value, now.get());
    }

    @Test
    void nothingRecordedReadsZero() {
        assertEquals(0L, max.getValue());
        assertEquals(0L, min.getValue());
    }

    @Test
    void keepsTheSmallestAndLargestOfTheMinute() {
        record(300);
        record(100);
        record(700);
        record(200);
        assertEquals(700L, max.getValue());
        assertEquals(100L, min.getValue());
    }

    @Test
    void thePreviousMinuteStillCountsAndTheOneBeforeNoLonger() {
        record(900);
        record(5);
        now.addAndGet(60_000);
        record(400);
        assertEquals(900L, max.getValue(), "the previous minute is in the window");
        assertEquals(5L, min.getValue());

        now.addAndGet(60_000);
        record(300);
        assertEquals(400L, max.getValue(), "two minutes ago is out");
        assertEquals(300L, min.getValue());

        now.addAndGet(120_000);
        assertEquals(0L, max.getValue(), "nothing in the last two minutes");
        assertEquals(0L, min.getValue());
    }

    @Test
    void concurrentRecordsKeepTheTrueExtremes() throws Exception {
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int offset = t;
            threads[t] = new Thread(() -> {
                for (int i = 1; i <= 100_000; i++) {
                    record(i * 4L + offset);
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(400_003L, max.getValue());
        assertEquals(4L, min.getValue());
    }
}
