package io.breakwater.bench;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;

/**
 * Jetty's core {@link ProxyHandler.Reverse} spread round-robin over the given backends: the servlet-free peer of
 * {@link RoundRobinProxyServlet}, with the client that servlet configures (the server's thread pool, 256 connections
 * per backend, 30 s idle timeout, one selector) and the same total timeout per request. Thread-safe.
 */
public class RoundRobinProxyHandler extends ProxyHandler.Reverse {
    private static final int MAX_CONNECTIONS_PER_BACKEND = 256;
    private static final long IDLE_TIMEOUT_MS = 30_000;
    private final long timeoutMs;

    /** Over {@code backends}, comma-separated URLs; each proxied request fails after {@code timeoutMs}. */
    public RoundRobinProxyHandler(String backends, long timeoutMs) {
        super(new RoundRobin(backends));
        this.timeoutMs = timeoutMs;
        setUseServerThreadPool(true);
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientToProxyRequest,
            HttpURI newHttpURI) {
        return super.newProxyToServerRequest(clientToProxyRequest, newHttpURI)
                .timeout(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void configureHttpClient(HttpClient httpClient) {
        super.configureHttpClient(httpClient);
        httpClient.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_BACKEND);
        httpClient.setIdleTimeout(IDLE_TIMEOUT_MS);
    }

    /** The client's path and query on the next backend, round-robin. */
    private static final class RoundRobin implements Function<Request, HttpURI> {
        private final AtomicInteger next = new AtomicInteger();
        private final List<HttpURI.Immutable> backends;

        RoundRobin(String backends) {
            if (backends == null || backends.isBlank()) {
                throw new IllegalArgumentException("backends must be a comma-separated list of URLs, but was \"\"");
            }
            this.backends = Arrays.stream(backends.split(",")).map(String::trim).map(HttpURI::from).toList();
        }

        @Override
        public HttpURI apply(Request request) {
            HttpURI client = request.getHttpURI();
            return HttpURI.build(choose()).path(client.getPath()).query(client.getQuery());
        }

        /** The next backend (bench/profile counts this method as the balancer). */
        private HttpURI choose() {
            return backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
        }
    }
}
