package io.breakwater.core.status;

import java.util.List;

/**
 * Circuit breakers, as a filter publishes them in {@link StatusSources}: their live figures and the control the
 * status page offers. Answers from state it already holds (no I/O). Implementations must be thread-safe.
 */
public interface BreakerSource {

    /** Every breaker now. */
    List<BreakerView> breakers();

    /** Closes the breaker of this name, forgetting every recorded call; false if there is none here. */
    boolean reset(String name);
}
