package io.breakwater.timeout;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that fires request deadlines: one per web app for {@code TimeoutFilter}, one per proxy servlet
 * for the longest wait for a backend connection. A request adds its deadline to a lock-free queue
 * (one compare-and-set) and, when it ends in time, cancels it by clearing one field: no lock, no heap to keep in
 * order, nothing for the request threads of two cores to queue behind, as they did on a
 * {@code ScheduledThreadPoolExecutor} (see BENCHMARKS.md). Every {@value #TICK_MILLIS} ms the thread walks the
 * queue, drops the cancelled deadlines and fires the ones that passed, so the queue holds only the requests in flight
 * and those that arrived in the last tick, and a deadline fires at most one tick late. An idle scheduler sleeps until
 * the next request arrives. Thread-safe.
 */
public final class TimeoutScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutScheduler.class);
    static final long TICK_MILLIS = 5;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ConcurrentLinkedQueue<Entry> deadlines = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    /** Set by the thread before it sleeps with an empty queue; the next {@link #schedule} wakes it. */
    private volatile boolean idle;
    private volatile boolean stopped;

    /** Starts the thread, named {@code breakwater-timeout-<name>-<n>}. */
    public TimeoutScheduler(String name) {
        thread = new Thread(this::run, "breakwater-timeout-" + name + "-" + INSTANCES.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on the scheduler's thread once {@code delay} has passed, unless cancelled before. */
    public Entry schedule(Runnable task, Duration delay) {
        return scheduleAt(task, System.nanoTime() + delay.toNanos());
    }

    /**
     * Runs {@code task} on the scheduler's thread once {@code System.nanoTime()} has reached {@code dueNanos},
     * unless cancelled before: for a caller that has just read the clock, so that scheduling reads no clock again.
     */
    public Entry scheduleAt(Runnable task, long dueNanos) {
        if (stopped) {
            throw new RejectedExecutionException("the timeout scheduler is stopped");
        }
        Entry deadline = new Entry(dueNanos, task);
        deadlines.add(deadline);
        if (idle) {
            idle = false;
            LockSupport.unpark(thread);
        }
        return deadline;
    }

    /** How many deadlines the queue holds, cancelled ones not yet dropped included. */
    int queued() {
        return deadlines.size();
    }

    String threadName() {
        return thread.getName();
    }

    /** Stops the thread; deadlines not yet fired never fire. */
    public void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!stopped) {
            sweep(System.nanoTime());
            if (deadlines.isEmpty()) {
                idle = true;
                // a request that arrived between the sweep and the flag is seen here, or it unparks this thread
                if (deadlines.isEmpty() && !stopped) {
                    LockSupport.park(this);
                }
                idle = false;
            } else {
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        }
        deadlines.clear();
    }

    private void sweep(long now) {
        for (Iterator<Entry> it = deadlines.iterator(); it.hasNext(); ) {
            Entry deadline = it.next();
            Runnable task = deadline.task;
            if (task == null) {
                it.remove();
            } else if (now - deadline.atNanos >= 0) {
                it.remove();
                fire(task);
            }
        }
    }

    private static void fire(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // the scheduler must outlive any one request's failure
            LOG.error("a request deadline failed to fire", e);
        }
    }

    /** One scheduled deadline; {@link #cancel} is a plain write, read by the scheduler on its next tick. */
    public static final class Entry {
        final long atNanos;
        volatile Runnable task;

        Entry(long atNanos, Runnable task) {
            this.atNanos = atNanos;
            this.task = task;
        }

        public void cancel() {
            task = null;
        }
    }
}
