package io.breakwater.proxy;

import io.breakwater.testing.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/** Scripted backends and a real Jetty serving {@link BalancingProxyServlet} at {@code /*} in front of them. */
final class ProxyFixture implements AutoCloseable {
    final List<ScriptedBackend> backends = new ArrayList<>();
    final TestServer proxy;
    final BalancingProxyServlet servlet;

    private ProxyFixture(int backendCount, Duration deadline, Map<String, String> params) throws Exception {
        for (int i = 0; i < backendCount; i++) {
            backends.add(ScriptedBackend.start("b" + i));
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("backends", backends.stream().map(ScriptedBackend::url).collect(Collectors.joining(",")));
        all.put("healthCheckPath", "/health");
        all.put("healthCheckInterval", "5s");
        all.putAll(params);
        servlet = new BalancingProxyServlet();
        try {
            proxy = TestServer.start(context -> {
                ServletHolder holder = new ServletHolder("proxy", servlet);
                all.forEach(holder::setInitParameter);
                holder.setInitOrder(0);
                context.addServlet(holder, "/*");
                if (deadline != null) {
                    context.addFilter(new org.eclipse.jetty.ee10.servlet.FilterHolder(
                            (jakarta.servlet.Filter) (request, response, chain) -> {
                                request.setAttribute(io.breakwater.timeout.Deadline.ATTRIBUTE,
                                        io.breakwater.timeout.Deadline.after(deadline, java.time.Clock.systemUTC()));
                                chain.doFilter(request, response);
                            }), "/*", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
                }
            });
        } catch (Exception e) {
            backends.forEach(ScriptedBackend::close);
            throw e;
        }
    }

    static ProxyFixture start(int backendCount, String... params) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return new ProxyFixture(backendCount, null, map);
    }

    /** With a filter in front that gives every request a deadline, as TimeoutFilter does. */
    static ProxyFixture withDeadline(Duration deadline, int backendCount, String... params) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return new ProxyFixture(backendCount, deadline, map);
    }

    ScriptedBackend backend(int i) {
        return backends.get(i);
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return proxy.get(pathAndQuery);
    }

    /** The app's metric registry. */
    com.codahale.metrics.MetricRegistry registry() {
        return (com.codahale.metrics.MetricRegistry) proxy.context().getServletContext()
                .getAttribute(io.breakwater.metrics.BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    long retries() {
        return registry().counter("proxy.proxy.retries").getCount();
    }

    /** What the {@code failures} gauge of the backend at {@code url} says. */
    long backendFailures(String url) {
        return (Long) registry().getGauges().get("proxy.proxy.backend." + url.substring("http://".length())
                + ".failures").getValue();
    }

    /** The client faults of a kind counted so far. */
    long clientFaults(String kind) {
        return registry().counter("proxy.proxy.clientFaults." + kind).getCount();
    }

    @Override
    public void close() {
        proxy.close();
        for (ScriptedBackend backend : backends) {
            backend.close();
        }
    }
}
