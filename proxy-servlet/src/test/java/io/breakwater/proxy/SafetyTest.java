package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

class SafetyTest {

    @Test
    void absoluteFormTargetNamingAnotherHostStillReachesAConfiguredBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            String answer = fixture.proxy.raw("GET http://evil.example:9999/steal?x=1 HTTP/1.1\r\n"
                    + "Host: evil.example:9999\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.contains("X-Backend: b0"), answer);
            ScriptedBackend.Received received = fixture.backend(0).received().get(0);
            assertEquals("/steal?x=1", received.target());
            // Host names the backend, as its configured URL does: not the client's host
            assertEquals("127.0.0.1:" + fixture.backend(0).port(), received.headers().get("Host"));
        }
    }

    @Test
    void hopByHopAndConnectionListedHeadersDoNotReachTheBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            String answer = fixture.proxy.raw("GET /x HTTP/1.1\r\nHost: proxy.example\r\n"
                    + "Connection: close, X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Proxy-Authorization: Basic eDp5\r\nX-Kept: k\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            HttpFields headers = fixture.backend(0).received().get(0).headers();
            assertNull(headers.get("X-Secret"));
            assertNull(headers.get("Keep-Alive"));
            assertNull(headers.get("TE"));
            assertNull(headers.get("Proxy-Authorization"));
            assertEquals("k", headers.get("X-Kept"));
        }
    }

    @Test
    void refusesConnectWithoutReachingABackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            String answer = fixture.proxy.raw("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 405"), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
            assertEquals(0, fixture.backend(0).requests());
        }
    }

    @Test
    void dropsForwardingHeadersFromAnUntrustedPeerAndAppendsItsAddress() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/x"))
                    .header("X-Forwarded-For", "6.6.6.6").header("Forwarded", "for=6.6.6.6").build());
            HttpFields headers = fixture.backend(0).received().get(0).headers();
            assertEquals("127.0.0.1", headers.get("X-Forwarded-For"));
            assertFalse(headers.get("Forwarded").contains("6.6.6.6"), headers.get("Forwarded"));
            assertTrue(headers.get("Forwarded").contains("for=\"127.0.0.1\""), headers.get("Forwarded"));
            assertEquals("http", headers.get("X-Forwarded-Proto"));
        }
    }

    @Test
    void appendsToForwardingHeadersOfATrustedProxy() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "trustedProxies", "127.0.0.1",
                "requestHeaders", "X-Client=${clientAddress},X-Trace=id-${requestId}")) {
            fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/x")).header("X-Request-Id", "r1")
                    .header("X-Forwarded-For", "6.6.6.6").build());
            HttpFields headers = fixture.backend(0).received().get(0).headers();
            assertEquals("6.6.6.6, 127.0.0.1", headers.get("X-Forwarded-For"));
            assertEquals("6.6.6.6", headers.get("X-Client"));
            assertEquals("id-r1", headers.get("X-Trace"));
        }
    }

    @Test
    void sendsTheTimeTheProxyWillWaitToTheBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "tryTimeout", "2s")) {
            HttpResponse<String> response = fixture.get("/x");
            assertEquals(200, response.statusCode());
            assertEquals("2000", fixture.backend(0).received().get(0).headers()
                    .get(BalancingProxyServlet.DEADLINE_HEADER));
        }
    }
}
