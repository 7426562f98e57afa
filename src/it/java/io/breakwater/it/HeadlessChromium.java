package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.breakwater.testing.JsonText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Chromium as a real headless browser for a test: started with a fresh profile and the DevTools port the
 * system picks, driven over the Chrome DevTools Protocol ({@link DevToolsSession}), no driver in between. Close it
 * to stop the browser and every process it started, and to delete the profile.
 */
final class HeadlessChromium implements AutoCloseable {
    /** Where Debian's {@code chromium} package puts it; {@code -Dchromium=...} for another. */
    static final String DEFAULT_BINARY = "/usr/bin/chromium";
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final Path log;
    private final int port;

    private HeadlessChromium(Process process, Path profile, Path log, int port) {
        this.process = process;
        this.profile = profile;
        this.log = log;
        this.port = port;
    }

    /** Starts the browser with a window of the given size; fails, saying how to install it, when it is missing. */
    static HeadlessChromium start(int width, int height, Path log) throws Exception {
        Path binary = Path.of(System.getProperty("chromium", DEFAULT_BINARY));
        if (!Files.isExecutable(binary)) {
            fail("no Chromium at " + binary + ": the status page's browser test needs Debian's chromium package"
                    + " (apt-get install chromium; .ci/run installs it), or -Dchromium=<path to a Chromium binary>");
        }
        Path profile = Files.createTempDirectory("breakwater-chromium");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--hide-scrollbars", "--force-color-profile=srgb", "--lang=en-US",
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        HeadlessChromium chromium = null;
        try {
            chromium = new HeadlessChromium(process, profile, log, awaitPort(process, profile, log));
            return chromium;
        } finally {
            if (chromium == null) {
                stop(process);
                delete(profile);
            }
        }
    }

    /** The port Chromium chose, from the first line of {@code DevToolsActivePort} in its profile. */
    private static int awaitPort(Process process, Path profile, Path log) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (Files.isRegularFile(portFile)) {
                List<String> lines = Files.readAllLines(portFile);
                if (lines.size() >= 2) {
                    return Integer.parseInt(lines.get(0).trim());
                }
            }
            if (!process.isAlive()) {
                fail("Chromium exited with status " + process.exitValue() + " before opening DevTools: "
                        + Files.readString(log));
            }
            assertTrue(System.nanoTime() < deadline, "Chromium opened no DevTools port within " + STARTUP
                    + "; its output is in " + log);
            process.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    /** A DevTools session on the browser's first tab. */
    DevToolsSession firstTab() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> targets = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (Object target : (List<?>) JsonText.parse(targets.body())) {
            Map<?, ?> tab = (Map<?, ?>) target;
            if ("page".equals(tab.get("type"))) {
                return DevToolsSession.connect(client, URI.create((String) tab.get("webSocketDebuggerUrl")));
            }
        }
        throw new AssertionError("Chromium has no tab: " + targets.body());
    }

    @Override
    public void close() {
        stop(process);
        delete(profile);
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the renderer and helper processes normally go with the browser; any left over are ours to end
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path log() {
        return log;
    }
}
