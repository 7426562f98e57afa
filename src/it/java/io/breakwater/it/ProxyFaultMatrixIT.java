package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.BreakwaterChain;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.health.DrainFilter;
import io.breakwater.proxy.BalancingProxyServlet;
import io.breakwater.proxy.ProxyFaultCells;
import io.breakwater.proxy.ProxyFaultCells.Answer;
import io.breakwater.proxy.ProxyFaultCells.Backend;
import io.breakwater.proxy.ProxyFaultCells.Cell;
import io.breakwater.testing.Await;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletRegistration;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy's fault cells ({@link ProxyFaultCells}, the table its own Jetty test runs) with
 * {@code BalancingProxyServlet} behind the suite's chain (and a DrainFilter) in each container: what the client
 * gets, whose counter moves, the backend's health and the route's breaker, that nothing is left in flight, and that
 * nothing touched a request the container had ended ({@link LoggedFailures}).
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
@Timeout(120)
class ProxyFaultMatrixIT {
    private static final Duration WAIT = ProxyFaultCells.WAIT;
    private static final String ROUTE = "/*";
    private static final String PROXY = "proxy.proxy.";
    private static final List<String> CLIENT_FAULTS = List.of("badBody", "stalled", "tooLarge", "gone");

    @Parameter
    ServletContainer container;

    private final DrainFilter drain = new DrainFilter();

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.breakwater.proxy.ProxyFaultCells#cells")
    void eachFaultHasOneOwner(Cell cell) throws Exception {
        Backend backend = cell.backend().start();
        Deployment app = null;
        LoggedFailures logged = LoggedFailures.listen();
        try {
            app = deploy(backend.url(), cell.params());
            MetricRegistry registry = (MetricRegistry) app.servletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
            String at = PROXY + "backend." + backend.url().substring("http://".length()) + ".";
            int port = app.port();
            Answer answer = cell.client().run(new ProxyFaultCells.Proxy() {
                @Override
                public int port() {
                    return port;
                }

                @Override
                public int inFlight(Backend any) {
                    return gauge(registry, at + "inFlight").intValue();
                }

                @Override
                public boolean idle() {
                    return registry.counter("route." + ROUTE + ".active").getCount() == 0;
                }
            }, backend);

            assertEquals(cell.answer(), answer);
            Await.until("backend failures " + cell.backendFailures(), WAIT,
                    () -> gauge(registry, at + "failures").longValue() == cell.backendFailures());
            for (String kind : CLIENT_FAULTS) {
                int expected = kind.equals(cell.clientFault()) ? 1 : 0;
                Await.until("client faults " + kind + " " + expected, WAIT,
                        () -> registry.counter(PROXY + "clientFaults." + kind).getCount() == expected);
            }
            Deployment deployed = app;
            Await.until("breaker failures " + cell.breakerFailures(), WAIT,
                    () -> breaker(deployed).map(b -> b.getMetrics().getNumberOfFailedCalls()).orElse(0)
                            == cell.breakerFailures());
            // one failure ejects no backend and opens no breaker (it waits for 100 calls)
            assertEquals(1, gauge(registry, at + "healthy").intValue());
            assertEquals(CircuitBreaker.State.CLOSED,
                    breaker(deployed).map(CircuitBreaker::getState).orElse(CircuitBreaker.State.CLOSED));

            backend.close(); // lets go what a cell held
            Await.until("route " + ROUTE + " at rest", WAIT,
                    () -> registry.counter("route." + ROUTE + ".active").getCount() == 0);
            Await.until("drain count at rest", WAIT, () -> drain.inFlight() == 0);
            Await.until("no try in flight", WAIT, () -> gauge(registry, at + "inFlight").intValue() == 0);
        } finally {
            try {
                backend.close();
                if (app != null) {
                    app.stop();
                }
            } finally {
                logged.close();
            }
        }
        // after the stop, which ends the proxy's threads: a request touched after the container ended it is logged
        // by whichever thread touched it, whenever that was
        assertEquals(List.of(), logged.failures());
    }

    /** The suite's chain, a DrainFilter and the proxy at {@code /*}, set up in code as an app's initializer does. */
    private Deployment deploy(String backend, Map<String, String> proxyParams) throws Exception {
        ServletContainerInitializer chain = (classes, context) -> {
            new BreakwaterChain().register(context);
            FilterRegistration.Dynamic registration = context.addFilter("DrainFilter", drain);
            registration.setAsyncSupported(true);
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
            ServletRegistration.Dynamic proxy = context.addServlet("proxy", new BalancingProxyServlet());
            Map<String, String> params = new LinkedHashMap<>(Map.of("backends", backend, "healthCheckPath", "off"));
            params.putAll(proxyParams);
            proxy.setInitParameters(params);
            proxy.setAsyncSupported(true);
            proxy.setLoadOnStartup(0);
            proxy.addMapping(ROUTE);
        };
        // the breaker only records (it never opens here); the chain's deadline is past every cell's
        Map<String, String> params = Map.of("breakwater.minimumCalls", "100", "breakwater.timeout", "30s");
        return switch (container) {
            case JETTY -> JettyDeployment.inCode(chain, Map.of(), params);
            case TOMCAT -> TomcatDeployment.inCode(chain, Map.of(), params);
        };
    }

    private static Optional<CircuitBreaker> breaker(Deployment app) {
        return BreakerRegistry.of(app.servletContext()).find(ROUTE);
    }

    private static Number gauge(MetricRegistry registry, String name) {
        Gauge<?> gauge = registry.getGauges().get(name);
        if (gauge == null) {
            throw new AssertionError("no gauge " + name + " in " + registry.getGauges().keySet());
        }
        return (Number) gauge.getValue();
    }
}
