package io.breakwater.limit.internal;

import io.breakwater.core.servlet.internal.RequestEnd;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.internal.NanoClock;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The web app's concurrency limits: one adaptive limit per route ({@link AdaptiveLimit}), under one ceiling for the
 * whole app ({@code maxConcurrencyLimit}). A request is admitted while its route is under its own limit and the app
 * under its ceiling, so requests hanging on one route (a dependency that stopped answering) fill that route's share
 * and shed on that route alone, while every other route keeps its own; and what a limit learns from a route's
 * latency and timeouts moves that route's limit only. Routes are route templates or servlet mapping patterns,
 * never raw URIs, so the limits kept here are bounded. A critical request is shed only once the critical requests
 * alone fill its route's limit or the ceiling. Thread-safe.
 */
public final class RouteLimits {
    private final ConcurrencyLimitConfig config;
    /** The clock the admitted requests' latency is measured on. */
    private final NanoClock clock;
    private final ConcurrentMap<String, AdaptiveLimit> routes = new ConcurrentHashMap<>();
    private final int ceiling;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger criticalInFlight = new AtomicInteger();
    /** Told each route once, as its limit is made: so that its figures are published. */
    private final Consumer<String> newRoute;

    public RouteLimits(ConcurrencyLimitConfig config, NanoClock clock) {
        this(config, clock, route -> { });
    }

    public RouteLimits(ConcurrencyLimitConfig config, NanoClock clock, Consumer<String> newRoute) {
        this.config = config;
        this.clock = clock;
        this.ceiling = config.maxLimit();
        this.newRoute = newRoute;
    }

    /** What the app admits at once now: the sum of its routes' limits, at most the ceiling. */
    public int limit() {
        long sum = 0;
        for (AdaptiveLimit route : routes.values()) {
            sum += route.limit();
        }
        return (int) Math.min(ceiling, sum);
    }

    /** The requests holding a place now, on every route. */
    public int inFlight() {
        return inFlight.get();
    }

    /** One route's limit now, or {@code -1} when no request of that route was seen yet. */
    public int limit(String route) {
        AdaptiveLimit limit = routes.get(route);
        return limit == null ? -1 : limit.limit();
    }

    /** One route's requests holding a place now, or {@code -1} when no request of that route was seen yet. */
    public int inFlight(String route) {
        AdaptiveLimit limit = routes.get(route);
        return limit == null ? -1 : limit.inFlight.get();
    }

    /** The routes whose requests were seen, each with a limit of its own. */
    public Set<String> routes() {
        return Collections.unmodifiableSet(routes.keySet());
    }

    /** A permit for a request of {@code route} that began at {@code startNanos}, or {@code null} to shed it. */
    public Permit tryAcquire(String route, boolean critical, long startNanos) {
        AdaptiveLimit limit = routes.get(route);
        if (limit == null) {
            AdaptiveLimit made = new AdaptiveLimit(config);
            limit = routes.putIfAbsent(route, made);
            if (limit == null) {
                limit = made;
                newRoute.accept(route);
            }
        }
        int routeInFlight = limit.tryAcquire(critical);
        if (routeInFlight == 0) {
            return null;
        }
        if (critical ? AdaptiveLimit.incrementBelow(criticalInFlight, ceiling) == 0
                : AdaptiveLimit.incrementBelow(inFlight, ceiling) == 0) {
            limit.undo(critical);
            return null;
        }
        if (critical) {
            inFlight.incrementAndGet();
        }
        return new Permit(limit, startNanos, routeInFlight, critical);
    }

    /** How an admitted request ended, as the algorithm should take it. */
    public enum Outcome {
        /** Answered: its latency is a sample. */
        ANSWERED,
        /** It ran past its deadline: a sign of overload whatever its latency (loss-based algorithms back off). */
        TIMED_OUT,
        /** It failed or its client left: its latency says nothing about the app's load. */
        IGNORED
    }

    /**
     * One admitted request's place on its route and under the ceiling; released exactly once, however the request
     * ends ({@link RequestEnd}): when it returns, or when its async cycle completes. Thread-safe.
     */
    public final class Permit extends RequestEnd {
        private final AdaptiveLimit route;
        private final long startNanos;
        private final int inFlightAtStart;
        private final boolean critical;

        private Permit(AdaptiveLimit route, long startNanos, int inFlightAtStart, boolean critical) {
            this.route = route;
            this.startNanos = startNanos;
            this.inFlightAtStart = inFlightAtStart;
            this.critical = critical;
        }

        @Override
        protected void ended(HttpServletRequest request, HttpServletResponse response, Throwable failure,
                long nanoTime) {
            inFlight.decrementAndGet();
            if (critical) {
                criticalInFlight.decrementAndGet();
            }
            long end = clock.at(nanoTime);
            route.release(critical, startNanos, end - startNanos, inFlightAtStart,
                    failure != null ? Outcome.IGNORED : outcome(request, response));
        }
    }

    /**
     * An answer's latency is a sample; a request past its deadline is a sign of overload; a failure (5xx) says
     * nothing of the app's load (a fast one would pull the baseline down, a broken backend's timeout push it up).
     */
    private static Outcome outcome(HttpServletRequest request, HttpServletResponse response) {
        Optional<Deadline> deadline = Deadline.of(request);
        if (deadline.isPresent() && deadline.get().isExpired()) {
            return Outcome.TIMED_OUT;
        }
        return response.getStatus() < 500 ? Outcome.ANSWERED : Outcome.IGNORED;
    }
}
