package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A backend's 1xx answers, written byte for byte by a raw backend: what the client gets and what the try does. */
class InterimAnswersTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok";

    @ParameterizedTest
    @ValueSource(strings = {"102 Processing", "103 Early Hints", "104 Upload Resumption Supported"})
    void passesTheFinalAnswerAfterAnInterimOne(String interim) throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.writing("HTTP/1.1 " + interim
                + "\r\nLink: </style.css>; rel=preload\r\n\r\n" + OK));
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url(), "tryTimeout", "2s");
                ErrorLines errors = new ErrorLines()) {
            String answer = fixture.proxy.raw("GET /page HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.endsWith("\r\n\r\nok"), answer);
            assertTrue(answer.contains("X-Final: yes"), answer);
            // the hint is dropped with its answer, not merged into the final one
            assertFalse(answer.contains("Link:"), answer);
            assertEquals(0, fixture.backendFailures(backend.url()));
            assertEquals(List.of(), errors.lines());
        }
    }

    @Test
    void passesTheFinalAnswerAfterSeveralInterimOnesInOneWrite() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.writing("HTTP/1.1 102 Processing\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\n"
                + "HTTP/1.1 102 Processing\r\n\r\n" + OK));
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url())) {
            for (int i = 0; i < 3; i++) {
                String answer = fixture.proxy.raw("GET /p HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
                assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("ok"), answer);
            }
        }
    }

    @Test
    void theTryTimeoutKeepsRunningAfterAnInterimAnswer() throws Exception {
        try (RawBackend backend = RawBackend.start(null);
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url(), "tryTimeout", "300ms",
                        "maxAttempts", "1")) {
            backend.script(backend.hanging("HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\n"));
            String answer = fixture.proxy.raw("GET /slow HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
            ProxyFixture.assertProblem(answer, 504, "BACKEND_TIMEOUT");
        }
    }

    @Test
    void anUnrequestedSwitchOfProtocolsIsTheBackendsFailure() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.writing("HTTP/1.1 101 Switching Protocols\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"));
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url(), "maxAttempts", "1");
                ErrorLines errors = new ErrorLines()) {
            String answer = fixture.proxy.raw("GET /x HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
            ProxyFixture.assertProblem(answer, 502, "BACKEND_ERROR");
            assertFalse(answer.contains("101"), answer);
            assertFalse(answer.contains("smuggled"), answer);
            assertEquals(1, fixture.backendFailures(backend.url()));
            assertEquals(List.of(), errors.lines());
        }
    }

    @Test
    void aRequestToUpgradeToH2cGoesOnAsPlainHttp() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.writing(OK));
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url())) {
            String answer = fixture.proxy.raw("GET /chat HTTP/1.1\r\nHost: proxy\r\n"
                    + "Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("ok"), answer);
            String head = backend.heads().get(0).toLowerCase(java.util.Locale.ROOT);
            assertFalse(head.contains("upgrade"), head);
        }
    }
}
