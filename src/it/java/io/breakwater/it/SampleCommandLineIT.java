package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;

/** The runnable sample jar, as the README runs it: a real process, a real port, a real client. */
class SampleCommandLineIT {
    private static final Pattern SERVING = Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/");

    @Test
    void sampleJarServesTheDemoRoutes() throws Exception {
        Process process = start("--port", "0", "--jmx-port", String.valueOf(freePort()));
        try {
            int port = servingPort(process);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> hello = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/demo/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode());
            HttpResponse<String> fail = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/demo/fail")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, fail.statusCode());
            assertTrue(fail.body().contains("\"code\":\"INTERNAL_ERROR\""), fail.body());
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/orders/1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, proxied.statusCode());
            for (HttpResponse<String> answer : List.of(hello, fail, proxied)) {
                assertEquals(List.of(), answer.headers().allValues("Server"), "no server version");
            }
        } finally {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the sample stops on SIGTERM");
        }
    }

    @Test
    void unknownOptionPrintsOneLineAndExitsWithStatus2() throws Exception {
        assertUsageError(List.of("--bogus"), "breakwater-sample: unknown option --bogus"
                + " (options: --port N, --https-port N, --tls-keystore PATH, --tls-password-file PATH,"
                + " --redirect-http, --backends URL,URL,..., --jmx-port N|off, --jmx-password-file PATH,"
                + " --grace DURATION, --drain-delay DURATION, --help)");
    }

    @Test
    void helpPrintsTheUsageWithEachDefaultAndExitsWithStatus0() throws Exception {
        for (String help : List.of("--help", "-h")) {
            Process process = start(help);
            CompletableFuture<List<String>> out = CompletableFuture.supplyAsync(() -> lines(process.getInputStream()));
            List<String> err = finish(process);
            assertEquals(0, process.exitValue(), help);
            assertEquals(List.of(), err, help);
            String usage = String.join("\n", out.get(10, TimeUnit.SECONDS));
            assertTrue(usage.startsWith("usage: java -jar breakwater-sample.jar [options]"), usage);
            for (String option : List.of("--port N ", "--backends URL,URL,... ", "--jmx-port N|off ",
                    "--jmx-password-file PATH ", "--grace DURATION ", "--drain-delay DURATION ", "-h, --help ")) {
                assertTrue(usage.contains("\n  " + option), option + " in\n" + usage);
            }
            for (String shown : List.of("(default 8080)", "(default: three embedded demo backends)",
                    "(default 9010)", "(default: none, any local user connects)", "(default 30s)", "(default 0)")) {
                assertTrue(usage.contains(shown), shown + " in\n" + usage);
            }
        }
    }

    @Test
    void backendsTheProxyWouldRefuseArePrintedInOneLineWithStatus2() throws Exception {
        String accepted = "breakwater-sample: --backends must be a comma-separated list of http:// or https:// URLs"
                + " without path, each optionally followed by ;weight=N with N from 1 to 100, but ";
        for (String bad : List.of("http://127.0.0.1:9/path", "http://127.0.0.1:9?q=1", "http://user:pw@127.0.0.1:9",
                "http://127.0.0.1:9#top", ",", "http://127.0.0.1:99999", "http://127.0.0.1:9;weight=101")) {
            assertUsageError(List.of("--backends", bad), accepted + "was \"" + bad + "\"");
        }
        assertUsageError(List.of("--backends", "http://127.0.0.1:9,http://127.0.0.1:9;weight=2"),
                accepted + "listed \"http://127.0.0.1:9\" twice");
    }

    @Test
    void badJmxOptionsPrintOneLineAndExitWithStatus2() throws Exception {
        assertUsageError(List.of("--jmx-port", "0"),
                "breakwater-sample: --jmx-port must be a port number between 1 and 65535, or off, but was \"0\"");
        assertUsageError(List.of("--jmx-password-file", "no/such/file"),
                "breakwater-sample: --jmx-password-file must be a readable file, but was \"no/such/file\"");
    }

    @Test
    void weightedBackendsReachTheProxyWithTheirWeights() throws Exception {
        int jmxPort = freePort();
        try (ItBackend first = new ItBackend("first"); ItBackend second = new ItBackend("second")) {
            Process process = start("--port", "0", "--jmx-port", String.valueOf(jmxPort),
                    "--backends", first.url() + ";weight=2," + second.url());
            try {
                int port = servingPort(process);
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/orders/1")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, proxied.statusCode());
                assertTrue(List.of("first", "second").contains(proxied.body()), proxied.body());
                JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + jmxPort
                        + "/jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
                try (JMXConnector jmx = JMXConnectorFactory.connect(url)) {
                    MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                    Map<Object, Object> weights = new HashMap<>();
                    for (ObjectName backend : mbeans.queryNames(new ObjectName("breakwater:type=Backend,*"), null)) {
                        weights.put(mbeans.getAttribute(backend, "Url"), mbeans.getAttribute(backend, "Weight"));
                    }
                    assertEquals(Map.of(first.url(), 2, second.url(), 1), weights);
                }
            } finally {
                process.destroy();
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the sample stops on SIGTERM");
            }
        }
    }

    @Test
    void jmxOffOpensNoConnectorAndSaysSo() throws Exception {
        Process process = start("--port", "0", "--jmx-port", "off");
        try {
            String serving = servingLine(process);
            assertTrue(serving.endsWith("/demo/hello, JMX off"), serving);
            HttpResponse<String> hello = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port(serving) + "/demo/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode());
        } finally {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the sample stops on SIGTERM");
        }
    }

    @Test
    void badPortNumberPrintsOneLineAndExitsWithStatus2() throws Exception {
        assertUsageError(List.of("--port", "eighty"),
                "breakwater-sample: --port must be a port number between 0 and 65535, but was \"eighty\"");
    }

    @Test
    void badGracePrintsOneLineAndExitsWithStatus2() throws Exception {
        assertUsageError(List.of("--grace", "0s"),
                "breakwater-sample: --grace must be a duration between 1s and 1h, but was \"0s\"");
    }

    @Test
    void drainDelayNotShorterThanTheGracePrintsOneLineAndExitsWithStatus2() throws Exception {
        assertUsageError(List.of("--grace", "5s", "--drain-delay", "5s"),
                "breakwater-sample: --drain-delay must be shorter than --grace (5s), but was \"5s\"");
    }

    @Test
    void portInUsePrintsOneLineAndExitsWithStatus2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("0.0.0.0"))) {
            Process process = start("--port", String.valueOf(taken.getLocalPort()),
                    "--jmx-port", String.valueOf(freePort()));
            List<String> err = finish(process);
            assertEquals(2, process.exitValue());
            assertEquals(1, err.size(), String.join("\n", err));
            assertTrue(err.get(0).startsWith("breakwater-sample: cannot listen: "), err.get(0));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void assertUsageError(List<String> args, String expected) throws Exception {
        Process process = start(args.toArray(new String[0]));
        List<String> err = finish(process);
        assertEquals(2, process.exitValue());
        assertEquals(List.of(expected), err);
    }

    static Process start(String... args) throws IOException {
        Path jar = Path.of(System.getProperty("sample.jar", "../../sample-webapp/target/breakwater-sample.jar"));
        assertTrue(Files.isRegularFile(jar), "built sample jar at " + jar.toAbsolutePath());
        List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Waits for the process to end and returns the lines it wrote to standard error (its log excluded). */
    private static List<String> finish(Process process) throws Exception {
        CompletableFuture<List<String>> err = CompletableFuture.supplyAsync(() -> lines(process.getErrorStream()));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the sample exits by itself");
        List<String> lines = new ArrayList<>();
        for (String line : err.get(10, TimeUnit.SECONDS)) {
            if (!line.startsWith("[")) { // slf4j-simple's log lines start with the thread name
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<String> lines(java.io.InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
            return lines;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads standard output until the sample says where it serves. */
    static int servingPort(Process process) throws Exception {
        return port(servingLine(process));
    }

    private static int port(String servingLine) {
        Matcher m = SERVING.matcher(servingLine);
        assertTrue(m.find(), servingLine);
        return Integer.parseInt(m.group(1));
    }

    /** Reads standard output until the line where the sample says where it serves, and returns that line. */
    static String servingLine(Process process) throws Exception {
        CompletableFuture<String> serving = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = out.readLine()) != null; ) {
                    if (SERVING.matcher(line).find()) {
                        return line;
                    }
                }
                throw new IllegalStateException("the sample ended without serving");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CompletableFuture.runAsync(() -> lines(process.getErrorStream()));
        return serving.get(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
    }
}
