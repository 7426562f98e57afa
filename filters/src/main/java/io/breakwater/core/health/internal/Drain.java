package io.breakwater.core.health.internal;

import jakarta.servlet.ServletContext;
import java.util.function.Supplier;

/**
 * Where a web app's parts that the container may stop first (a servlet's HTTP client, a scheduler) wait for the
 * requests in flight to end: the app's drain, installed by the {@code DrainFilter} while it runs. Thread-safe.
 */
public final class Drain {
    private static final String ATTRIBUTE = Drain.class.getName();
    private static final String BEGIN = ATTRIBUTE + ".begin";
    private static final Runnable NOTHING = () -> { };

    private Drain() {
    }

    /** Makes {@code holdUntilIdle} the web app's drain, until {@link #uninstall}. */
    public static void install(ServletContext context, Runnable holdUntilIdle) {
        context.setAttribute(ATTRIBUTE, holdUntilIdle);
    }

    /**
     * Makes {@code holdUntilIdle} the web app's drain, and {@code begin} what counts work that outlives its request
     * (see {@link #begin}), until {@link #uninstall}.
     */
    public static void install(ServletContext context, Runnable holdUntilIdle, Supplier<Runnable> begin) {
        synchronized (context) {
            context.setAttribute(BEGIN, begin);
            context.setAttribute(ATTRIBUTE, holdUntilIdle);
        }
    }

    /**
     * Counts work that outlives its request (a proxy's upgraded connection) as in flight for the drain, until the
     * returned action runs (once; later runs do nothing): a stopping app then gives it the grace period too. Does
     * nothing when the app has no drain.
     */
    public static Runnable begin(ServletContext context) {
        return context.getAttribute(BEGIN) instanceof Supplier<?> begin && begin.get() instanceof Runnable end
                ? end : NOTHING;
    }

    /** Takes the drain out of the web app, unless another has replaced it there. */
    public static void uninstall(ServletContext context, Runnable holdUntilIdle) {
        synchronized (context) {
            if (context.getAttribute(ATTRIBUTE) == holdUntilIdle) {
                context.removeAttribute(ATTRIBUTE);
                context.removeAttribute(BEGIN);
            }
        }
    }

    /**
     * Holds the caller until the requests in flight have ended, or the drain's grace has passed: at once when the
     * app has no drain, or has drained already.
     */
    public static void holdUntilIdle(ServletContext context) {
        if (context.getAttribute(ATTRIBUTE) instanceof Runnable drain) {
            drain.run();
        }
    }
}
