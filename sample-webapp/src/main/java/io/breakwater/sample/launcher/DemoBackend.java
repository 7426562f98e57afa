package io.breakwater.sample.launcher;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * One of the sample's embedded demo backends on 127.0.0.1 and an ephemeral port: {@code /health} answers 200, every
 * other path answers 200 {@code hello from backend N} with header {@code X-Backend: N}. Thread-safe.
 */
public final class DemoBackend implements AutoCloseable {
    private final Server server;

    private DemoBackend(Server server) {
        this.server = server;
    }

    public static DemoBackend start(String name) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        SampleServer.hideServerVersion(connector); // the proxy passes a backend's Server header on
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        byte[] hello = ("hello from backend " + name + "\n").getBytes(StandardCharsets.UTF_8);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("X-Backend", name);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
                boolean health = "/health".equals(Request.getPathInContext(request));
                response.write(true, ByteBuffer.wrap(health ? "ok\n".getBytes(StandardCharsets.UTF_8) : hello),
                        callback);
                return true;
            }
        });
        server.start();
        return new DemoBackend(server);
    }

    public String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("demo backend did not stop", e);
        }
    }
}
