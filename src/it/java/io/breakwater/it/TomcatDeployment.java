package io.breakwater.it;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/**
 * A web app in an embedded Tomcat 11: a WAR as {@code Tomcat.addWebapp} deploys one, with a servlet that fails to
 * start failing the web app as on Jetty ({@code failCtxIfServletStartFails}), or a context set up in code (which
 * runs no initializer from the app's jars). Tomcat logs a failed start instead of
 * throwing it: the failure that stopped the web app is taken from Tomcat's log and thrown, as Jetty throws it.
 * Not thread-safe.
 */
final class TomcatDeployment implements Deployment {
    /** Where Tomcat's containers log, through java.util.logging as the embedded Tomcat does by default. */
    private static final Logger CATALINA = Logger.getLogger("org.apache.catalina");

    private final Tomcat tomcat;
    private final Context context;
    private final ServletContext servletContext;
    private final Connector connector;
    private final Path baseDir;

    private TomcatDeployment(Tomcat tomcat, Context context, Connector connector, Path baseDir) {
        this.tomcat = tomcat;
        this.context = context;
        // taken while the app runs: Tomcat hands out a new, empty one once the app has stopped
        this.servletContext = context.getServletContext();
        this.connector = connector;
        this.baseDir = baseDir;
    }

    static TomcatDeployment start(Path war, Map<String, String> contextParams) throws Exception {
        Path baseDir = Files.createTempDirectory("it-tomcat");
        Tomcat tomcat = newTomcat(baseDir);
        // no default and JSP servlets: the WAR maps / itself and has no JSP (a JSP servlet without Jasper fails)
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context context = tomcat.addWebapp("", war.toString());
        // as Jetty's setThrowUnavailableOnStartupException: a servlet that fails to start fails the web app
        ((StandardContext) context).setFailCtxIfServletStartFails(true);
        return start(tomcat, context, contextParams, baseDir);
    }

    /** A context set up in code: the initializer, the servlets by path, the context-params; no web.xml. */
    static TomcatDeployment inCode(ServletContainerInitializer initializer, Map<String, HttpServlet> servlets,
            Map<String, String> contextParams) throws Exception {
        Path baseDir = Files.createTempDirectory("it-tomcat");
        Tomcat tomcat = newTomcat(baseDir);
        Context context = tomcat.addContext("", baseDir.toString());
        context.addServletContainerInitializer(initializer, null);
        servlets.forEach((path, servlet) -> {
            Wrapper wrapper = Tomcat.addServlet(context, path, servlet);
            wrapper.setAsyncSupported(true);
            context.addServletMapping(path, path);
        });
        return start(tomcat, context, contextParams, baseDir);
    }

    private static Tomcat newTomcat(Path baseDir) throws IOException {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Files.createDirectories(baseDir.resolve("webapps"));
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", "600");
        connector.setProperty("acceptCount", "1024");
        tomcat.setConnector(connector);
        tomcat.getHost().setAutoDeploy(false);
        return tomcat;
    }

    private static TomcatDeployment start(Tomcat tomcat, Context context, Map<String, String> contextParams,
            Path baseDir) throws Exception {
        // Tomcat's own wait for requests in flight at a stop (2 s by default, before anything is destroyed) is made
        // short, so that the tests see Breakwater's drain alone hold an undeploy. Never 0: StandardWrapper.unload
        // then waits with Object.wait(0), which is forever when the servlet's deallocation came just before it.
        ((StandardContext) context).setUnloadDelay(100);
        contextParams.forEach(context::addParameter);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Handler failures = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue() && record.getThrown() != null) {
                    failure.compareAndSet(null, record.getThrown());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        CATALINA.addHandler(failures);
        try {
            tomcat.start();
        } finally {
            CATALINA.removeHandler(failures);
        }
        TomcatDeployment deployment = new TomcatDeployment(tomcat, context, tomcat.getConnector(), baseDir);
        if (context.getState() != LifecycleState.STARTED) {
            deployment.stop();
            throw new IllegalStateException("the web app did not start in Tomcat", failure.get());
        }
        return deployment;
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public ServletContext servletContext() {
        return servletContext;
    }

    @Override
    public void undeploy() throws Exception {
        context.stop();
    }

    @Override
    public void stop() throws Exception {
        try {
            tomcat.stop();
            tomcat.destroy();
        } finally {
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(TomcatDeployment::deleteQuietly);
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover in the temporary folder fails no test
        }
    }
}
