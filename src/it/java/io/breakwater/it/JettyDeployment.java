package io.breakwater.it;

import jakarta.servlet.ServletContext;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A WAR in Jetty 12 (ee10), as a Jetty user deploys one: a WebAppContext on its own server. Not thread-safe. */
final class JettyDeployment implements Deployment {
    private final Server server;
    private final WebAppContext webapp;

    private JettyDeployment(Server server, WebAppContext webapp) {
        this.server = server;
        this.webapp = webapp;
    }

    static JettyDeployment start(Path war, Map<String, String> contextParams) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(600, 8);
        threads.setName("it-sample");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setWar(war.toString());
        webapp.setThrowUnavailableOnStartupException(true);
        contextParams.forEach(webapp::setInitParameter);
        server.setHandler(webapp);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new JettyDeployment(server, webapp);
    }

    @Override
    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public ServletContext servletContext() {
        return webapp.getServletContext();
    }

    @Override
    public void undeploy() throws Exception {
        webapp.stop();
    }

    @Override
    public void stop() throws Exception {
        server.stop();
    }
}
