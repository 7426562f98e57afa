package io.breakwater.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.client.HttpClient;

/**
 * An open-loop load generator for the overload scenario: requests go out at a constant rate, evenly spaced, whether
 * or not earlier ones were answered, and each one's latency is counted from the moment it was due, so that a server
 * that falls behind cannot slow the load down (closed-loop tools such as wrk hide overload that way). They go over a
 * fixed number of keep-alive connections, all opened before the first one is due, as h2load's {@code -c} clients:
 * a connection for every request in flight let a cold start open thousands, each holding tens of kilobytes of the
 * server's heap for the rest of the run, and their handshakes and collections showed up as seconds of latency that
 * no server under test had caused. A request that finds every connection busy waits in the client, and that wait
 * counts in its latency too. Writes one line per request of the measured period, as h2load's {@code --log-file}
 * does: due time in microseconds, status (0: no answer), microseconds until the answer ended.
 * {@code java -cp breakwater-bench.jar io.breakwater.bench.OpenLoopLoad <url> <rps> <warmup s> <duration s> <log>
 * [connections]}. One instance per run; not thread-safe.
 */
public final class OpenLoopLoad {
    private static final long ANSWER_TIMEOUT_SECONDS = 30;
    /** As bench/overload's {@code --clients}: enough for what a limited server holds at once, and then some. */
    private static final int DEFAULT_CONNECTIONS = 200;

    private OpenLoopLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 6) {
            System.err.println("usage: OpenLoopLoad <url> <requests per second> <warmup s> <duration s> <log file>"
                    + " [connections]");
            System.exit(2);
        }
        String url = args[0];
        double rps = Double.parseDouble(args[1]);
        long warmup = (long) (Double.parseDouble(args[2]) * rps);
        int measured = (int) (Double.parseDouble(args[3]) * rps);
        long intervalNanos = (long) (1e9 / rps);
        int connections = args.length > 5 ? Integer.parseInt(args[5]) : DEFAULT_CONNECTIONS;

        HttpClient client = new HttpClient();
        client.setMaxConnectionsPerDestination(connections);
        client.setMaxRequestsQueuedPerDestination(1_000_000);
        client.setFollowRedirects(false);
        client.start();
        client.resolveDestination(client.newRequest(url)).getConnectionPool().preCreateConnections(connections)
                .get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long[] due = new long[measured];
        AtomicLongArray status = new AtomicLongArray(measured);
        AtomicLongArray latency = new AtomicLongArray(measured);
        CountDownLatch answered = new CountDownLatch(measured);
        long epochMicros = System.currentTimeMillis() * 1000;
        long origin = System.nanoTime();
        for (long i = 0; i < warmup + measured; i++) {
            long at = origin + i * intervalNanos;
            for (long wait = at - System.nanoTime(); wait > 0; wait = at - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            int slot = (int) (i - warmup);
            if (slot >= 0) {
                due[slot] = at;
            }
            client.newRequest(url).timeout(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS).send(result -> {
                if (slot < 0) {
                    return;
                }
                status.set(slot, result.isSucceeded() ? result.getResponse().getStatus() : 0);
                latency.set(slot, (System.nanoTime() - at) / 1000);
                answered.countDown();
            });
        }
        boolean all = answered.await(ANSWER_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
        client.stop();
        write(Path.of(args[4]), due, status, latency, epochMicros, origin);
        System.out.println("sent " + (warmup + measured) + " at " + rps + "/s on " + connections
                + " connections, measured " + measured
                + (all ? "" : ", some never answered"));
    }

    private static void write(Path log, long[] due, AtomicLongArray status, AtomicLongArray latency, long epochMicros,
            long origin) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.US_ASCII))) {
            for (int i = 0; i < due.length; i++) {
                out.println((epochMicros + (due[i] - origin) / 1000) + "\t" + status.get(i) + "\t" + latency.get(i));
            }
        }
    }
}
