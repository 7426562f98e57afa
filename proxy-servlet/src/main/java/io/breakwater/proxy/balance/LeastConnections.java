package io.breakwater.proxy.balance;

import java.util.List;

/** The power of two random choices on in-flight requests. Thread-safe. */
public final class LeastConnections implements BalanceStrategy {

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        return TwoChoices.pick(candidates, Backend::getInFlight);
    }
}
