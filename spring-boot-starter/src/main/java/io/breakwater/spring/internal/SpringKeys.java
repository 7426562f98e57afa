package io.breakwater.spring.internal;

/**
 * The starter's own keys, beside the parameter table's: which parts it registers and where. Constants, so that
 * the auto-configuration's conditions and the generated configuration metadata name the same keys.
 */
public final class SpringKeys {
    public static final String PREFIX = "breakwater";
    /** Under it, {@code <filter>.enabled} turns one of the suite's filters off. */
    public static final String FILTERS = PREFIX + ".filters.";
    public static final String EXCEPTION_HANDLING_ENABLED = FILTERS + "exception-handling.enabled";
    public static final String CONCURRENCY_LIMIT_ENABLED = FILTERS + "concurrency-limit.enabled";
    public static final String TIMEOUT_ENABLED = FILTERS + "timeout.enabled";
    public static final String CIRCUIT_BREAKER_ENABLED = FILTERS + "circuit-breaker.enabled";
    public static final String METRICS_ENABLED = FILTERS + "metrics.enabled";
    /** The proxy's parameters are {@code breakwater.proxy.<name>}; with a path set, the proxy is registered. */
    public static final String PROXY = PREFIX + ".proxy";
    public static final String PROXY_PATH = PROXY + ".path";
    public static final String MVC_ROUTES_ENABLED = PREFIX + ".mvc-routes.enabled";
    public static final String STATUS_PAGE_ENABLED = PREFIX + ".status-page.enabled";
    public static final String STATUS_PAGE_PATH = PREFIX + ".status-page.path";
    public static final String METRICS_PAGE_ENABLED = PREFIX + ".metrics-page.enabled";
    public static final String METRICS_PAGE_PATH = PREFIX + ".metrics-page.path";
    public static final String DEFAULT_STATUS_PAGE_PATH = "/breakwater/status";
    public static final String DEFAULT_METRICS_PAGE_PATH = "/breakwater/metrics";

    /** Each switch: key, type, default, description; the metadata generator writes one entry per row. */
    static final String[][] SWITCHES = {
        {EXCEPTION_HANDLING_ENABLED, "java.lang.Boolean", "true", "Whether ExceptionHandlingFilter is registered."},
        {CONCURRENCY_LIMIT_ENABLED, "java.lang.Boolean", "true", "Whether ConcurrencyLimitFilter is registered."},
        {TIMEOUT_ENABLED, "java.lang.Boolean", "true", "Whether TimeoutFilter is registered."},
        {CIRCUIT_BREAKER_ENABLED, "java.lang.Boolean", "true", "Whether CircuitBreakerFilter is registered."},
        {METRICS_ENABLED, "java.lang.Boolean", "true", "Whether MetricsFilter is registered."},
        {PROXY_PATH, "java.lang.String", null,
            "The servlet mapping of BalancingProxyServlet, like /api/*; unset, no proxy is registered."},
        {MVC_ROUTES_ENABLED, "java.lang.Boolean", "true",
            "Whether Spring MVC's handler patterns are added to the routes after the routes parameter's own."},
        {STATUS_PAGE_ENABLED, "java.lang.Boolean", "false",
            "Whether StatusServlet is served on the app's port (answering statusAllowFrom only)."},
        {STATUS_PAGE_PATH, "java.lang.String", DEFAULT_STATUS_PAGE_PATH, "Where StatusServlet is served."},
        {METRICS_PAGE_ENABLED, "java.lang.Boolean", "false",
            "Whether MetricsServlet is served on the app's port (answering statusAllowFrom only)."},
        {METRICS_PAGE_PATH, "java.lang.String", DEFAULT_METRICS_PAGE_PATH, "Where MetricsServlet is served."},
    };

    private SpringKeys() {
    }
}
