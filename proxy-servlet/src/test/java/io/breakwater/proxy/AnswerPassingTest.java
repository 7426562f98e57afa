package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How the proxy passes backends' answers on: on its client's network thread when that cannot block (BENCHMARKS.md),
 * so nothing there may ever wait on a client.
 */
class AnswerPassingTest {
    /** More than every socket buffer between the backend and a client that stops reading can hold. */
    private static final int DOWNLOAD_MB = 256;

    @Test
    void aClientThatStopsReadingHoldsUpNoOtherAnswer() throws Exception {
        // one network thread for the proxy's client: a write blocked on it would stop every other answer; a try
        // timeout far above the test's length, as the held-up download's try lasts as long as the 50 others take
        try (ProxyFixture fixture = ProxyFixture.start(1, "selectors", "1", "tryTimeout", "5m");
                Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", fixture.proxy.port()), 5000);
            stalled.setSoTimeout(30_000);
            stalled.getOutputStream().write(("GET /download?streamMb=" + DOWNLOAD_MB + " HTTP/1.1\r\nHost: proxy\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream download = stalled.getInputStream();
            String head = readHead(download);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            // the download's client now reads nothing: the proxy's writes to it fill every buffer and wait

            for (int i = 0; i < 50; i++) {
                HttpRequest small = HttpRequest.newBuilder(fixture.proxy.uri("/small?i=" + i))
                        .timeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> answer = fixture.proxy.send(small);
                assertEquals(200, answer.statusCode());
                assertEquals("b0", answer.body());
            }
            // all the while, the download was held up: the backend has written only the 50 others to the end
            assertEquals(50, fixture.backend(0).answered());

            // and nothing of it is lost once its client reads again
            long body = download.transferTo(OutputStream.nullOutputStream());
            assertEquals((long) DOWNLOAD_MB << 20, body);
        }
    }

    /** The status line and headers, through the blank line. */
    private static String readHead(InputStream in) throws IOException {
        String head = RawBackend.readHead(in);
        if (head == null) {
            throw new IOException("closed before the end of the head");
        }
        return head;
    }
}
