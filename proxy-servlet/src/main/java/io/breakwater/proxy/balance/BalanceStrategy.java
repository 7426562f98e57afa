package io.breakwater.proxy.balance;

import io.breakwater.proxy.balance.internal.BackendPool;
import java.util.List;

/**
 * Chooses the backend for a request among the candidates (available and not yet tried by this request).
 * Implementations are thread-safe; {@link Strategies} names them.
 */
public interface BalanceStrategy {

    /**
     * Returns one of the candidates, which is never empty.
     *
     * @param candidates the available backends not yet tried, in pool order
     * @param hashKey what a hashing strategy keys on (client address, header or cookie); others ignore it
     */
    Backend choose(List<Backend> candidates, String hashKey);

    /** The strategy of a {@code strategy} parameter value, one of {@link Strategies#names()}. */
    static BalanceStrategy named(String name, BackendPool pool) {
        return Strategies.create(name, pool);
    }
}
