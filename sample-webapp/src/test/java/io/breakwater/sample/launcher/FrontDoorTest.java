package io.breakwater.sample.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's front door with real clients: h2 over TLS chosen by ALPN (and HTTP/1.1 for a client without it), h2c
 * by prior knowledge and by Upgrade, curl, a TLS handshake with the sample's keystore, and the error contract over
 * HTTP/2: an error ends its stream, never the connection.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FrontDoorTest {
    /** The suite's deadline for this sample: shorter than the default, so that a TIMEOUT comes sooner. */
    private static final String DEADLINE = "2s";

    @TempDir
    static Path dir;
    private static Path keystore;
    private static DemoBackend backend;
    private static SampleServer sample;

    @BeforeAll
    static void start() throws Exception {
        keystore = TestKeystores.keystore(dir);
        backend = DemoBackend.start("A");
        sample = startSample(backend);
    }

    /** The sample with HTTPS on the test keystore, the short deadline, and one backend. */
    private static SampleServer startSample(DemoBackend backend, String... more) throws Exception {
        List<String> options = new ArrayList<>(List.of("--port", "0", "--https-port", "0", "--tls-keystore",
                keystore.toString(), "--tls-password-file",
                TestKeystores.passwordFile(dir, TestKeystores.PASSWORD).toString(), "--jmx-port", "off",
                "--backends", backend.url()));
        options.addAll(List.of(more));
        System.setProperty("breakwater.timeout", DEADLINE);
        try {
            return SampleServer.start(Options.parse(options.toArray(new String[0])));
        } finally {
            // read once, when the web app started
            System.clearProperty("breakwater.timeout");
        }
    }

    @AfterAll
    static void stop() {
        if (sample != null) {
            sample.stop();
        }
        backend.close();
    }

    private static HttpClient started(HttpClient client) throws Exception {
        client.start();
        return client;
    }

    private static HttpClient h2Client(boolean tls) throws Exception {
        ClientConnector connector = new ClientConnector();
        if (tls) {
            connector.setSslContextFactory(TestKeystores.trusting(keystore));
        }
        return started(new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector))));
    }

    @Test
    void speaksH2OverTlsChosenByAlpnToTheAppAndThroughTheProxy() throws Exception {
        HttpClient client = h2Client(true);
        try {
            ContentResponse hello = client.GET("https://localhost:" + sample.httpsPort() + "/demo/hello");
            assertEquals(200, hello.getStatus());
            assertEquals(HttpVersion.HTTP_2, hello.getVersion());
            assertEquals("{\"message\":\"hello\"}", hello.getContentAsString());
            assertEquals(null, hello.getHeaders().get("Server"));
            ContentResponse proxied = client.GET("https://localhost:" + sample.httpsPort() + "/orders/1");
            assertEquals(200, proxied.getStatus());
            assertEquals(HttpVersion.HTTP_2, proxied.getVersion());
            assertEquals("A", proxied.getHeaders().get("X-Backend"));
        } finally {
            client.stop();
        }
    }

    @Test
    void speaksHttp11OverTlsToAClientThatOffersNoH2() throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(TestKeystores.trusting(keystore));
        HttpClient client = started(new HttpClient(
                new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(connector)));
        try {
            ContentResponse hello = client.GET("https://localhost:" + sample.httpsPort() + "/demo/hello");
            assertEquals(200, hello.getStatus());
            assertEquals(HttpVersion.HTTP_1_1, hello.getVersion());
        } finally {
            client.stop();
        }
    }

    @Test
    void speaksH2cByPriorKnowledgeOnThePlainPort() throws Exception {
        HttpClient client = h2Client(false);
        try {
            ContentResponse hello = client.GET("http://127.0.0.1:" + sample.port() + "/demo/hello");
            assertEquals(200, hello.getStatus());
            assertEquals(HttpVersion.HTTP_2, hello.getVersion());
        } finally {
            client.stop();
        }
    }

    @Test
    void upgradesAnHttp11ConnectionToH2cOnThePlainPort() throws Exception {
        // the JDK's client asks for HTTP/2 on an http:// URI with Upgrade: h2c
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2).build();
        java.net.http.HttpResponse<String> hello = client.send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sample.port() + "/demo/hello")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, hello.statusCode());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, hello.version());
        assertEquals("{\"message\":\"hello\"}", hello.body());
    }

    @Test
    void handshakesTls13AndTls12WithTheSamplesKeystore() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(TestKeystores.load(keystore));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost",
                    sample.httpsPort())) {
                socket.setEnabledProtocols(new String[] {protocol});
                socket.startHandshake();
                assertEquals(protocol, socket.getSession().getProtocol());
                assertEquals("CN=localhost", ((java.security.cert.X509Certificate) socket.getSession()
                        .getPeerCertificates()[0]).getSubjectX500Principal().getName());
            }
        }
    }

    @Test
    void timeoutCircuitOpenAndBackendFailureEndTheirStreamNotTheH2Connection() throws Exception {
        DemoBackend killed = DemoBackend.start("K");
        SampleServer own = startSample(killed);
        try (H2Session h2 = H2Session.open("localhost", own.httpsPort(), TestKeystores.trusting(keystore))) {
            assertProblem(h2.get("/demo/slow?ms=20000"), 503, "TIMEOUT");
            assertHelloStillAnswers(h2);

            for (int i = 0; i < 10; i++) {
                assertProblem(h2.get("/demo/fail"), 500, "INTERNAL_ERROR");
            }
            assertProblem(h2.get("/demo/fail"), 503, "CIRCUIT_OPEN");
            assertHelloStillAnswers(h2);

            assertEquals(200, h2.get("/orders/1").status());
            killed.close();
            assertProblem(h2.get("/orders/2"), 502, "BACKEND_ERROR");
            assertHelloStillAnswers(h2);
        } finally {
            own.stop();
            killed.close();
        }
    }

    @Test
    void aTimeoutEndsItsStreamNotTheH2cConnection() throws Exception {
        try (H2Session h2c = H2Session.open("127.0.0.1", sample.port(), null)) {
            assertProblem(h2c.get("/demo/slow?ms=20000"), 503, "TIMEOUT");
            assertHelloStillAnswers(h2c);
        }
    }

    @Test
    void curlSpeaksHttp2ToBothPorts() throws Exception {
        Path pem = TestKeystores.certificatePem(keystore);
        String plain = "http://127.0.0.1:" + sample.port() + "/demo/hello";
        assertEquals("2 200", curl("--http2-prior-knowledge", plain));
        assertEquals("2 200", curl("--http2", plain), "HTTP/1.1 upgraded to h2c");
        assertEquals("2 200", curl("--http2", "--cacert", pem.toString(),
                "https://localhost:" + sample.httpsPort() + "/demo/hello"));
        assertEquals("1.1 200", curl("--http1.1", "--cacert", pem.toString(),
                "https://localhost:" + sample.httpsPort() + "/demo/hello"));
    }

    @Test
    void redirectHttpAnswersPlainRequestsWithTheSamePathOnHttps() throws Exception {
        SampleServer redirecting = startSample(backend, "--redirect-http");
        try {
            java.net.http.HttpResponse<String> plain = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + redirecting.port()
                            + "/demo/hello?x=1")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(308, plain.statusCode());
            assertEquals("https://127.0.0.1:" + redirecting.httpsPort() + "/demo/hello?x=1",
                    plain.headers().firstValue("Location").orElse(null));
            HttpClient client = h2Client(true);
            try {
                assertEquals(200, client.GET("https://localhost:" + redirecting.httpsPort() + "/demo/hello")
                        .getStatus());
            } finally {
                client.stop();
            }
        } finally {
            redirecting.stop();
        }
    }

    @Test
    void aWrongKeystorePasswordStopsTheLauncherWithOneLineAndStatus2() throws Exception {
        Path wrong = TestKeystores.passwordFile(dir, "wrong");
        Process launcher = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the test class path has the WAR's SLF4J provider beside the jar's, which SLF4J would warn of
                "-Dslf4j.internal.verbosity=ERROR", "-cp", System.getProperty("java.class.path"),
                Launcher.class.getName(), "--port", "0",
                "--jmx-port", "off", "--https-port", "0", "--tls-keystore", keystore.toString(),
                "--tls-password-file", wrong.toString()).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(launcher.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(launcher.getErrorStream()));
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher exited");
        assertEquals(2, launcher.exitValue());
        assertEquals("breakwater-sample: --tls-password-file must hold the password of --tls-keystore, but it did"
                + " not open \"" + keystore + "\"\n", err.get(10, TimeUnit.SECONDS));
        assertEquals("", out.get(10, TimeUnit.SECONDS));
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void countsItsOpenConnectionsInTheProcessFigures() throws Exception {
        SampleServer own = startSample(backend);
        try (H2Session reader = H2Session.open("127.0.0.1", own.port(), null)) {
            awaitOpenConnections(reader, 1);
            try (H2Session second = H2Session.open("127.0.0.1", own.port(), null);
                    H2Session third = H2Session.open("localhost", own.httpsPort(), TestKeystores.trusting(keystore))) {
                assertEquals(200, second.get("/demo/hello").status());
                assertEquals(200, third.get("/demo/hello").status());
                awaitOpenConnections(reader, 3);
            }
            awaitOpenConnections(reader, 1);
        } finally {
            own.stop();
        }
    }

    @Test
    void aDrainClosesIdleH2AndH2cConnectionsSoTheStopNeedNotWaitOutItsGrace() throws Exception {
        SampleServer own = startSample(backend);
        try (H2Session h2 = H2Session.open("localhost", own.httpsPort(), TestKeystores.trusting(keystore));
                H2Session h2c = H2Session.open("127.0.0.1", own.port(), null)) {
            assertEquals(200, h2.get("/demo/hello").status());
            assertEquals(200, h2c.get("/demo/hello").status());
            own.markDraining();
            // every connection closed on the server's side, well before the grace of 30 s
            own.stopAccepting().get(20, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (h2.isOpen() || h2c.isOpen()) {
                assertTrue(System.nanoTime() < deadline, "the clients saw their HTTP/2 connections closed");
                Thread.onSpinWait();
            }
        } finally {
            own.stop();
        }
    }

    /** Reads the figure from the sample's Prometheus text until it is {@code expected}. */
    private static void awaitOpenConnections(H2Session h2, int expected) throws Exception {
        Pattern figure = Pattern.compile("\nbreakwater_process_open_connections (\\d+)\\.0\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            H2Session.Answer metrics = h2.get("/breakwater/metrics?format=prometheus");
            assertEquals(200, metrics.status(), metrics.body());
            Matcher open = figure.matcher(metrics.body());
            assertTrue(open.find(), metrics.body());
            if (Integer.parseInt(open.group(1)) == expected) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, expected + " open connections, but " + open.group(1));
            Thread.onSpinWait();
        }
    }

    private static void assertProblem(H2Session.Answer answer, int status, String code) {
        assertEquals(status, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.headers().get("Content-Type").split(";")[0]);
        assertTrue(answer.body().contains("\"code\":\"" + code + "\""), answer.body());
    }

    private static void assertHelloStillAnswers(H2Session h2) throws Exception {
        assertTrue(h2.isOpen(), "the connection is still open");
        H2Session.Answer hello = h2.get("/demo/hello");
        assertEquals(200, hello.status(), hello.body());
        assertEquals("{\"message\":\"hello\"}", hello.body());
        assertTrue(h2.isOpen(), "the connection is still open");
    }

    /** curl's {@code http_version} and status; fails, saying so, where curl is missing or has no HTTP/2. */
    private static String curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w",
                "%{http_version} %{http_code}", "--max-time", "30"));
        command.addAll(List.of(arguments));
        Process curl;
        try {
            curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("curl is needed for this test (Debian: apt-get install curl)", e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        assertTrue(curl.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS), "curl ended");
        return output.get(10, TimeUnit.SECONDS).trim();
    }
}
