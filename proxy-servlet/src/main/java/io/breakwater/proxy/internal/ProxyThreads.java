package io.breakwater.proxy.internal;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The threads the proxy's {@link HttpClient} runs on outside Jetty. Jetty's {@code ProxyServlet} takes the
 * container's thread pool from context attribute {@value #JETTY_EXECUTOR} and refuses to start without it, which
 * is every other container (Tomcat among them). There the client gets a pool of its own, {@code
 * breakwater-proxy-<servlet>-N}, which stops with the client when the servlet is destroyed. Thread-safe.
 */
public final class ProxyThreads {
    /** Where Jetty's contexts publish the server's thread pool, as Jetty's {@code ProxyServlet} reads it. */
    static final String JETTY_EXECUTOR = "org.eclipse.jetty.server.Executor";

    /** Jetty's {@code ProxyServlet.createHttpClient}, which can fail like it. */
    @FunctionalInterface
    public interface ClientFactory {
        HttpClient create() throws ServletException;
    }

    private ProxyThreads() {
    }

    /**
     * Creates the client with {@code factory}; when the container publishes no thread pool, the attribute holds a
     * new pool of the proxy's own while the factory runs, and nothing afterwards. The client manages that pool (it
     * was not started when handed over), so stopping the client stops its threads.
     */
    public static HttpClient create(ServletContext context, String servletName, ClientFactory factory)
            throws ServletException {
        // one lock for every web app: servlets that start lazily may start at once, each must see its own pool
        synchronized (ProxyThreads.class) {
            if (context.getAttribute(JETTY_EXECUTOR) != null) {
                return factory.create();
            }
            QueuedThreadPool threads = new QueuedThreadPool();
            threads.setName("breakwater-proxy-" + servletName);
            context.setAttribute(JETTY_EXECUTOR, threads);
            try {
                return factory.create();
            } finally {
                context.removeAttribute(JETTY_EXECUTOR);
            }
        }
    }
}
