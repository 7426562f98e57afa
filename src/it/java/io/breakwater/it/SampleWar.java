package io.breakwater.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The sample WAR (built by sample-webapp) deployed from its own web.xml in a real Jetty on 127.0.0.1 and an
 * ephemeral port, with a real HTTP client. Close it to undeploy and stop.
 */
final class SampleWar implements AutoCloseable {
    private final Server server;
    private final WebAppContext webapp;
    private final List<ItBackend> backends;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SampleWar(Server server, WebAppContext webapp, List<ItBackend> backends) {
        this.server = server;
        this.webapp = webapp;
        this.backends = backends;
    }

    /** The WAR file; the build passes its path, falling back to the reactor layout. */
    static Path warFile() {
        String path = System.getProperty("sample.war", "../../sample-webapp/target/breakwater-sample.war");
        Path war = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("build the sample first: no WAR at " + war);
        }
        return war;
    }

    static SampleWar deploy() throws Exception {
        return deploy(Map.of());
    }

    /** Deploys the WAR with extra context-params (suite-wide configuration). */
    static SampleWar deploy(Map<String, String> contextParams) throws Exception {
        return deploy(warFile().toString(), contextParams);
    }

    /** Deploys the WAR with three real backends behind its proxy, plus extra context-params. */
    static SampleWar deploy(String war, Map<String, String> contextParams) throws Exception {
        return deploy(war, contextParams, 3);
    }

    /** Deploys the WAR with this many real backends behind its proxy, plus extra context-params. */
    static SampleWar deploy(String war, Map<String, String> contextParams, int backendCount) throws Exception {
        List<ItBackend> backends = new ArrayList<>();
        for (int i = 1; i <= backendCount; i++) {
            backends.add(new ItBackend("b" + i));
        }
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
        webapp.setWar(war);
        webapp.setThrowUnavailableOnStartupException(true);
        webapp.setInitParameter("breakwater.backends",
                backends.stream().map(ItBackend::url).collect(Collectors.joining(",")));
        contextParams.forEach(webapp::setInitParameter);
        server.setHandler(webapp);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            backends.forEach(ItBackend::close);
            throw e;
        }
        return new SampleWar(server, webapp, backends);
    }

    ItBackend backend(int i) {
        return backends.get(i);
    }

    WebAppContext webapp() {
        return webapp;
    }

    int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    HttpClient client() {
        return client;
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).build());
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the sample did not stop", e);
        } finally {
            backends.forEach(ItBackend::close);
        }
    }
}
