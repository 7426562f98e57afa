package io.breakwater.timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one daemon thread per web app that fires request deadlines, on a hashed timing wheel of {@value #TICK_MS} ms
 * ticks. Every request schedules one deadline and almost every one cancels it, so both are lock-free: scheduling
 * appends to a concurrent queue, cancelling flips a flag; the wheel's thread drops cancelled deadlines when it
 * passes their slot. (A {@code ScheduledThreadPoolExecutor} takes one lock for each, which all request threads
 * then queue on.) A deadline fires at most one tick late. Thread-safe.
 */
final class TimeoutScheduler {
    /** What a scheduled deadline lets its request do: cancel it when the request ends in time. */
    interface Scheduled {
        void cancel();
    }

    static final int TICK_MS = 5;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MS);
    private static final int SLOTS = 512; // a power of two: one turn of the wheel is 2.56 s
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutScheduler.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final long start = System.nanoTime();
    private final List<ConcurrentLinkedQueue<Entry>> slots = new ArrayList<>(SLOTS);
    private final Thread thread;
    private volatile boolean stopped;

    TimeoutScheduler(String name) {
        for (int i = 0; i < SLOTS; i++) {
            slots.add(new ConcurrentLinkedQueue<>());
        }
        thread = new Thread(this::turn, "breakwater-timeout-" + name + "-" + INSTANCES.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    Scheduled schedule(Runnable task, Duration delay) {
        long due = System.nanoTime() - start + delay.toNanos();
        long tick = (due + TICK_NANOS - 1) / TICK_NANOS;
        Entry entry = new Entry(task, tick);
        slots.get((int) (tick & (SLOTS - 1))).offer(entry);
        return entry;
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    private void turn() {
        long tick = 0;
        while (!stopped) {
            long wait = start + tick * TICK_NANOS - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue; // woken early, or on time: the loop checks again
            }
            fire(tick);
            tick++;
        }
    }

    private void fire(long tick) {
        for (Iterator<Entry> it = slots.get((int) (tick & (SLOTS - 1))).iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.cancelled.get()) {
                it.remove();
            } else if (entry.tick <= tick) {
                it.remove();
                if (entry.cancelled.compareAndSet(false, true)) {
                    try {
                        entry.task.run();
                    } catch (RuntimeException | Error e) {
                        LOG.error("a request deadline failed to fire", e);
                    }
                }
            }
        }
    }

    /** One deadline: its task and the tick it is due at. */
    private static final class Entry implements Scheduled {
        final Runnable task;
        final long tick;
        final AtomicBoolean cancelled = new AtomicBoolean();

        Entry(Runnable task, long tick) {
            this.task = task;
            this.tick = tick;
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }
}
