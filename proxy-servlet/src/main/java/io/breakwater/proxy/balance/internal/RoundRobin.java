package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each candidate in turn. Thread-safe. */
public final class RoundRobin implements BalanceStrategy {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }
}
