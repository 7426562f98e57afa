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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        } finally {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the sample stops on SIGTERM");
        }
    }

    @Test
    void unknownOptionPrintsOneLineAndExitsWithStatus2() throws Exception {
        assertUsageError(List.of("--bogus"), "breakwater-sample: unknown option --bogus"
                + " (options: --port N, --backends URL,URL,..., --jmx-port N, --grace DURATION,"
                + " --drain-delay DURATION)");
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
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
                throw new IllegalStateException("the sample ended without serving");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CompletableFuture.runAsync(() -> lines(process.getErrorStream()));
        return port.get(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
    }
}
