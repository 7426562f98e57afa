package io.breakwater.proxy;

import io.breakwater.core.servlet.WrappedOutput;
import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * How backends' answers reach clients without a thread hand-over: the proxy's client handles answers on the network
 * thread that read them, which holds only because what runs there never blocks ({@link #sendWhole}). Stateless and
 * thread-safe.
 */
final class AnswerPassing {
    /** Whether Jetty's ee10 servlet classes are there: this servlet needs Jetty's proxy, not Jetty's container. */
    private static final boolean JETTY_OUTPUT = isPresent("org.eclipse.jetty.ee10.servlet.HttpOutput");

    private AnswerPassing() {
    }

    /**
     * One selector per core, from two to four: the client's network threads pass the backends' answers on
     * themselves, so a single one serialises every answer. At 256 connections on two cores two selectors served
     * 1.048x Jetty's {@code ProxyServlet} where one served 0.978x (BENCHMARKS.md).
     */
    static int selectors() {
        return Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Jetty's client, with its scheduler thread named {@code <name>-scheduler-N}. It speaks HTTP/1.1 to the backends,
     * as Jetty's default dynamic transport does when given no other protocol, without that transport's choice of
     * protocol list per request (BENCHMARKS.md).
     *
     * <p>Its answers are handled on the network thread that read them ({@code NON_BLOCKING}), not handed to a pool
     * thread as Jetty's {@code ProxyServlet} does: that hand-over was a thread wake-up per answer. This holds only
     * because nothing the listeners do there can block: a whole answer read at once goes to the client with Jetty's
     * non-blocking {@code sendContent} ({@link #sendWhole}); any other part of a body, and every failure, which may
     * write an error body, is handed to the pool as before ({@code BalancingProxyServlet}'s listener).
     */
    static HttpClient newClient(ClientConnector connector, String name) {
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        HttpClient client = new HttpClient(transport);
        client.setName(name);
        return client;
    }

    /**
     * Sends {@code content} as the whole body of the response, without blocking: through Jetty's own stream, or
     * through a Breakwater wrapper around it (on the wrapper's terms: {@code TimeoutFilter}'s gate). Returns
     * {@code false}, having done nothing, when the stream is another's, which only a blocking write can use.
     */
    static boolean sendWhole(ServletOutputStream out, ByteBuffer content, Callback callback) throws IOException {
        if (JETTY_OUTPUT && out instanceof HttpOutput jetty) {
            jetty.sendContent(content, callback);
            return true;
        }
        if (out instanceof WrappedOutput wrapper) {
            return wrapper.withWrapped(wrapped -> sendWhole(wrapped, content, callback));
        }
        return false;
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, AnswerPassing.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
