package io.breakwater.it;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A web app in Jetty 12 (ee10) on its own server: a WAR as a Jetty user deploys one (a WebAppContext), or one set
 * up in code (a ServletContextHandler, which runs no initializer from the app's jars). Not thread-safe.
 */
final class JettyDeployment implements Deployment {
    private final Server server;
    private final ServletContextHandler webapp;

    private JettyDeployment(Server server, ServletContextHandler webapp) {
        this.server = server;
        this.webapp = webapp;
    }

    static JettyDeployment start(Path war, Map<String, String> contextParams) throws Exception {
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setWar(war.toString());
        webapp.setThrowUnavailableOnStartupException(true);
        contextParams.forEach(webapp::setInitParameter);
        return start(webapp);
    }

    /** A context set up in code: the initializer, the servlets by path, the context-params; no web.xml. */
    static JettyDeployment inCode(ServletContainerInitializer initializer, Map<String, HttpServlet> servlets,
            Map<String, String> contextParams) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServletContainerInitializer(initializer);
        servlets.forEach((path, servlet) -> {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            context.addServlet(holder, path);
        });
        contextParams.forEach(context::setInitParameter);
        return start(context);
    }

    private static JettyDeployment start(ServletContextHandler webapp) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(600, 8);
        threads.setName("it-sample");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
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
