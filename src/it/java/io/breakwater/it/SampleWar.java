package io.breakwater.it;

import jakarta.servlet.ServletContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The sample WAR (built by sample-webapp) deployed from its own web.xml in a real container (Jetty unless a test
 * names another) on 127.0.0.1 and an ephemeral port, with three real backends behind its proxy and a real HTTP
 * client. Close it to undeploy and stop.
 */
final class SampleWar implements AutoCloseable {
    private final Deployment deployment;
    private final List<ItBackend> backends;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SampleWar(Deployment deployment, List<ItBackend> backends) {
        this.deployment = deployment;
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
        return deploy(ServletContainer.JETTY, Map.of());
    }

    static SampleWar deploy(ServletContainer container) throws Exception {
        return deploy(container, Map.of());
    }

    /** Deploys the WAR with extra context-params (suite-wide configuration). */
    static SampleWar deploy(Map<String, String> contextParams) throws Exception {
        return deploy(ServletContainer.JETTY, contextParams);
    }

    static SampleWar deploy(ServletContainer container, Map<String, String> contextParams) throws Exception {
        return deploy(container, warFile(), contextParams);
    }

    /** Deploys a WAR (a file or an exploded folder) in Jetty, with three real backends and extra context-params. */
    static SampleWar deploy(String war, Map<String, String> contextParams) throws Exception {
        return deploy(ServletContainer.JETTY, Path.of(war), contextParams);
    }

    /** Deploys a WAR in Jetty with this many real backends behind its proxy, plus extra context-params. */
    static SampleWar deploy(String war, Map<String, String> contextParams, int backendCount) throws Exception {
        return deploy(ServletContainer.JETTY, Path.of(war), contextParams, backendCount);
    }

    static SampleWar deploy(ServletContainer container, Path war, Map<String, String> contextParams)
            throws Exception {
        return deploy(container, war, contextParams, 3);
    }

    static SampleWar deploy(ServletContainer container, Path war, Map<String, String> contextParams,
            int backendCount) throws Exception {
        List<ItBackend> backends = new ArrayList<>();
        for (int i = 1; i <= backendCount; i++) {
            backends.add(new ItBackend("b" + i));
        }
        Map<String, String> params = new HashMap<>();
        params.put("breakwater.backends", backends.stream().map(ItBackend::url).collect(Collectors.joining(",")));
        params.putAll(contextParams);
        try {
            return new SampleWar(container.deploy(war, params), backends);
        } catch (Exception e) {
            backends.forEach(ItBackend::close);
            throw e;
        }
    }

    ItBackend backend(int i) {
        return backends.get(i);
    }

    /** The web app's context, as its own code sees it. */
    ServletContext servletContext() {
        return deployment.servletContext();
    }

    /** Stops the web app in its running container; returns when the container has stopped it. */
    void undeploy() throws Exception {
        deployment.undeploy();
    }

    int port() {
        return deployment.port();
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
            deployment.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the sample did not stop", e);
        } finally {
            backends.forEach(ItBackend::close);
        }
    }
}
