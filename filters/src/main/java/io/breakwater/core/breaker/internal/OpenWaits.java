package io.breakwater.core.breaker.internal;

import java.time.Duration;

/** How long a {@link Breaker} stays open before it lets probes through, and half-open before it gives up on them. Implementations are immutable. */
public interface OpenWaits {

    /** The wait in open after the given number of openings without a close in between (1 for the first). */
    Duration waitInOpen(int openings);

    /** The configured wait of a first opening: the honest polling interval of a breaker forced open. */
    Duration baseWaitInOpen();

    /**
     * How long a half-open breaker waits for its probes' ends before it opens again: a probe whose end is never
     * told (a request lost without an end) must not leave the breaker refusing for good.
     */
    Duration maxWaitInHalfOpen();
}
