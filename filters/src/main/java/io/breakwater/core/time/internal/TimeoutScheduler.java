package io.breakwater.core.time.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that fires request deadlines: one per web app for {@code TimeoutFilter} and the guarded filters
 * together ({@link ContextScheduler}), one per proxy servlet for the longest wait for a backend connection and the
 * hedges. A request pushes its deadline onto a lock-free stack (one compare-and-set) and, when it ends in time, cancels
 * it by clearing one field: no lock, no heap to keep in order, nothing for the request threads of two cores to queue
 * behind, as they did on a {@code ScheduledThreadPoolExecutor} (see BENCHMARKS.md). Every {@value #TICK_MILLIS} ms the
 * thread takes the whole stack with one swap, drops what was cancelled already and fires what is due; the rest it keeps
 * in arrays of its own, with each deadline's time beside it, so that a tick finds what is due without touching the
 * deadlines that are not, which other cores wrote. Deadlines cancelled after that first look are dropped every
 * {@value #CLEANUP_TICKS} ticks, so it holds the requests in flight and at most {@value #CLEANUP_TICKS} ticks of ended
 * ones. A deadline fires at most one tick late. A scheduler that has seen no deadline for {@value #IDLE_TICKS} ticks
 * sleeps until the next one arrives; not sooner, because a request that wakes it pays a system call, and requests
 * whose deadlines all end before the next tick (a guarded filter's, on a fast filter) would each pay it. Thread-safe.
 */
public final class TimeoutScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutScheduler.class);
    static final long TICK_MILLIS = 5;
    /** Every this many ticks (100 ms), the deadlines held and not yet due are checked for cancellation. */
    static final int CLEANUP_TICKS = 20;
    /** After this many ticks (100 ms) with no deadline held or arriving, the thread sleeps until one arrives. */
    static final int IDLE_TICKS = 20;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    private static final int MIN_CAPACITY = 64;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** The deadlines scheduled since the thread last took them, newest first, linked through {@link Entry#next}. */
    private final AtomicReference<Entry> arrivals = new AtomicReference<>();
    private final Thread thread;
    /** Set by the thread before it sleeps holding nothing; the next {@link #schedule} wakes it. */
    private volatile boolean idle;
    private volatile boolean stopped;
    /** How many deadlines the thread held after its last tick, for tests. */
    private volatile int held;
    /** How many times the thread went to sleep until a deadline arrived, for tests. */
    private volatile int sleeps;

    // the thread's own: the deadlines it took and has not fired or dropped, and beside each its time
    private Entry[] pending = new Entry[MIN_CAPACITY];
    private long[] due = new long[MIN_CAPACITY];
    private int size;
    private int ticks;
    /** Ticks in a row that found no deadline held and none arriving. */
    private int quietTicks;

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
        Entry newest;
        do {
            newest = arrivals.get();
            deadline.next = newest;
        } while (!arrivals.compareAndSet(newest, deadline));
        if (idle) {
            idle = false;
            LockSupport.unpark(thread);
        }
        return deadline;
    }

    /**
     * How many deadlines the thread held after its last tick, cancelled ones not yet dropped included; not those
     * scheduled since.
     */
    public int queued() {
        return held;
    }

    /** How many times the thread went to sleep until the next deadline arrived. */
    public int sleeps() {
        return sleeps;
    }

    public String threadName() {
        return thread.getName();
    }

    /** Stops the thread; deadlines not yet fired never fire. */
    public void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!stopped) {
            boolean arrived = sweep(System.nanoTime());
            quietTicks = size == 0 && !arrived ? quietTicks + 1 : 0;
            if (quietTicks >= IDLE_TICKS && arrivals.get() == null) {
                idle = true;
                sleeps++;
                // a request that arrived between the sweep and the flag is seen here, or it unparks this thread
                if (arrivals.get() == null && !stopped) {
                    LockSupport.park(this);
                }
                idle = false;
            } else {
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        }
        arrivals.set(null);
        Arrays.fill(pending, 0, size, null);
        size = 0;
        held = 0;
    }

    /** Fires what is due and takes what arrived; returns whether anything arrived, cancelled already or not. */
    private boolean sweep(long now) {
        boolean cleanup = ++ticks % CLEANUP_TICKS == 0;
        // the deadlines held: what is due fires; a dropped one's slot takes the last, already looked at
        for (int i = size - 1; i >= 0; i--) {
            if (now - due[i] >= 0) {
                Runnable task = pending[i].task;
                drop(i);
                if (task != null) {
                    fire(task);
                }
            } else if (cleanup && pending[i].task == null) {
                drop(i);
            }
        }
        // the deadlines scheduled since; a task fired here may schedule more, which the next tick takes
        Entry taken = arrivals.getAndSet(null);
        for (Entry deadline = taken; deadline != null; ) {
            Entry next = deadline.next;
            deadline.next = null;
            Runnable task = deadline.task;
            if (task != null) {
                if (now - deadline.atNanos >= 0) {
                    fire(task);
                } else {
                    hold(deadline);
                }
            }
            deadline = next;
        }
        if (cleanup && pending.length > MIN_CAPACITY && size < pending.length / 4) {
            resize(Math.max(MIN_CAPACITY, pending.length / 2));
        }
        held = size;
        return taken != null;
    }

    private void hold(Entry deadline) {
        if (size == pending.length) {
            resize(pending.length * 2);
        }
        pending[size] = deadline;
        due[size] = deadline.atNanos;
        size++;
    }

    private void drop(int index) {
        int last = --size;
        pending[index] = pending[last];
        due[index] = due[last];
        pending[last] = null;
    }

    private void resize(int capacity) {
        pending = Arrays.copyOf(pending, capacity);
        due = Arrays.copyOf(due, capacity);
    }

    private static void fire(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // the scheduler must outlive any one request's failure
            LOG.error("a request deadline failed to fire", e);
        }
    }

    /** One scheduled deadline; {@link #cancel} is a plain write, read by the scheduler on a later tick. */
    public static final class Entry {
        final long atNanos;
        volatile Runnable task;
        /** The next older arrival, until the scheduler takes the stack. */
        Entry next;

        Entry(long atNanos, Runnable task) {
            this.atNanos = atNanos;
            this.task = task;
        }

        public void cancel() {
            task = null;
        }
    }
}
