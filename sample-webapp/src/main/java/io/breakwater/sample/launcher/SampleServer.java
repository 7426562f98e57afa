package io.breakwater.sample.launcher;

import io.breakwater.metrics.JmxConnector;
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
    private final Server server;
    private final JmxConnector jmx;

    private SampleServer(Server server, JmxConnector jmx) {
        this.server = server;
        this.jmx = jmx;
    }

    /** Starts the sample as the options say; throws IllegalArgumentException for options this build lacks. */
    public static SampleServer start(Options options) throws Exception {
        if (!options.backends.isEmpty()) {
            throw new IllegalArgumentException("--backends needs the balancing proxy, which is not in this build");
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
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            jmx.close();
            throw e;
        }
        return new SampleServer(server, jmx);
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
        } catch (Exception e) {
            throw new IllegalStateException("the sample did not stop", e);
        }
    }
}
