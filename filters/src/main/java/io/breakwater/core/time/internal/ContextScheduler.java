package io.breakwater.core.time.internal;

import jakarta.servlet.ServletContext;

/**
 * The one {@link TimeoutScheduler} of a web app, shared by everything in it that sets request deadlines (the
 * {@code TimeoutFilter} and every guarded filter): one thread per app, however many filters. The first to acquire
 * it starts it, as a context attribute; the last to release it stops it, so an undeployed app leaves no thread
 * behind. Thread-safe.
 */
public final class ContextScheduler {
    static final String ATTRIBUTE = "io.breakwater.time.scheduler";

    private final TimeoutScheduler scheduler;
    private int holders;

    private ContextScheduler(TimeoutScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Takes a hold on the app's scheduler, starting it for the first holder. */
    public static TimeoutScheduler acquire(ServletContext context) {
        synchronized (context) {
            ContextScheduler shared = (ContextScheduler) context.getAttribute(ATTRIBUTE);
            if (shared == null) {
                String path = context.getContextPath();
                shared = new ContextScheduler(new TimeoutScheduler(path == null || path.isEmpty() ? "ROOT"
                        : path.substring(1).replace('/', '-')));
                context.setAttribute(ATTRIBUTE, shared);
            }
            shared.holders++;
            return shared.scheduler;
        }
    }

    /** Gives back a hold; the last one stops the scheduler, and its deadlines not yet due never fire. */
    public static void release(ServletContext context) {
        synchronized (context) {
            ContextScheduler shared = (ContextScheduler) context.getAttribute(ATTRIBUTE);
            if (shared != null && --shared.holders == 0) {
                context.removeAttribute(ATTRIBUTE);
                shared.scheduler.stop();
            }
        }
    }
}
