package io.breakwater.proxy;

import com.codahale.metrics.Timer;
import io.breakwater.core.status.BackendSource;
import io.breakwater.core.status.BackendView;
import io.breakwater.proxy.balance.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One proxy's backends as the status page reads, drains and enables them, over the live map of the pool's backends
 * to their latency timers that {@link ProxyMetrics} keeps. Thread-safe.
 */
final class BackendStatus implements BackendSource {
    private final String servletName;
    private final Map<Backend, Timer> latencies;

    BackendStatus(String servletName, Map<Backend, Timer> latencies) {
        this.servletName = servletName;
        this.latencies = latencies;
    }

    /** The backend's id on the page, as its MBean is named: the servlet's name and the backend's URL. */
    String id(Backend backend) {
        return servletName + " " + backend.key();
    }

    @Override
    public List<BackendView> backends() {
        List<BackendView> views = new ArrayList<>(latencies.size());
        latencies.forEach((backend, latency) -> views.add(new BackendView(id(backend), backend.getUrl(),
                adminState(backend.state()), backend.isHealthy(), backend.ejectedUntil(), backend.getInFlight(),
                backend.getRequests(), backend.getFailures(), latency)));
        return views;
    }

    private static BackendView.AdminState adminState(Backend.State state) {
        return switch (state) {
            case ACTIVE -> BackendView.AdminState.ACTIVE;
            case DRAINING -> BackendView.AdminState.DRAINING;
            case DISABLED -> BackendView.AdminState.DISABLED;
        };
    }

    @Override
    public boolean drain(String id) {
        Backend backend = find(id);
        if (backend != null) {
            backend.drain();
        }
        return backend != null;
    }

    @Override
    public boolean enable(String id) {
        Backend backend = find(id);
        if (backend != null) {
            backend.enable();
        }
        return backend != null;
    }

    private Backend find(String id) {
        for (Backend backend : latencies.keySet()) {
            if (id(backend).equals(id)) {
                return backend;
            }
        }
        return null;
    }
}
