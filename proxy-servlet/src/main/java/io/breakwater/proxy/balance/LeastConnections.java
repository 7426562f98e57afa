package io.breakwater.proxy.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The power of two random choices on in-flight requests: of two random candidates, the one with fewer; nearly as
 * good as the global least and free of the herd that always picking the global least sends to one idle backend.
 * Thread-safe.
 */
public final class LeastConnections implements BalanceStrategy {

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = random.nextInt(candidates.size());
        int second = random.nextInt(candidates.size() - 1);
        if (second >= first) {
            second++;
        }
        Backend a = candidates.get(first);
        Backend b = candidates.get(second);
        return b.getInFlight() < a.getInFlight() ? b : a;
    }
}
