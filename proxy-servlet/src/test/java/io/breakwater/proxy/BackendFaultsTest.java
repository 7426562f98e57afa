package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The other side of the blame: a backend that breaks its answer or never gives one is the backend's failure, and a
 * client that did nothing wrong gets the contract's answer for it.
 */
class BackendFaultsTest {
    private static final String ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "a".repeat(100);

    @Test
    void aBackendThatResetsMidHeadIsTheBackendsFailure() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.resettingAfter(ANSWER, 20));
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url(), "maxAttempts", "1");
                ErrorLines errors = new ErrorLines()) {
            String answer = fixture.proxy.raw("GET /x HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
            ProxyFixture.assertProblem(answer, 502, "BACKEND_ERROR");
            assertEquals(1, fixture.backendFailures(backend.url()));
            assertEquals(0, fixture.clientFaults("gone") + fixture.clientFaults("badBody"));
            assertEquals(List.of(), errors.lines());
        }
    }

    @Test
    void aBackendThatNeverAnswersAnUploadIsTheBackendsTimeout() throws Exception {
        try (RawBackend backend = RawBackend.start(null);
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url(), "maxAttempts", "1",
                        "tryTimeout", "300ms");
                RawClient client = RawClient.connect(fixture.proxy.port())) {
            backend.script(backend.hanging(""));
            // streamed (over the replay buffer): the try is timed from the body's end, and the wait is the backend's
            client.send(RawClient.head("POST", "/upload", 100_000).replace("Host: proxy\r\n",
                    "Host: proxy\r\nConnection: close\r\n")).sendBody(100_000);
            String answer = client.answer();
            ProxyFixture.assertProblem(answer, 504, "BACKEND_TIMEOUT");
            assertEquals(1, fixture.backendFailures(backend.url()));
            assertEquals(0, fixture.clientFaults("stalled"));
        }
    }
}
