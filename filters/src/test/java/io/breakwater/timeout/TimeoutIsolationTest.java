package io.breakwater.timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/** What a timed-out handler can still do once the client has its answer: nothing that anyone sees. */
class TimeoutIsolationTest {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)Content-Length: (\\d+)\r\n");

    @Test
    void answerReachesClientWhileHandlerIsBlockedAndNothingFollowsWhenItReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> returned = new CompletableFuture<>();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (TestServer server = TimeoutFilterTest.server(Map.of("timeout", "200ms"), context ->
                TestServlets.route(context, "/stubborn", (request, response) -> {
                    try {
                        awaitIgnoringInterrupts(release);
                        response.getWriter().write("late");
                        response.flushBuffer();
                    } finally {
                        returned.complete(null);
                    }
                    throw new IllegalStateException("late failure");
                }))) {
            System.setErr(new PrintStream(new TeeStream(originalErr, log), true, StandardCharsets.UTF_8));
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET /stubborn HTTP/1.1\r\nHost: localhost\r\n"
                        + "X-Request-Id: stubborn-1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();

                String answer = readOneResponse(in);
                assertFalse(returned.isDone(), "the handler must still be blocked when the answer arrives");
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                assertTrue(answer.contains("\"code\":\"TIMEOUT\""), answer);
                assertTrue(answer.contains("Connection: close"), answer);

                release.countDown();
                returned.get(5, TimeUnit.SECONDS);
                byte[] rest = in.readAllBytes();
                assertEquals("", new String(rest, StandardCharsets.ISO_8859_1));
            }
            HttpResponse<String> next = server.get("/stubborn-not-mapped");
            assertEquals(404, next.statusCode());
        } finally {
            System.setErr(originalErr);
        }
        long lines = Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(line -> line.contains("stubborn-1")).count();
        assertEquals(1, lines, log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void interruptNeverReachesTheThreadsNextRequest() throws Exception {
        AtomicInteger interruptedOnEntry = new AtomicInteger();
        try (TestServer server = TimeoutFilterTest.server(Map.of("timeout", "5ms", "timeoutPaths", "/check=off"),
                context -> {
                    // finishes right around its deadline, so that the timeout and the return race
                    TestServlets.route(context, "/edge", (request, response) -> {
                        try {
                            new CountDownLatch(1).await(5, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            response.setStatus(299);
                        }
                    });
                    TestServlets.route(context, "/check", (request, response) -> {
                        if (Thread.currentThread().isInterrupted()) {
                            interruptedOnEntry.incrementAndGet();
                        }
                    });
                })) {
            for (int i = 0; i < 200; i++) {
                CompletableFuture<HttpResponse<String>> edge = server.client().sendAsync(
                        TimeoutFilterTest.get(server, "/edge"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, server.get("/check").statusCode());
                int status = edge.get(10, TimeUnit.SECONDS).statusCode();
                // 299 would be an interrupt that the handler saw although its request did not time out
                assertTrue(status == 200 || status == 503, "status " + status);
            }
            assertEquals(200, server.get("/check").statusCode());
            assertEquals(0, interruptedOnEntry.get());
        }
    }

    @Test
    void threadCountReturnsToBaselineAfterThousandTimeouts() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger ended = new AtomicInteger();
        // pools that keep idle threads for a minute would hide the count: a fixed client pool, a quick server one
        ExecutorService clientThreads = Executors.newFixedThreadPool(4);
        HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
        QueuedThreadPool serverThreads = new QueuedThreadPool(200, 8, 100);
        serverThreads.setMaxEvictCount(100);
        Server server = new Server(serverThreads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        TimeoutFilterTest.chain(context, Map.of("timeout", "20ms"));
        TestServlets.route(context, "/hang", (request, response) -> {
            try {
                // longer than the test polls: a handler that the interrupt missed would stay and be counted
                never.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ended.incrementAndGet();
            }
        });
        server.setHandler(context);
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/hang");
            int concurrency = 20;
            timeOut(client, uri, concurrency, concurrency); // grows the pools to their working size
            awaitCount(ended, concurrency);
            int baseline = threads.getThreadCount();

            timeOut(client, uri, 1_000, concurrency);

            awaitCount(ended, concurrency + 1_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((threads.getThreadCount() > baseline || schedulerThreads() != 1) && System.nanoTime() < deadline) {
                Thread.yield();
            }
            assertTrue(threads.getThreadCount() <= baseline,
                    "threads: " + threads.getThreadCount() + ", baseline " + baseline + ": " + names());
            assertEquals(1, schedulerThreads(), names().toString());
        } finally {
            server.stop();
            clientThreads.shutdownNow();
        }
    }

    /** Live scheduler threads of TimeoutFilters: this test's one, and those of stopped servers not yet gone. */
    private static long schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("breakwater-timeout-")).count();
    }

    private static Set<String> names() {
        Set<String> names = new TreeSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    private static void timeOut(HttpClient client, URI uri, int requests, int concurrency)
            throws Exception {
        for (int sent = 0; sent < requests; sent += concurrency) {
            List<CompletableFuture<HttpResponse<String>>> wave = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                wave.add(client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> response : wave) {
                assertEquals(503, response.get(10, TimeUnit.SECONDS).statusCode());
            }
        }
    }

    private static void awaitCount(AtomicInteger count, int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count.get() < expected && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertEquals(expected, count.get());
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean waiting = true;
        while (waiting) {
            try {
                waiting = !latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // a stubborn handler: it keeps waiting
            }
        }
    }

    /** Reads one HTTP response whose body has a Content-Length. */
    private static String readOneResponse(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int headerEnd = -1;
        while (headerEnd < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the headers ended: " + bytes);
            }
            bytes.write(b);
            if (bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                headerEnd = bytes.size();
            }
        }
        String head = bytes.toString(StandardCharsets.ISO_8859_1);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (!length.find()) {
            throw new IOException("no Content-Length: " + head);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length.group(1)));
        return head + new String(body, StandardCharsets.UTF_8);
    }

    /** Writes to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }
    }
}
