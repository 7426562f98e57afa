package io.breakwater.status;

import com.codahale.metrics.Timer;
import io.breakwater.core.status.BackendSource;
import io.breakwater.core.status.BackendView;
import java.util.List;

/**
 * A stand-in for a proxy (this module cannot see the proxy's): one backend, published as a {@link BackendSource}
 * under the id shape the proxy gives, with figures a test sets. Thread-safe.
 */
final class TestBackend implements BackendSource {
    private final String id;
    private final String url;
    private volatile BackendView.AdminState state = BackendView.AdminState.ACTIVE;
    private volatile long requests;
    private volatile long failures;
    private volatile Timer latency;

    TestBackend(String url) {
        this.id = "proxy " + url;
        this.url = url;
    }

    void counts(long requestCount, long failureCount) {
        requests = requestCount;
        failures = failureCount;
    }

    void latency(Timer timer) {
        latency = timer;
    }

    /** The administrative state, as the proxy's MBean names it. */
    String getState() {
        return state.name();
    }

    @Override
    public List<BackendView> backends() {
        return List.of(new BackendView(id, url, state, true, null, 0, requests, failures, latency));
    }

    @Override
    public boolean drain(String target) {
        return moveTo(target, BackendView.AdminState.DRAINING);
    }

    @Override
    public boolean enable(String target) {
        return moveTo(target, BackendView.AdminState.ACTIVE);
    }

    private boolean moveTo(String target, BackendView.AdminState next) {
        if (!id.equals(target)) {
            return false;
        }
        state = next;
        return true;
    }
}
