package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy's timers, one per phase: {@code tryTimeout} up to the backend's answer head, {@code backendIdleTimeout}
 * between two pieces of its body, {@code clientIdleTimeout} while a client takes nothing. Time a client takes is
 * never the backend's.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProxyTimersTest {
    private static final int DOWNLOAD_MB = 24;

    @Test
    void aDownloadReadSlowlyArrivesWholeWhateverTheTryTimeout() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "tryTimeout", "500ms", "maxAttempts", "1");
                ErrorLines errors = new ErrorLines();
                Socket client = slowReader(fixture)) {
            send(client, "GET /download?streamMb=" + DOWNLOAD_MB + " HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
            InputStream in = client.getInputStream();
            String head = RawBackend.readHead(in);
            assertTrue(head != null && head.startsWith("HTTP/1.1 200 "), head);
            assertTrue(head.contains("Content-Length: " + ((long) DOWNLOAD_MB << 20) + "\r\n"), head);
            // 6 MB a second: four seconds, eight times the try timeout
            long started = System.nanoTime();
            long body = readPaced(in, 6 << 20);
            assertEquals((long) DOWNLOAD_MB << 20, body, "the whole body, then the end of the stream");
            assertTrue(System.nanoTime() - started > TimeUnit.SECONDS.toNanos(2), "read slowly");
            assertEquals(0, fixture.backendFailures(fixture.backend(0).url()));
            assertEquals(0, ClientFaultsTest.faults(fixture));
            assertEquals(java.util.List.of(), errors.lines());
        }
    }

    @Test
    void aBackendThatStallsMidBodyHasTheClientsConnectionAbortedAndIsCharged() throws Exception {
        int sent = 300 * 1024;
        try (RawBackend backend = RawBackend.start(null);
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url(), "healthCheckPath", "off",
                        "tryTimeout", "1m", "backendIdleTimeout", "300ms", "maxAttempts", "1");
                RawClient client = RawClient.connect(fixture.proxy.port())) {
            backend.script(backend.hanging("HTTP/1.1 200 OK\r\nContent-Length: " + (4 * sent) + "\r\n\r\n"
                    + "x".repeat(sent)));
            client.send("GET /stalls HTTP/1.1\r\nHost: proxy\r\n\r\n");
            String answer = client.answerOrReset();
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer.substring(0, Math.min(200, answer.length())));
            int body = answer.length() - answer.indexOf("\r\n\r\n") - 4;
            assertTrue(body < 4 * sent, "aborted: " + body + " of " + 4 * sent + " bytes, then no clean end");
            Await.until("the backend charged", Duration.ofSeconds(10),
                    () -> fixture.backendFailures(backend.url()) == 1);
            assertEquals(0, ClientFaultsTest.faults(fixture));
        }
    }

    @Test
    void aClientThatTakesNothingIsStalledAndNoFaultOfTheBackends() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "clientIdleTimeout", "500ms", "maxAttempts", "1");
                ErrorLines errors = new ErrorLines();
                Socket client = slowReader(fixture)) {
            send(client, "GET /download?streamMb=256 HTTP/1.1\r\nHost: proxy\r\n\r\n");
            InputStream in = client.getInputStream();
            String head = RawBackend.readHead(in);
            assertTrue(head != null && head.startsWith("HTTP/1.1 200 "), head);
            // the client now takes nothing: every buffer between the proxy and it fills, and the proxy's write waits
            Await.until("the client counted stalled", Duration.ofSeconds(30),
                    () -> fixture.clientFaults("stalled") == 1);
            long body = readToTheEnd(in);
            assertTrue(body < 256L << 20, "aborted after " + body + " bytes");
            assertEquals(1, ClientFaultsTest.faults(fixture));
            assertEquals(0, fixture.backendFailures(fixture.backend(0).url()));
            assertEquals(200, fixture.get("/after").statusCode());
            assertEquals(java.util.List.of(), errors.lines());
        }
    }

    /** A client whose socket buffers hold little, so that what it does not read the proxy cannot write. */
    private static Socket slowReader(ProxyFixture fixture) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", fixture.proxy.port()), 5000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static void send(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads to the end of the stream at no more than {@code bytesPerSecond}; returns how many bytes came. */
    private static long readPaced(InputStream in, long bytesPerSecond) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long started = System.nanoTime();
        long total = 0;
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            total += read;
            long due = started + total * 1_000_000_000L / bytesPerSecond;
            long ahead = due - System.nanoTime();
            if (ahead > 0) {
                LockSupport.parkNanos(ahead); // pacing the reader, not waiting for the server
            }
        }
        return total;
    }

    /** What arrives until the connection ends, cleanly or by a reset. */
    private static long readToTheEnd(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                total += read;
            }
        } catch (IOException reset) {
            // an abort may reach the client as a reset
        }
        return total;
    }
}
