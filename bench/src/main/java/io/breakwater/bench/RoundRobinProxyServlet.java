package io.breakwater.bench;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;

/**
 * Jetty's plain {@link ProxyServlet} spread round-robin over init-param {@code backends} (comma-separated URLs): the
 * peer of BalancingProxyServlet without health checks or failover, built like Jetty's own BalancerServlet by
 * overriding only {@code rewriteTarget}. Thread-safe.
 */
public class RoundRobinProxyServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    private final AtomicInteger next = new AtomicInteger();
    private List<String> backends;

    @Override
    public void init() throws ServletException {
        super.init();
        String configured = getServletConfig().getInitParameter("backends");
        if (configured == null || configured.isBlank()) {
            throw new ServletException("backends must be a comma-separated list of URLs, but was \"\"");
        }
        backends = Arrays.stream(configured.split(",")).map(String::trim).map(RoundRobinProxyServlet::withoutSlash)
                .toList();
    }

    @Override
    protected String rewriteTarget(HttpServletRequest request) {
        String query = request.getQueryString();
        return choose() + request.getRequestURI() + (query == null ? "" : "?" + query);
    }

    /** The next backend, round-robin (bench/profile counts this method as the balancer). */
    private String choose() {
        return backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
    }

    private static String withoutSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
