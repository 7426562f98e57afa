package io.breakwater.health;

import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Durations;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import io.breakwater.core.health.internal.Drain;
import io.breakwater.core.health.Readiness;
import io.breakwater.core.servlet.internal.AsyncCompletion;
import io.breakwater.core.servlet.internal.AsyncStarts;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a stopping web app until its requests in flight have ended. It counts the requests that pass it (an
 * asynchronous one, a proxied one for example, until its async cycle completes); when the container destroys it,
 * or destroys a {@code BalancingProxyServlet} first ({@link #drain(ServletContext)}), it marks the app draining
 * ({@link Readiness}) and waits until none is left, for at most {@link #SHUTDOWN_GRACE}. Map it last in web.xml,
 * on {@code /*} for REQUEST only (a request counts once): Jetty destroys filters in the reverse order of their
 * mappings, and filters before servlets, so the last one goes first and the rest of the app, the proxy's client
 * included, still works while it waits. Tomcat destroys servlets before filters: there the proxy servlet, whose
 * client the proxied requests in flight still need, drains first. An app that was marked draining before it
 * stopped (the sample's launcher drains it so) is not held again: whoever started the drain already waited.
 * Thread-safe.
 */
public class DrainFilter implements Filter {
    /** How long a stopping web app waits for its requests in flight; {@code off} waits not at all. */
    public static final Parameter<Duration> SHUTDOWN_GRACE = Parameter.of("shutdownGrace", "DrainFilter", "30s",
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1)));

    private static final Logger LOG = LoggerFactory.getLogger(DrainFilter.class);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object idle = new Object();
    private final Runnable drain = this::holdUntilIdle;
    private volatile boolean stopping;
    private Duration grace;
    private ServletContext context;

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        grace = ConfigReader.read(filterConfig, reader -> reader.get(SHUTDOWN_GRACE));
        context = filterConfig.getServletContext();
        Drain.install(context, drain, this::begin);
    }

    /**
     * Drains the web app now, as the DrainFilter's destroy would, when the app has one: for a part that the
     * container may destroy before the filter and that the requests in flight still need. Returns at once when
     * the app has no DrainFilter, or is already draining.
     */
    public static void drain(ServletContext context) {
        Drain.holdUntilIdle(context);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        inFlight.incrementAndGet();
        boolean ended = true;
        try {
            chain.doFilter(request, response);
            AsyncContext cycle = AsyncStarts.startedCycle(request);
            if (cycle != null) {
                // the container completes an async cycle only after this dispatch returns: the listener is in time
                cycle.addListener(AsyncCompletion.once(this::ended));
                ended = false;
            }
        } finally {
            if (ended) {
                ended();
            }
        }
    }

    /** Work that outlives its request (a proxy's tunnel) counts as in flight until the returned action runs. */
    private Runnable begin() {
        inFlight.incrementAndGet();
        AtomicBoolean ended = new AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true)) {
                ended();
            }
        };
    }

    private void ended() {
        if (inFlight.decrementAndGet() == 0 && stopping) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Requests in flight through this filter now. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void destroy() {
        if (context == null) {
            return;
        }
        holdUntilIdle();
        Drain.uninstall(context, drain);
    }

    private void holdUntilIdle() {
        if (grace.isZero()) {
            return;
        }
        Readiness readiness = Readiness.of(context);
        if (readiness.isDraining()) {
            return;
        }
        readiness.drain();
        stopping = true;
        int waiting = inFlight.get();
        if (waiting == 0) {
            return;
        }
        LOG.info("web app {} stopping: waiting up to {} for {} {} in flight", context.getContextPath(),
                Durations.format(grace), waiting, waiting == 1 ? "request" : "requests");
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (idle) {
            for (long left = grace.toNanos(); inFlight.get() > 0 && left > 0; left = deadline - System.nanoTime()) {
                try {
                    idle.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int cut = inFlight.get();
        if (cut > 0) {
            LOG.warn("web app {} stopping with {} {} in flight cut: the shutdown grace of {} ended",
                    context.getContextPath(), cut, cut == 1 ? "request" : "requests",
                    Durations.format(grace));
        } else {
            LOG.info("web app {} stopping: every request in flight ended", context.getContextPath());
        }
    }
}
