package io.breakwater.proxy.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The power of two random choices on the moving average of response time weighed by in-flight requests, so that a
 * fast backend is preferred without all traffic piling onto it. Thread-safe.
 */
public final class LeastResponseTime implements BalanceStrategy {

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
        return cost(b) < cost(a) ? b : a;
    }

    private static double cost(Backend backend) {
        return backend.averageNanos() * (backend.getInFlight() + 1);
    }
}
