package io.breakwater.core.metric.internal;

import java.util.Locale;

/**
 * What a metric's figures are broken down by, with the name each view gives the label ({@code route="/orders/{id}"}
 * in Prometheus' text). Immutable.
 */
public enum Label {
    /** The request's route: a template of the {@code routes} parameter, else the servlet mapping. */
    ROUTE("route"),
    /** The Breakwater filter that counted, like {@code circuitBreaker}. */
    FILTER("filter"),
    /** The proxy servlet, by its name. */
    PROXY("proxy"),
    /** A backend of the proxy, as {@code host:port}. */
    BACKEND("backend"),
    /** A circuit breaker, by its name (the route, the servlet or a fixed name). */
    BREAKER("breaker"),
    /** A status class, {@code 1xx} to {@code 5xx}. */
    STATUS_CLASS("class"),
    /** An exception's class name. */
    EXCEPTION_CLASS("exception"),
    /** An error code of the error contract, like {@code CIRCUIT_OPEN}. */
    CODE("code"),
    /** What kind of fault a client caused, like {@code stalled}. */
    KIND("kind"),
    /** How a guarded filter's own work ended: {@code success} or {@code failure}. */
    OUTCOME("outcome"),
    /** A garbage collector of the JVM, by its name, like {@code G1 Young Generation}. */
    GC("gc");

    private final String label;

    Label(String label) {
        this.label = label;
    }

    /** The label's name in every view: lower case, as Prometheus wants it. */
    public String label() {
        return label;
    }

    /** The label written {@code name} in a family's key template. */
    static Label named(String name) {
        for (Label label : values()) {
            if (label.label.equals(name)) {
                return label;
            }
        }
        throw new IllegalArgumentException("no label " + name + "; labels are "
                + java.util.Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
}
