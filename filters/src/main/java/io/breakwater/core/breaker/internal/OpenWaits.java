package io.breakwater.core.breaker.internal;

import java.time.Duration;

/** How long a {@link Breaker} stays open before it lets probes through. Implementations are immutable. */
public interface OpenWaits {

    /** The wait in open after the given number of openings without a close in between (1 for the first). */
    Duration waitInOpen(int openings);

    /** The configured wait of a first opening: the honest polling interval of a breaker forced open. */
    Duration baseWaitInOpen();
}
