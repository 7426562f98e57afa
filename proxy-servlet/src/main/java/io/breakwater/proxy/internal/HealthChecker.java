package io.breakwater.proxy.internal;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.internal.BackendPool;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: every interval, on its own scheduler thread (never a request thread), a GET of the check
 * path to every backend through an {@link HttpClient} of its own, so that a check never waits for a connection or a
 * thread behind proxied requests and its timeout measures the backend's answer. A backend turns unhealthy after the
 * configured consecutive failed checks and healthy after the configured consecutive passes; a failed check does not
 * count while proxied requests to the backend were answered within the last interval (the passive signal outweighs
 * a late check, as in Envoy). Thread-safe.
 */
public final class HealthChecker {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);
    /** Threads of the checks' own client: one selector, and its answers are a few bytes each. */
    private static final int CLIENT_THREADS = 4;

    private final BackendPool pool;
    private final String path;
    private final Duration interval;
    private final Duration timeout;
    private final Set<Integer> healthyStatuses;
    private final int healthyAfter;
    private final int unhealthyAfter;
    private final HttpClient client;
    private final ScheduledExecutorService scheduler;
    /** Per backend: consecutive passes (positive) or failures (negative). */
    private final Map<Backend, Integer> streaks = new ConcurrentHashMap<>();
    private final Set<Backend> checking = ConcurrentHashMap.newKeySet();

    public HealthChecker(BackendPool pool, ProxyConfig config, String name) {
        this.pool = pool;
        this.path = config.healthCheckPath;
        this.interval = config.healthCheckInterval;
        this.timeout = config.healthCheckTimeout;
        this.healthyStatuses = config.healthCheckStatuses;
        this.healthyAfter = config.healthyAfter;
        this.unhealthyAfter = config.unhealthyAfter;
        this.client = newClient(name, config.connectTimeout);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "breakwater-health-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    private static HttpClient newClient(String name, Duration connectTimeout) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setSslContextFactory(new SslContextFactory.Client());
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        QueuedThreadPool threads = new QueuedThreadPool(CLIENT_THREADS, 1);
        threads.setName("breakwater-health-" + name + "-client");
        threads.setDaemon(true);
        client.setExecutor(threads);
        client.setName("breakwater-health-" + name);
        client.setConnectTimeout(connectTimeout.toMillis());
        return client;
    }

    public void start() {
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("the health checks' client did not start", e);
        }
        scheduler.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void stop() {
        scheduler.shutdownNow();
        try {
            client.stop();
        } catch (Exception e) {
            LOG.warn("the health checks' client did not stop", e);
        }
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
                    .headers(headers -> headers.put(HttpHeader.CONNECTION, "close"))
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
        if (!passed && backend.answeredWithin(interval)) {
            // Proxied requests were answered meanwhile: a late or failed check is the check's problem, not the
            // backend's (a check path of its own that broke, a check that lost the race for a core).
            streaks.put(backend, 0);
            LOG.debug("backend {} failed a health check but answered requests within {}", backend, interval);
            return;
        }
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
