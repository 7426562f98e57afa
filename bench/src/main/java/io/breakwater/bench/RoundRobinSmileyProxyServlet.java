package io.breakwater.bench;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.http.HttpHost;
import org.apache.http.client.utils.URIUtils;
import org.mitre.dsmiley.httpproxy.ProxyServlet;

/**
 * MITRE's HTTP-Proxy-Servlet spread round-robin over init-param {@code backends} (comma-separated URLs): it proxies
 * to one {@code targetUri}, so each request gets its target in the two request attributes that its own
 * {@code URITemplateProxyServlet} sets, and the rest is the library's. Thread-safe.
 */
public class RoundRobinSmileyProxyServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    private final AtomicInteger next = new AtomicInteger();
    private transient List<Target> backends;

    /** The backends in place of the library's single {@code targetUri}. */
    @Override
    protected void initTarget() throws ServletException {
        String configured = getConfigParam("backends");
        if (configured == null || configured.isBlank()) {
            throw new ServletException("backends must be a comma-separated list of URLs, but was \"\"");
        }
        backends = Arrays.stream(configured.split(",")).map(String::trim).map(Target::of).toList();
        targetUri = backends.get(0).uri;
        targetUriObj = URI.create(targetUri);
        targetHost = backends.get(0).host;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Target target = choose();
        request.setAttribute(ATTR_TARGET_URI, target.uri);
        request.setAttribute(ATTR_TARGET_HOST, target.host);
        super.service(request, response);
    }

    /** The next backend (bench/profile counts this method as the balancer). */
    private Target choose() {
        return backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
    }

    /** A backend as the library reads it: its URI without a trailing slash, and its host. */
    private record Target(String uri, HttpHost host) {
        static Target of(String url) {
            String uri = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            return new Target(uri, URIUtils.extractHost(URI.create(uri)));
        }
    }
}
