package io.breakwater.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The bytes this JVM has allocated on the heap so far, for {@code bench/ab}'s bytes per request: with
 * {@code -Dbench.allocationPort=N}, every connection to 127.0.0.1:N gets one line, that total, and is closed.
 * <p>
 * The total is the sum of {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes} over every thread ever
 * seen (the JDK's own total over all threads comes with Java 21). A thread's figure is gone once it ends, so a
 * sampler reads every live thread's figure every {@value #SAMPLE_MS} ms and keeps the last one of each thread (thread
 * ids are never reused): a thread that ends loses only what it allocated after its last sample, and each reading
 * takes every live thread's figure afresh. Thread-safe.
 */
final class AllocationMeter {
    static final String PORT_PROPERTY = "bench.allocationPort";
    private static final long SAMPLE_MS = 100;
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** The last figure of every thread seen, by id: the ended threads' figures stay. */
    private final Map<Long, Long> lastSeen = new HashMap<>();

    private AllocationMeter() {
    }

    /** Starts the meter's sampler and listener when {@code -Dbench.allocationPort} is set; fails if it cannot. */
    static void startIfAsked() throws IOException {
        String port = System.getProperty(PORT_PROPERTY);
        if (port == null) {
            return;
        }
        AllocationMeter meter = new AllocationMeter();
        if (!meter.threads.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not count the bytes each thread allocates");
        }
        meter.threads.setThreadAllocatedMemoryEnabled(true);
        ServerSocket listener = new ServerSocket(Integer.parseInt(port), 8, InetAddress.getLoopbackAddress());
        daemon("allocation-sampler", meter::sampleForever);
        daemon("allocation-meter", () -> meter.answerForever(listener));
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void sampleForever() {
        try {
            while (true) {
                total();
                Thread.sleep(SAMPLE_MS);
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    private void answerForever(ServerSocket listener) {
        while (true) {
            try (Socket socket = listener.accept(); OutputStream out = socket.getOutputStream()) {
                out.write((total() + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // one reader gone early costs its own reading only; the harness then reports no figure for the round
                System.err.println("allocation meter: " + e);
            }
        }
    }

    /** Every live thread's figure afresh, plus the last of each ended one. */
    synchronized long total() {
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) { // -1: the thread ended between the two calls; its last sample stands
                lastSeen.put(ids[i], bytes[i]);
            }
        }
        long sum = 0;
        for (long seen : lastSeen.values()) {
            sum += seen;
        }
        return sum;
    }
}
