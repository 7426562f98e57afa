package io.breakwater.proxy.balance.internal;

import java.util.List;

/** The JMX controls of a proxy's set of backends ({@code breakwater:type=BackendPool,...}). */
public interface BackendPoolMBean {
    /** The backends' URLs, like {@code http://127.0.0.1:8081}. */
    List<String> getBackends();

    /** Adds a backend, written as in the {@code backends} parameter (for example {@code http://h:8080;weight=2}). */
    void addBackend(String url);

    /** Removes a backend; its in-flight requests finish. */
    void removeBackend(String url);
}
