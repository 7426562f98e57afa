package io.breakwater.proxy.balance;

import io.breakwater.proxy.balance.internal.BackendPool;
import io.breakwater.proxy.balance.internal.ConsistentHash;
import io.breakwater.proxy.balance.internal.LeastConnections;
import io.breakwater.proxy.balance.internal.LeastResponseTime;
import io.breakwater.proxy.balance.internal.RandomChoice;
import io.breakwater.proxy.balance.internal.RoundRobin;
import io.breakwater.proxy.balance.internal.SmoothWeightedRoundRobin;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one registry of strategy names: the {@code strategy} parameter accepts these names and no other, and the
 * README lists them. A new strategy is its class and one line here. Immutable and thread-safe.
 */
public final class Strategies {
    private static final Map<String, Function<BackendPool, BalanceStrategy>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("round-robin", pool -> new RoundRobin());
        BY_NAME.put("weighted", pool -> new SmoothWeightedRoundRobin());
        BY_NAME.put("least-connections", LeastConnections::new);
        BY_NAME.put("least-response-time", LeastResponseTime::new);
        BY_NAME.put("random", pool -> new RandomChoice());
        BY_NAME.put("hash", ConsistentHash::new);
    }

    private Strategies() {
    }

    /** Every strategy name, in the order the README lists them. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** A new strategy of this name over the pool; throws {@link IllegalArgumentException} for an unknown name. */
    public static BalanceStrategy create(String name, BackendPool pool) {
        Function<BackendPool, BalanceStrategy> factory = BY_NAME.get(name);
        if (factory == null) {
            throw new IllegalArgumentException(name);
        }
        return factory.apply(pool);
    }
}
