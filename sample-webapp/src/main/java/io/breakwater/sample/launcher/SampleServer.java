package io.breakwater.sample.launcher;

import io.breakwater.metrics.JmxConnector;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The sample web app (its own {@code WEB-INF/web.xml}, packed in this jar under {@code webapp/}) in an embedded
 * Jetty. Thread-safe: start, then stop once.
 */
public final class SampleServer {
    private static final int DEMO_BACKENDS = 3;

    private final Server server;
    private final JmxConnector jmx;
    private final List<DemoBackend> demoBackends;

    private SampleServer(Server server, JmxConnector jmx, List<DemoBackend> demoBackends) {
        this.server = server;
        this.jmx = jmx;
        this.demoBackends = demoBackends;
    }

    /** Starts the sample: three demo backends unless the options name real ones, JMX, then the web app. */
    public static SampleServer start(Options options) throws Exception {
        List<DemoBackend> demoBackends = new ArrayList<>();
        String backends;
        if (options.backends.isEmpty()) {
            for (int i = 1; i <= DEMO_BACKENDS; i++) {
                demoBackends.add(DemoBackend.start(String.valueOf(i)));
            }
            backends = demoBackends.stream().map(DemoBackend::url).collect(Collectors.joining(","));
        } else {
            backends = options.backends.stream().map(URI::toString).collect(Collectors.joining(","));
        }
        JmxConnector jmx = JmxConnector.start(options.jmxPort);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(options.port);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        Resource base = ResourceFactory.of(webapp).newClassLoaderResource("webapp/");
        if (base == null) {
            throw new IllegalStateException("the sample web app is missing from the class path (webapp/)");
        }
        webapp.setBaseResource(base);
        webapp.setParentLoaderPriority(true);
        // not in web.xml: its context-params would override this one
        webapp.setInitParameter("breakwater.backends", backends);
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            jmx.close();
            demoBackends.forEach(DemoBackend::close);
            throw e;
        }
        return new SampleServer(server, jmx, demoBackends);
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The JMX service URL, for jconsole or a JMX client. */
    public String jmxAddress() {
        return jmx.address().toString();
    }

    void join() throws InterruptedException {
        server.join();
    }

    public void stop() {
        try {
            server.stop();
            jmx.close();
            demoBackends.forEach(DemoBackend::close);
        } catch (Exception e) {
            throw new IllegalStateException("the sample did not stop", e);
        }
    }
}
