package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A uniformly random candidate. Thread-safe. */
public final class RandomChoice implements BalanceStrategy {

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
    }
}
