package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.health.DrainFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.proxy.ProxyFaultCells.Answer;
import io.breakwater.proxy.ProxyFaultCells.Backend;
import io.breakwater.proxy.ProxyFaultCells.Cell;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fault the proxy meets (the cells of {@link ProxyFaultCells}), behind the suite's chain in Jetty: what the
 * client gets, whose counter moves, what the breaker records, and that everything is back at rest after.
 */
class ProxyFaultMatrixTest {
    private static final Duration WAIT = ProxyFaultCells.WAIT;
    private static final String ROUTE = "/*";

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.breakwater.proxy.ProxyFaultCells#cells")
    @Timeout(90)
    void eachFaultHasOneOwner(Cell cell) throws Exception {
        DrainFilter drain = new DrainFilter();
        BalancingProxyServlet servlet = new BalancingProxyServlet();
        Backend backend = cell.backend().start();
        try (TestServer proxy = proxy(backend.url(), cell.params(), servlet, drain)) {
            Answer answer = cell.client().run(proxyOf(proxy), backend);
            assertEquals(cell.answer(), answer);
            Await.until("backend failures " + cell.backendFailures(), WAIT,
                    () -> backendFailures(proxy, backend) == cell.backendFailures());
            for (String kind : List.of("badBody", "stalled", "tooLarge", "gone")) {
                int expected = kind.equals(cell.clientFault()) ? 1 : 0;
                Await.until("client faults " + kind + " " + expected, WAIT,
                        () -> registry(proxy).counter("proxy.proxy.clientFaults." + kind).getCount() == expected);
            }
            Await.until("breaker failures " + cell.breakerFailures(), WAIT,
                    () -> breakerFailures(proxy) == cell.breakerFailures());
            backend.close(); // lets go what a cell held
            Await.until("route " + ROUTE + " at rest", WAIT,
                    () -> registry(proxy).counter("route." + ROUTE + ".active").getCount() == 0);
            Await.until("drain count at rest", WAIT, () -> drain.inFlight() == 0);
            Await.until("no try in flight", WAIT, () -> inFlight(proxy, backend) == 0);
            assertEquals(0, servlet.hedgesInFlight());
        } finally {
            backend.close();
        }
    }

    private static TestServer proxy(String backend, Map<String, String> params, BalancingProxyServlet servlet,
            DrainFilter drain) throws Exception {
        return TestServer.start(context -> {
            EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
            context.addFilter(new FilterHolder(new ExceptionHandlingFilter()), "/*", dispatches);
            FilterHolder timeout = new FilterHolder(new TimeoutFilter());
            timeout.setInitParameter("timeout", "30s");
            context.addFilter(timeout, "/*", dispatches);
            FilterHolder breaker = new FilterHolder(new CircuitBreakerFilter());
            breaker.setInitParameters(Map.of("windowType", "count", "windowSize", "100", "minimumCalls", "100"));
            context.addFilter(breaker, "/*", dispatches);
            context.addFilter(new FilterHolder(new MetricsFilter()), "/*", dispatches);
            context.addFilter(new FilterHolder(drain), "/*", EnumSet.of(DispatcherType.REQUEST));
            ServletHolder holder = new ServletHolder("proxy", servlet);
            Map<String, String> all = new LinkedHashMap<>(Map.of("backends", backend, "healthCheckPath", "off"));
            all.putAll(params);
            holder.setInitParameters(all);
            holder.setAsyncSupported(true);
            holder.setInitOrder(0);
            context.addServlet(holder, "/*");
        });
    }

    private static ProxyFaultCells.Proxy proxyOf(TestServer proxy) {
        return new ProxyFaultCells.Proxy() {
            @Override
            public int port() {
                return proxy.port();
            }

            @Override
            public int inFlight(Backend backend) {
                return ProxyFaultMatrixTest.inFlight(proxy, backend);
            }

            @Override
            public boolean idle() {
                return registry(proxy).counter("route." + ROUTE + ".active").getCount() == 0;
            }
        };
    }

    private static MetricRegistry registry(TestServer proxy) {
        return (MetricRegistry) proxy.context().getServletContext().getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    private static int inFlight(TestServer proxy, Backend backend) {
        return (Integer) registry(proxy).getGauges().get("proxy.proxy.backend."
                + backend.url().substring("http://".length()) + ".inFlight").getValue();
    }

    private static long backendFailures(TestServer proxy, Backend backend) {
        return (Long) registry(proxy).getGauges().get("proxy.proxy.backend."
                + backend.url().substring("http://".length()) + ".failures").getValue();
    }

    private static int breakerFailures(TestServer proxy) {
        for (CircuitBreaker breaker : BreakerRegistry.of(proxy.context().getServletContext())
                .getAllCircuitBreakers()) {
            if (breaker.getName().equals(ROUTE)) {
                return breaker.getMetrics().getNumberOfFailedCalls();
            }
        }
        return 0;
    }
}
