package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import java.util.List;

/**
 * The power of two random choices on in-flight requests, a backend in its slow start counting as busier by the share
 * it may not take yet. Thread-safe.
 */
public final class LeastConnections implements BalanceStrategy {
    private final BackendPool pool;

    public LeastConnections(BackendPool pool) {
        this.pool = pool;
    }

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        return TwoChoices.pick(candidates, backend -> (backend.getInFlight() + 1) / pool.warmth(backend));
    }
}
