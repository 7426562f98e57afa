package io.breakwater.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sample jar as a real process on an ephemeral port: raw requests on new connections, its log lines (standard
 * error), SIGTERM. Close it to kill it if it still runs.
 */
final class SampleProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Duration POLL = Duration.ofMillis(5);

    private final Process process;
    private final int port;
    private final List<String> log;

    private SampleProcess(Process process, int port, List<String> log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the sample with {@code --port 0}, a free JMX port and the given options; returns once it serves. */
    static SampleProcess start(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--jmx-port",
                String.valueOf(SampleCommandLineIT.freePort())));
        args.addAll(List.of(options));
        Process process = SampleCommandLineIT.start(args.toArray(new String[0]));
        List<String> log = new CopyOnWriteArrayList<>();
        // own threads: the common pool may have one thread only, and these block until the process ends
        daemon("sample-log", () -> readLines(process.getErrorStream(), log));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        daemon("sample-out", () -> {
            try {
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
                port.completeExceptionally(new IllegalStateException("the sample ended without serving: " + log));
            } catch (IOException e) {
                port.completeExceptionally(new UncheckedIOException(e));
            }
        });
        try {
            return new SampleProcess(process, port.get(60, TimeUnit.SECONDS), log);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void readLines(InputStream in, List<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    int port() {
        return port;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /**
     * Sends SIGTERM. Through the process handle: {@link Process#destroy()} also closes the pipes of the process's
     * output, and its last log lines would be lost.
     */
    void term() {
        process.toHandle().destroy();
    }

    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    List<String> log() {
        return List.copyOf(log);
    }

    /** Waits for a log line containing the text, and returns it. */
    String awaitLog(String text, Duration timeout) {
        try {
            return await("a log line with \"" + text + "\"", timeout,
                    () -> log.stream().filter(line -> line.contains(text)).findFirst().orElse(null));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " in " + log.subList(Math.max(0, log.size() - 5), log.size()));
        }
    }

    /**
     * A GET on a new connection with {@code Connection: close}: everything the sample sent until it closed the
     * connection. A refused connection throws {@link java.net.ConnectException}.
     */
    String raw(String pathAndQuery) throws IOException {
        return send("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    /** The given bytes (ISO-8859-1) on a new connection: everything the sample sent until it closed the connection. */
    String send(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Polls until the supplier gives a value; fails after the timeout. */
    static <T> T await(String what, Duration timeout, Supplier<T> value) {
        long end = System.nanoTime() + timeout.toNanos();
        for (T v = value.get(); ; v = value.get()) {
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
