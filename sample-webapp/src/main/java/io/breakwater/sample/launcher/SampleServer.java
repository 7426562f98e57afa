package io.breakwater.sample.launcher;

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

    private SampleServer(Server server) {
        this.server = server;
    }

    /** Starts the sample as the options say; throws IllegalArgumentException for options this build lacks. */
    public static SampleServer start(Options options) throws Exception {
        if (!options.backends.isEmpty()) {
            throw new IllegalArgumentException("--backends needs the balancing proxy, which is not in this build");
        }
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
            throw e;
        }
        return new SampleServer(server);
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    void join() throws InterruptedException {
        server.join();
    }

    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the sample did not stop", e);
        }
    }
}
