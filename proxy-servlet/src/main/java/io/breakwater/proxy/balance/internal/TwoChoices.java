package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;

/**
 * The power of two random choices: of two distinct random candidates, the cheaper; nearly as good as the global
 * cheapest and free of the herd that always picking it sends to one backend. Stateless and thread-safe.
 */
final class TwoChoices {
    private TwoChoices() {
    }

    static Backend pick(List<Backend> candidates, ToDoubleFunction<Backend> cost) {
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
        return cost.applyAsDouble(b) < cost.applyAsDouble(a) ? b : a;
    }
}
