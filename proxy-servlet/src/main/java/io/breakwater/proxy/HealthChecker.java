package io.breakwater.proxy;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BackendPool;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: every interval, on its own scheduler thread (never a request thread), a GET of the check
 * path to every backend through Jetty's asynchronous {@link HttpClient}; a backend turns unhealthy after the
 * configured consecutive failed checks and healthy after the configured consecutive passes. Thread-safe.
 */
final class HealthChecker {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final BackendPool pool;
    private final HttpClient client;
    private final String path;
    private final Duration interval;
    private final Duration timeout;
    private final Set<Integer> healthyStatuses;
    private final int healthyAfter;
    private final int unhealthyAfter;
    private final ScheduledExecutorService scheduler;
    /** Per backend: consecutive passes (positive) or failures (negative). */
    private final Map<Backend, Integer> streaks = new ConcurrentHashMap<>();
    private final Set<Backend> checking = ConcurrentHashMap.newKeySet();

    HealthChecker(BackendPool pool, HttpClient client, ProxyConfig config, String name) {
        this.pool = pool;
        this.client = client;
        this.path = config.healthCheckPath;
        this.interval = config.healthCheckInterval;
        this.timeout = config.healthCheckTimeout;
        this.healthyStatuses = config.healthCheckStatuses;
        this.healthyAfter = config.healthyAfter;
        this.unhealthyAfter = config.unhealthyAfter;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "breakwater-health-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        scheduler.shutdownNow();
    }

    private void checkAll() {
        try {
            for (Backend backend : pool.all()) {
                // A check still waiting for its timeout is not doubled by the next round.
                if (checking.add(backend)) {
                    check(backend);
                }
            }
        } catch (RuntimeException e) {
            // The scheduler would silently stop repeating a task that throws.
            LOG.warn("health check round failed", e);
        }
    }

    private void check(Backend backend) {
        try {
            client.newRequest(backend.key() + path)
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(headers -> headers.put(org.eclipse.jetty.http.HttpHeader.CONNECTION, "close"))
                    .send(result -> {
                        boolean passed = result.isSucceeded()
                                && healthyStatuses.contains(result.getResponse().getStatus());
                        record(backend, passed);
                        checking.remove(backend);
                    });
        } catch (RuntimeException e) {
            checking.remove(backend);
            record(backend, false);
        }
    }

    private void record(Backend backend, boolean passed) {
        int streak = streaks.merge(backend, passed ? 1 : -1,
                (old, step) -> Integer.signum(old) == step ? old + step : step);
        if (passed && streak >= healthyAfter && !backend.isHealthy()) {
            LOG.info("backend {} is healthy again", backend);
            backend.healthy(true);
        } else if (!passed && -streak >= unhealthyAfter && backend.isHealthy()) {
            LOG.warn("backend {} failed {} health checks in a row", backend, -streak);
            backend.healthy(false);
        }
    }
}
