package io.breakwater.guard.internal;

import io.breakwater.core.breaker.internal.Breaker;
import io.breakwater.core.status.internal.BreakerSource;
import io.breakwater.core.status.internal.BreakerView;
import java.util.List;

/** One guarded filter's breaker as the status page reads and resets it: one row, named by the filter. Thread-safe. */
public final class GuardStatus implements BreakerSource {
    private final Breaker breaker;

    public GuardStatus(Breaker breaker) {
        this.breaker = breaker;
    }

    @Override
    public List<BreakerView> breakers() {
        return List.of(breaker.view());
    }

    @Override
    public boolean reset(String name) {
        if (!breaker.breaker().getName().equals(name)) {
            return false;
        }
        breaker.reset();
        return true;
    }
}
