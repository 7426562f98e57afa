package io.breakwater.timeout;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one daemon thread per web app that fires request deadlines. A cancelled deadline leaves the queue at once,
 * so that a long default deadline does not pile up the tasks of requests that ended long ago. Thread-safe.
 */
final class TimeoutScheduler {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;

    TimeoutScheduler(String name) {
        String threadName = "breakwater-timeout-" + name + "-" + INSTANCES.incrementAndGet();
        executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    Future<?> schedule(Runnable task, Duration delay) {
        return executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    void stop() {
        executor.shutdownNow();
    }
}
