package io.breakwater.sample.launcher;

import io.breakwater.core.config.Durations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample's graceful stop. On the first SIGTERM (or SIGINT) {@code /breakwater/ready} turns 503 at once; new
 * connections are still accepted for the drain delay, the time a load balancer needs to see that; then the
 * listening socket closes, and the requests in flight, proxied ones included, get what is left of the grace period
 * (counted from the signal) to complete; then the server stops. A second signal, or the end of the grace period,
 * stops at once, with one log line saying how many requests were cut. Thread-safe; stops once.
 */
final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private final SampleServer server;
    private final Duration drainDelay;
    private final Duration grace;
    private final AtomicInteger signals = new AtomicInteger();
    /** Completed, with what said so, when the stop must not wait any longer. */
    private final CompletableFuture<String> hurry = new CompletableFuture<>();

    GracefulStop(SampleServer server, Duration drainDelay, Duration grace) {
        this.server = server;
        this.drainDelay = drainDelay;
        this.grace = grace;
    }

    /**
     * A stop signal arrived: the first one starts the stop and exits the process after it, with status 0, or 1 if
     * the stop failed (the process must end either way).
     */
    void signal(String name) {
        if (signals.incrementAndGet() == 1) {
            Thread stopping = new Thread(() -> {
                int status = 0;
                try {
                    stop("SIG" + name);
                } catch (RuntimeException e) {
                    LOG.error("the sample did not stop cleanly", e);
                    status = 1;
                }
                System.exit(status);
            }, "breakwater-sample-stop");
            stopping.start();
        } else {
            hurry.complete("second SIG" + name);
        }
    }

    /** Drains, then stops the server; returns once it has stopped. */
    void stop(String cause) {
        long start = System.nanoTime();
        server.markDraining();
        LOG.info("{}: draining; /breakwater/ready answers 503, new connections are {}, requests in flight get up to {}"
                + " in all", cause, drainDelay.isZero() ? "refused" : "accepted for " + Durations.format(drainDelay)
                + " more", Durations.format(grace));
        String forced = awaitHurry(drainDelay.toNanos());
        CompletableFuture<Void> connectionsClosed = server.stopAccepting();
        if (forced == null) {
            long left = grace.toNanos() - (System.nanoTime() - start);
            // Both: no connection left means no request can arrive, and a request can outlive its connection
            // (a proxied one whose client went away still holds a backend's connection).
            forced = awaitHurryOr(CompletableFuture.allOf(connectionsClosed, server.inFlight().whenNone()), left);
        }
        if (forced == null) {
            LOG.info("drained: every request in flight completed and every connection closed; stopping");
        } else {
            int cut = server.inFlight().count();
            LOG.warn("{}: stopping at once, {} {} in flight cut", forced, cut, cut == 1 ? "request" : "requests");
            server.cutRequests();
        }
        server.stop();
    }

    /** Waits out the delay; returns what hurried the stop, or null if nothing did. */
    private String awaitHurry(long nanos) {
        try {
            return hurry.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until done, a hurry or the time is up; returns null when done, else why the wait ended early. */
    private String awaitHurryOr(CompletableFuture<Void> done, long nanos) {
        try {
            CompletableFuture.anyOf(done, hurry).get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            return done.isDone() ? null : hurry.getNow("hurried");
        } catch (TimeoutException e) {
            return "grace period of " + Durations.format(grace) + " ended";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
