package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * nginx's smooth weighted round-robin: each pick adds every candidate's weight to its running score, takes the
 * highest and subtracts the total from it, so that weights 5,1,1 give a a b a c a a rather than a a a a a b c.
 * Thread-safe (one lock; a pick is a few additions per backend).
 */
public final class SmoothWeightedRoundRobin implements BalanceStrategy {
    // Weak keys: a backend removed from the pool takes its score with it.
    private final Map<Backend, int[]> scores = new WeakHashMap<>();

    @Override
    public synchronized Backend choose(List<Backend> candidates, String hashKey) {
        Backend best = null;
        int[] bestScore = null;
        int total = 0;
        for (Backend backend : candidates) {
            int[] score = scores.computeIfAbsent(backend, b -> new int[1]);
            score[0] += backend.getWeight();
            total += backend.getWeight();
            if (bestScore == null || score[0] > bestScore[0]) {
                best = backend;
                bestScore = score;
            }
        }
        bestScore[0] -= total;
        return best;
    }
}
