package io.breakwater.proxy.balance;

/** The JMX view and controls of one backend ({@code breakwater:type=Backend,...}). */
public interface BackendMBean {
    String getUrl();

    int getWeight();

    boolean isHealthy();

    /** When the passive ejection ends (ISO-8601), or {@code ""} when the backend is not ejected. */
    String getEjectedUntil();

    int getInFlight();

    long getRequests();

    long getFailures();

    /** {@code ACTIVE}, {@code DRAINING} or {@code DISABLED}. */
    String getState();

    /** No new requests; in-flight ones finish. */
    void drain();

    /** No requests at all, like a drain, until enabled. */
    void disable();

    /** Back in rotation (if healthy and not ejected). */
    void enable();
}
