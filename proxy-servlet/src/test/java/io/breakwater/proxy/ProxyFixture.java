package io.breakwater.proxy;

import io.breakwater.testing.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * Scripted backends and a real Jetty serving {@link BalancingProxyServlet} at {@code /*} in front of them; optionally
 * behind the suite's real filter chain, with a breaker that opens after 4 calls at 50% failures.
 */
public final class ProxyFixture implements AutoCloseable {
    final List<ScriptedBackend> backends = new ArrayList<>();
    final TestServer proxy;
    final BalancingProxyServlet servlet;

    private ProxyFixture(int backendCount, Duration deadline, Map<String, String> params) throws Exception {
        this(backendCount, deadline, params, null);
    }

    /** {@code chainTimeout}: behind the real chain with this TimeoutFilter timeout; {@code null}: no chain. */
    private ProxyFixture(int backendCount, Duration deadline, Map<String, String> params, String chainTimeout)
            throws Exception {
        this(backendCount, deadline, params, chainTimeout, java.time.Clock.systemUTC());
    }

    private ProxyFixture(int backendCount, Duration deadline, Map<String, String> params, String chainTimeout,
            java.time.Clock clock) throws Exception {
        for (int i = 0; i < backendCount; i++) {
            backends.add(ScriptedBackend.start("b" + i));
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("backends", backends.stream().map(ScriptedBackend::url).collect(Collectors.joining(",")));
        all.put("healthCheckPath", "/health");
        all.put("healthCheckInterval", "5s");
        all.putAll(params);
        servlet = new BalancingProxyServlet(clock);
        try {
            proxy = TestServer.start(context -> {
                ServletHolder holder = new ServletHolder("proxy", servlet);
                all.forEach(holder::setInitParameter);
                holder.setInitOrder(0);
                holder.setAsyncSupported(true);
                context.addServlet(holder, "/*");
                if (chainTimeout != null) {
                    addChain(context, chainTimeout);
                }
                if (deadline != null) {
                    context.addFilter(new org.eclipse.jetty.ee10.servlet.FilterHolder(
                            (jakarta.servlet.Filter) (request, response, chain) -> {
                                request.setAttribute(io.breakwater.core.time.Deadline.ATTRIBUTE,
                                        io.breakwater.core.time.Deadline.after(deadline, java.time.Clock.systemUTC()));
                                chain.doFilter(request, response);
                            }), "/*", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
                }
            });
        } catch (Exception e) {
            backends.forEach(ScriptedBackend::close);
            throw e;
        }
    }

    /** The chain as the suite orders it, every filter on REQUEST and ASYNC. */
    private static void addChain(org.eclipse.jetty.ee10.servlet.ServletContextHandler context, String timeout) {
        java.util.EnumSet<jakarta.servlet.DispatcherType> dispatches = java.util.EnumSet.of(
                jakarta.servlet.DispatcherType.REQUEST, jakarta.servlet.DispatcherType.ASYNC);
        context.addFilter(new FilterHolder(new io.breakwater.exception.ExceptionHandlingFilter()), "/*", dispatches);
        FilterHolder deadlines = new FilterHolder(new io.breakwater.timeout.TimeoutFilter());
        deadlines.setInitParameter("timeout", timeout);
        context.addFilter(deadlines, "/*", dispatches);
        FilterHolder breaker = new FilterHolder(new io.breakwater.circuit.CircuitBreakerFilter());
        breaker.setInitParameters(Map.of("windowType", "count", "windowSize", "10", "minimumCalls", "4",
                "failureRateThreshold", "50", "waitInOpen", "30s"));
        context.addFilter(breaker, "/*", dispatches);
        context.addFilter(new FilterHolder(new io.breakwater.metrics.MetricsFilter()), "/*", dispatches);
    }

    /** Behind the real chain: ExceptionHandlingFilter, TimeoutFilter (20s), CircuitBreakerFilter, MetricsFilter. */
    static ProxyFixture withChain(int backendCount, String... params) throws Exception {
        return withChain("20s", backendCount, params);
    }

    /** Behind the real chain, with TimeoutFilter's {@code timeout} as given. */
    static ProxyFixture withChain(String timeout, int backendCount, String... params) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return new ProxyFixture(backendCount, null, map, timeout);
    }

    /** The route breakers the chain made so far, by name. */
    Map<String, io.github.resilience4j.circuitbreaker.CircuitBreaker> breakers() {
        Map<String, io.github.resilience4j.circuitbreaker.CircuitBreaker> breakers = new LinkedHashMap<>();
        io.breakwater.circuit.internal.BreakerRegistry.of(proxy.context().getServletContext()).getAllCircuitBreakers()
                .forEach(breaker -> breakers.put(breaker.getName(), breaker));
        return breakers;
    }

    public static ProxyFixture start(int backendCount, String... params) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return new ProxyFixture(backendCount, null, map);
    }

    /** With the servlet on {@code clock} (its ejections and retry budget). */
    static ProxyFixture start(java.time.Clock clock, int backendCount, String... params) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return new ProxyFixture(backendCount, null, map, null, clock);
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

    public HttpResponse<String> get(String pathAndQuery) throws Exception {
        return proxy.get(pathAndQuery);
    }

    /** The app's metric registry. */
    public com.codahale.metrics.MetricRegistry registry() {
        return (com.codahale.metrics.MetricRegistry) proxy.context().getServletContext()
                .getAttribute(io.breakwater.core.metric.BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    long retries() {
        return registry().counter("proxy.proxy.retries").getCount();
    }

    /** A raw answer with the status and the error contract's code. */
    static void assertProblem(String answer, int status, String code) {
        org.junit.jupiter.api.Assertions.assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        org.junit.jupiter.api.Assertions.assertTrue(answer.contains("application/problem+json"), answer);
        org.junit.jupiter.api.Assertions.assertTrue(answer.contains("\"code\":\"" + code + "\""), answer);
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
