package io.breakwater.core.servlet;

/**
 * Questions the container asks Breakwater's request wrappers, answered without passing them down. Jetty 12 (ee10)
 * looks for its own request under a wrapper at every filter of the chain and at the servlet
 * ({@code ServletContextRequest.getServletContextRequest}): first by asking the wrapper for the attribute
 * {@value #JETTY_SERVLET_CHANNEL}, then, when that is not its channel, by unwrapping the request. Jetty 12.1 keeps
 * no request attribute of that name (the channel lives in the connection's component cache), so the question walks
 * every wrapper and the container's attribute layers only to be answered {@code null}: in a CPU profile of the proxy
 * under load it was 3 % of the samples, four times per request behind the suite's filters (BENCHMARKS.md). A wrapper
 * answers {@code null} at once instead: the container's own answer, and should a later Jetty keep its channel there,
 * Jetty still finds its request by unwrapping. Stateless.
 */
public final class ContainerLookups {
    /** The attribute Jetty 12 ee10 asks a wrapped request for before unwrapping it. */
    public static final String JETTY_SERVLET_CHANNEL = "org.eclipse.jetty.ee10.servlet.ServletChannel";

    private ContainerLookups() {
    }

    /** Whether a wrapper answers {@code getAttribute(name)} with {@code null} without asking the request it wraps. */
    public static boolean answersNull(String name) {
        return JETTY_SERVLET_CHANNEL.equals(name);
    }
}
