package io.breakwater.sample.launcher;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.health.Readiness;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.ProcessMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The sample web app (its own {@code WEB-INF/web.xml}, packed in this jar under {@code webapp/}) in an embedded
 * Jetty. Thread-safe: start, then stop once.
 */
public final class SampleServer {
    private static final int DEMO_BACKENDS = 3;
    /** How long a stop that cuts requests lets their threads finish before it interrupts them. */
    private static final Duration CUT_WAIT = Duration.ofMillis(100);

    private final Server server;
    private final FrontDoor front;
    private final WebAppContext webapp;
    private final InFlightRequests inFlight;
    private final JmxConnector jmx;
    private final List<DemoBackend> demoBackends;

    private SampleServer(Server server, FrontDoor front, WebAppContext webapp, InFlightRequests inFlight,
            JmxConnector jmx, List<DemoBackend> demoBackends) {
        this.server = server;
        this.front = front;
        this.webapp = webapp;
        this.inFlight = inFlight;
        this.jmx = jmx;
        this.demoBackends = demoBackends;
    }

    /** Starts the sample: three demo backends unless the options name real ones, JMX unless off, the web app. */
    public static SampleServer start(Options options) throws Exception {
        Server server = new Server();
        server.setErrorHandler(new ProblemErrorHandler());
        // first: a bad keystore stops the start before anything else runs
        FrontDoor front = FrontDoor.open(server, options);
        List<DemoBackend> demoBackends = new ArrayList<>();
        String backends;
        if (options.backends.isEmpty()) {
            for (int i = 1; i <= DEMO_BACKENDS; i++) {
                demoBackends.add(DemoBackend.start(String.valueOf(i)));
            }
            backends = demoBackends.stream().map(DemoBackend::url).collect(Collectors.joining(","));
        } else {
            backends = Options.backendsParameter(options.backends);
        }
        JmxConnector jmx = options.jmxPort == Options.JMX_OFF ? null
                : JmxConnector.start(options.jmxPort, options.jmxPasswordFile);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setErrorHandler(new AllMethodsErrorPages());
        Resource base = ResourceFactory.of(webapp).newClassLoaderResource("webapp/");
        if (base == null) {
            throw new IllegalStateException("the sample web app is missing from the class path (webapp/)");
        }
        webapp.setBaseResource(base);
        webapp.setParentLoaderPriority(true);
        // not in web.xml: its context-params would override this one
        webapp.setInitParameter("breakwater.backends", backends);
        // a readiness 503 is an answer, not a failure: the probes stay out of the circuit breakers
        webapp.setInitParameter("breakwater.failureRateThresholdOverrides", "/breakwater/*=off");
        webapp.setThrowUnavailableOnStartupException(true);
        InFlightRequests inFlight = new InFlightRequests(webapp);
        server.setHandler(front.redirecting(inFlight));
        // the launcher drains on its own terms (GracefulStop); a stop is then immediate
        server.setStopTimeout(0);
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            closeJmx(jmx);
            demoBackends.forEach(DemoBackend::close);
            throw e;
        }
        front.started();
        countConnections(webapp, front);
        return new SampleServer(server, front, webapp, inFlight, jmx, demoBackends);
    }

    /**
     * Adds the open connections to the process figures of the web app's registry (JMX, JSON, Prometheus, the status
     * page): only the launcher, which owns the connectors, can count them.
     */
    private static void countConnections(WebAppContext webapp, FrontDoor front) {
        Object registry = webapp.getServletContext().getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
        if (registry instanceof MetricRegistry metrics) {
            MetricCatalog.of(metrics).gauge(ProcessMetrics.OPEN_CONNECTIONS,
                    () -> (Gauge<Integer>) front::openConnections);
        }
    }

    /** No {@code Server: Jetty(12.x)} on the answers: a version tells an attacker which flaws to try. */
    static void hideServerVersion(ServerConnector connector) {
        connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration().setSendServerVersion(false);
    }

    /** The plain HTTP port (HTTP/1.1 and h2c). */
    public int port() {
        return front.port();
    }

    /** The HTTPS port (h2 and HTTP/1.1 over TLS), or -1 without HTTPS. */
    public int httpsPort() {
        return front.httpsPort();
    }

    /** The JMX service URL, for jconsole or a JMX client, or {@code null} when JMX is off. */
    public String jmxAddress() {
        return jmx == null ? null : jmx.address().toString();
    }

    private static void closeJmx(JmxConnector jmx) throws IOException {
        if (jmx != null) {
            jmx.close();
        }
    }

    void join() throws InterruptedException {
        server.join();
    }

    /** Readiness turns 503: the web app drains. */
    void markDraining() {
        Readiness.drain(webapp.getServletContext());
    }

    /**
     * New connections are refused from now on; the future completes once every open connection has closed
     * ({@link DrainingConnector#stopAccepting()}).
     */
    CompletableFuture<Void> stopAccepting() {
        return front.stopAccepting();
    }

    /** Makes the coming stop interrupt the threads of requests in flight at once, instead of waiting for them. */
    void cutRequests() {
        if (server.getThreadPool() instanceof QueuedThreadPool threads) {
            threads.setStopTimeout(CUT_WAIT.toMillis());
        }
    }

    InFlightRequests inFlight() {
        return inFlight;
    }

    public void stop() {
        try {
            server.stop();
            closeJmx(jmx);
            demoBackends.forEach(DemoBackend::close);
        } catch (Exception e) {
            throw new IllegalStateException("the sample did not stop", e);
        }
    }
}
