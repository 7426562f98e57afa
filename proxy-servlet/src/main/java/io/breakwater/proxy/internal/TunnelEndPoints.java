package io.breakwater.proxy.internal;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What the tunnel needs of Jetty beyond the Servlet API: Jetty parses a request without {@code Content-Length} (a
 * browser's handshake) to its end before the servlet runs, so its upgraded input stream ends at once; the tunnel reads
 * the client's connection (Jetty's {@code EndPoint}) instead, with its idle timeout (the connector's, 30 s by default)
 * lifted so that the tunnel's own timer rules. Jetty's classes are reached by reflection, through the loader of
 * Jetty's own request: a web app on Jetty does not see the server's classes. On Tomcat, the tunnel's close must reach
 * the socket ({@link #closeTomcatSocket}), and its steps hold the connection's lock ({@link #clientLock}). Stateless.
 */
final class TunnelEndPoints {
    private static final String JETTY_REQUEST = "org.eclipse.jetty.ee10.servlet.ServletApiRequest";
    private static final String TOMCAT_OUTPUT = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";

    private TunnelEndPoints() {
    }

    /** On Jetty, the client's connection, read directly; elsewhere, or if Jetty's classes differ, {@code null}. */
    static ClientConnection jettyEndPoint(ServletRequest request) {
        ServletRequest unwrapped = request;
        while (unwrapped instanceof ServletRequestWrapper wrapper) {
            unwrapped = wrapper.getRequest();
        }
        if (!unwrapped.getClass().getName().equals(JETTY_REQUEST)) {
            return null;
        }
        try {
            ClassLoader jetty = unwrapped.getClass().getClassLoader();
            Object contextRequest = jetty.loadClass("org.eclipse.jetty.ee10.servlet.ServletContextRequest")
                    .getMethod("getServletContextRequest", ServletRequest.class).invoke(null, unwrapped);
            Object metaData = jetty.loadClass("org.eclipse.jetty.server.Request")
                    .getMethod("getConnectionMetaData").invoke(contextRequest);
            Object connection = jetty.loadClass("org.eclipse.jetty.server.ConnectionMetaData")
                    .getMethod("getConnection").invoke(metaData);
            Object endPoint = jetty.loadClass("org.eclipse.jetty.io.Connection").getMethod("getEndPoint")
                    .invoke(connection);
            Class<?> endPoints = jetty.loadClass("org.eclipse.jetty.io.EndPoint");
            Class<?> callbacks = jetty.loadClass("org.eclipse.jetty.util.Callback");
            endPoints.getMethod("setIdleTimeout", long.class).invoke(endPoint, 0L);
            return new ClientConnection(endPoint, endPoints.getMethod("fill", ByteBuffer.class),
                    endPoints.getMethod("fillInterested", callbacks), endPoints.getMethod("close"), callbacks);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Lifts the container's own time limit on an upgraded request, so that the tunnel's idle timer rules: Jetty runs
     * an upgraded request as an async cycle, with the default async timeout of 30 s, and ends the upgrade (closing
     * the connection) when it passes, however busy the tunnel. Called once the container switched the connection.
     * Elsewhere (Tomcat starts no cycle) it does nothing.
     */
    static void keepOpen(ServletRequest request) {
        ServletRequest unwrapped = request;
        while (unwrapped instanceof ServletRequestWrapper wrapper) {
            unwrapped = wrapper.getRequest();
        }
        try {
            if (unwrapped != null && unwrapped.isAsyncStarted()) {
                unwrapped.getAsyncContext().setTimeout(0);
            }
        } catch (IllegalStateException ended) {
            // the cycle ended meanwhile: the tunnel finds its connection closed
        }
    }

    /**
     * On Tomcat, closes the client's socket: closing an upgraded connection's streams from a thread that is not
     * Tomcat's own leaves the socket open until its next event, and a browser waits for the server to close first.
     * Elsewhere, or if Tomcat's classes differ, does nothing (the container closes it in its own time).
     */
    static void closeTomcatSocket(jakarta.servlet.ServletOutputStream out) {
        if (out == null || !out.getClass().getName().equals(TOMCAT_OUTPUT)) {
            return;
        }
        try {
            java.lang.reflect.Field field = out.getClass().getDeclaredField("socketWrapper");
            field.setAccessible(true);
            Object socket = field.get(out);
            socket.getClass().getMethod("close").invoke(socket);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // left to Tomcat's next event on the connection
        }
    }

    /**
     * On Tomcat, the lock Tomcat holds while it handles an event on the client's connection: Tomcat's own
     * {@code onDataAvailable} fills the connection's read buffer before it calls the listener, so the tunnel's reads
     * and writes from other threads must hold this lock too, or they race Tomcat's on the same buffers (and a
     * readiness Tomcat found can be overwritten with the "not ready" the tunnel found a moment before, after which
     * Tomcat, having fired already, never calls the listener again). Elsewhere, or if Tomcat's classes differ, a lock
     * of the tunnel's own.
     */
    static Lock clientLock(jakarta.servlet.ServletOutputStream out) {
        if (out != null && out.getClass().getName().equals(TOMCAT_OUTPUT)) {
            try {
                java.lang.reflect.Field field = out.getClass().getDeclaredField("socketWrapper");
                field.setAccessible(true);
                Object socket = field.get(out);
                if (socket.getClass().getMethod("getLock").invoke(socket) instanceof Lock lock) {
                    return lock;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the tunnel's own lock, below
            }
        }
        return new ReentrantLock();
    }

    /** Jetty's connection to the client, as far as the tunnel reads it. Thread-safe as Jetty's is. */
    static final class ClientConnection {
        private final Object endPoint;
        private final Method fill;
        private final Method fillInterested;
        private final Method close;
        private final Class<?> callbacks;

        private ClientConnection(Object endPoint, Method fill, Method fillInterested, Method close,
                Class<?> callbacks) {
            this.endPoint = endPoint;
            this.fill = fill;
            this.fillInterested = fillInterested;
            this.close = close;
            this.callbacks = callbacks;
        }

        /** Closes the client's connection, so that a client waiting for the server to close first sees it. */
        void close() {
            try {
                close.invoke(endPoint);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Jetty closes it when the upgraded request completes
            }
        }

        /** Reads what is there after {@code buffer}'s limit: the count, 0 for nothing yet, -1 at the end. */
        int fill(ByteBuffer buffer) throws IOException {
            try {
                return (Integer) fill.invoke(endPoint, buffer);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IOException(e);
            }
        }

        /** Runs {@code readable} once there is something to fill, or {@code failed} if the connection fails. */
        void fillInterested(Runnable readable, Consumer<Throwable> failed) throws IOException {
            InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
                case "succeeded" -> {
                    readable.run();
                    yield null;
                }
                case "failed" -> {
                    failed.accept((Throwable) args[0]);
                    yield null;
                }
                case "toString" -> "tunnel fill interest";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> InvocationHandler.invokeDefault(proxy, method, args);
            };
            Object callback = Proxy.newProxyInstance(callbacks.getClassLoader(), new Class<?>[] {callbacks}, handler);
            try {
                fillInterested.invoke(endPoint, callback);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IOException(e);
            }
        }
    }
}
