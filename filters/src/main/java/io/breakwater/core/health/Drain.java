package io.breakwater.core.health;

import jakarta.servlet.ServletContext;

/**
 * Where a web app's parts that the container may stop first (a servlet's HTTP client, a scheduler) wait for the
 * requests in flight to end: the app's drain, installed by the {@code DrainFilter} while it runs. Thread-safe.
 */
public final class Drain {
    private static final String ATTRIBUTE = Drain.class.getName();

    private Drain() {
    }

    /** Makes {@code holdUntilIdle} the web app's drain, until {@link #uninstall}. */
    public static void install(ServletContext context, Runnable holdUntilIdle) {
        context.setAttribute(ATTRIBUTE, holdUntilIdle);
    }

    /** Takes the drain out of the web app, unless another has replaced it there. */
    public static void uninstall(ServletContext context, Runnable holdUntilIdle) {
        synchronized (context) {
            if (context.getAttribute(ATTRIBUTE) == holdUntilIdle) {
                context.removeAttribute(ATTRIBUTE);
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
