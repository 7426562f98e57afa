package io.breakwater.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The WebSocket echo load of {@code bench/ws}: N connections, each closed-loop (it sends a 64-byte text message,
 * waits for its echo, sends the next) for a fixed time; prints one line,
 * {@code messages=... seconds=... messages_per_s=... p50_us=... p99_us=... max_us=... connections=N errors=E}.
 * {@code java -cp breakwater-bench.jar io.breakwater.bench.WebSocketLoad <ws URL> <connections> <seconds>} runs once;
 * without arguments it reads such lines ({@code <ws URL> <connections> <seconds>}) from its input and answers each
 * with its line, so that one warmed-up client measures every round. Latency is from a send to its echo.
 */
public final class WebSocketLoad {
    private static final int USAGE = 2;
    private static final String MESSAGE = "x".repeat(64);
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(30);
    /** How long past the end the last echoes may take before their connections count as failed. */
    private static final Duration FINISH_WAIT = Duration.ofSeconds(10);

    private WebSocketLoad() {
    }

    public static void main(String[] args) throws Exception {
        WebSocketClient client = new WebSocketClient();
        client.start();
        try {
            if (args.length == 3) {
                System.out.println(run(client, args));
            } else if (args.length == 0) {
                BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = input.readLine(); line != null; line = input.readLine()) {
                    if (!line.isBlank()) {
                        System.out.println(run(client, line.trim().split("\\s+")));
                        System.out.flush();
                    }
                }
            } else {
                System.err.println("usage: WebSocketLoad [<ws URL> <connections> <seconds>]");
                System.exit(USAGE);
            }
        } finally {
            client.stop();
        }
    }

    private static String run(WebSocketClient client, String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("give <ws URL> <connections> <seconds>, but was " + String.join(" ",
                    args));
        }
        return run(client, URI.create(args[0]), Integer.parseInt(args[1]),
                Duration.ofMillis(Math.round(Double.parseDouble(args[2]) * 1000)));
    }

    private static String run(WebSocketClient client, URI uri, int connections, Duration duration)
            throws Exception {
        AtomicLong errors = new AtomicLong();
        List<CompletableFuture<Session>> opening = new ArrayList<>();
        List<Echoes> echoes = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Echoes connection = new Echoes(errors);
            echoes.add(connection);
            opening.add(client.connect(connection, uri));
        }
        List<Echoes> open = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            try {
                opening.get(i).get(CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                open.add(echoes.get(i));
            } catch (Exception e) {
                errors.incrementAndGet();
            }
        }
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        open.forEach(connection -> connection.start(end));
        LatencyHistogram latencies = new LatencyHistogram();
        long messages = 0;
        for (Echoes connection : open) {
            long left = end + FINISH_WAIT.toNanos() - System.nanoTime();
            try {
                connection.done.get(Math.max(1, left), TimeUnit.NANOSECONDS);
                latencies.add(connection.latencies);
                messages += connection.inTime;
            } catch (Exception e) {
                errors.incrementAndGet();
            }
            connection.close();
        }
        double seconds = duration.toNanos() / 1e9;
        return String.format(Locale.ROOT,
                "messages=%d seconds=%.3f messages_per_s=%.0f p50_us=%d p99_us=%d max_us=%d connections=%d errors=%d",
                messages, seconds, messages / seconds, latencies.valueAt(0.50), latencies.valueAt(0.99),
                latencies.max(), open.size(), errors.get());
    }

    /**
     * One connection's closed loop. Jetty delivers its echoes one at a time, and each is the answer to the one
     * message in flight, so its fields are touched by one thread at a time; {@link #done} publishes them. Public:
     * Jetty calls its methods through method handles.
     */
    public static final class Echoes implements Session.Listener.AutoDemanding {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final LatencyHistogram latencies = new LatencyHistogram();
        private final AtomicLong errors;
        private volatile Session session;
        private long end;
        private long sentAt;
        /** Echoes that came back by the end. */
        long inTime;

        Echoes(AtomicLong errors) {
            this.errors = errors;
        }

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
        }

        void start(long until) {
            end = until;
            send();
        }

        private void send() {
            sentAt = System.nanoTime();
            session.sendText(MESSAGE, Callback.from(() -> { }, done::completeExceptionally));
        }

        @Override
        public void onWebSocketText(String echo) {
            long now = System.nanoTime();
            if (!echo.equals(MESSAGE)) {
                errors.incrementAndGet();
            }
            latencies.record((now - sentAt) / 1000);
            if (now <= end) {
                inTime++;
                send();
            } else {
                done.complete(null);
            }
        }

        @Override
        public void onWebSocketError(Throwable failure) {
            done.completeExceptionally(failure);
        }

        @Override
        public void onWebSocketClose(int status, String reason, Callback callback) {
            done.completeExceptionally(new IllegalStateException("closed by the other side: " + status));
            callback.succeed();
        }

        void close() {
            Session open = session;
            if (open != null) {
                open.close();
            }
        }
    }
}
