package io.breakwater.status;

/** The attributes and operations of the proxy's {@code BackendMBean}, as the status page reads them. */
public interface TestBackendMBean {
    String getUrl();

    String getState();

    boolean isHealthy();

    String getEjectedUntil();

    int getInFlight();

    long getRequests();

    long getFailures();

    void drain();

    void disable();

    void enable();
}
