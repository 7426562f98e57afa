package io.breakwater.proxy.internal;

import io.breakwater.core.config.internal.StatusSet;
import io.breakwater.proxy.balance.BalanceStrategy;
import io.breakwater.proxy.balance.internal.BackendPool;
import java.time.Duration;

/**
 * The proxy's policies that {@link Attempts} consults for every exchange: where a try goes, whether a failed one
 * may move on, when a hedge may run, whose fault an ending was. One per servlet; immutable and thread-safe.
 */
public final class TryRules {
    final BackendPool pool;
    final BalanceStrategy strategy;
    final FailoverPolicy failover;
    final Hedging hedging;
    final FaultAttribution attribution;
    final StatusSet failoverStatuses;
    final Duration tryTimeout;
    final int maxAttempts;
    /** What the hash strategy keys on: {@code ip}, {@code header:<name>} or {@code cookie:<name>}. */
    final String hashKey;

    public TryRules(BackendPool pool, BalanceStrategy strategy, FailoverPolicy failover, Hedging hedging,
            StatusSet failoverStatuses, Duration tryTimeout, int maxAttempts, String hashKey) {
        this.pool = pool;
        this.strategy = strategy;
        this.failover = failover;
        this.hedging = hedging;
        this.attribution = new FaultAttribution(failoverStatuses);
        this.failoverStatuses = failoverStatuses;
        this.tryTimeout = tryTimeout;
        this.maxAttempts = maxAttempts;
        this.hashKey = hashKey;
    }
}
