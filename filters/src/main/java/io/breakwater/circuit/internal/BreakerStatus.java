package io.breakwater.circuit.internal;

import io.breakwater.core.breaker.internal.Breaker;
import io.breakwater.core.status.internal.BreakerSource;
import io.breakwater.core.status.internal.BreakerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code CircuitBreakerFilter}'s breakers as the status page reads and resets them, over the filter's live map
 * of breakers by name (an empty one: the route has no breaker). Thread-safe.
 */
public final class BreakerStatus implements BreakerSource {
    private final Map<String, Optional<Breaker>> breakers;

    public BreakerStatus(Map<String, Optional<Breaker>> breakers) {
        this.breakers = breakers;
    }

    @Override
    public List<BreakerView> breakers() {
        List<BreakerView> views = new ArrayList<>();
        breakers.values().forEach(breaker -> breaker.ifPresent(route -> views.add(route.view())));
        return views;
    }

    @Override
    public boolean reset(String name) {
        Optional<Breaker> breaker = breakers.getOrDefault(name, Optional.empty());
        breaker.ifPresent(Breaker::reset);
        return breaker.isPresent();
    }
}
