package io.breakwater.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real backend on 127.0.0.1 for the sample's proxy: answers with {@code X-Backend: <name>}, counts requests,
 * can be killed, and frozen (requests wait on a latch until it is thawed or stopped), or hold its requests (not its
 * health checks) until it dies.
 */
final class ItBackend implements AutoCloseable {
    private final Server server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile CountDownLatch frozen = new CountDownLatch(0);
    /** Requests, not health checks, are left unanswered until the backend dies: tries that surely fail here. */
    private volatile boolean holding;

    ItBackend(String name) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (!"/health".equals(Request.getPathInContext(request))) {
                    requests.incrementAndGet();
                    if (holding) {
                        return true; // never answered: its connection closes under it when the backend dies
                    }
                }
                frozen.await(30, TimeUnit.SECONDS);
                response.getHeaders().put("X-Backend", name);
                response.write(true, ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    int requests() {
        return requests.get();
    }

    void freeze() {
        frozen = new CountDownLatch(1);
    }

    void thaw() {
        frozen.countDown();
    }

    /**
     * Holds every request from now on, unanswered, until the backend is killed; its health checks still pass, so that
     * nothing takes it out of its proxy's pool meanwhile.
     */
    void holdRequests() {
        holding = true;
    }

    /** Kills the backend: its port refuses connections from now on, and requests it held die unanswered. */
    @Override
    public void close() {
        thaw();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("backend did not stop", e);
        }
    }
}
