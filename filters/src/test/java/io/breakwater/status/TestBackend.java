package io.breakwater.status;

/**
 * A stand-in for the proxy's {@code Backend} MBean (this module cannot see the proxy's), registered under the
 * same type and name shape, with figures a test sets. Thread-safe.
 */
public final class TestBackend implements TestBackendMBean {
    private final String url;
    private volatile String state = "ACTIVE";
    private volatile boolean healthy = true;
    private volatile long requests;
    private volatile long failures;

    TestBackend(String url) {
        this.url = url;
    }

    void counts(long requestCount, long failureCount) {
        requests = requestCount;
        failures = failureCount;
    }

    void healthy(boolean value) {
        healthy = value;
    }

    @Override
    public String getUrl() {
        return url;
    }

    @Override
    public String getState() {
        return state;
    }

    @Override
    public boolean isHealthy() {
        return healthy;
    }

    @Override
    public String getEjectedUntil() {
        return "";
    }

    @Override
    public int getInFlight() {
        return 0;
    }

    @Override
    public long getRequests() {
        return requests;
    }

    @Override
    public long getFailures() {
        return failures;
    }

    @Override
    public void drain() {
        state = "DRAINING";
    }

    @Override
    public void disable() {
        state = "DISABLED";
    }

    @Override
    public void enable() {
        state = "ACTIVE";
    }
}
