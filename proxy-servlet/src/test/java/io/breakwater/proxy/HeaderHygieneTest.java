package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/** What of a backend's answer reaches the client, and what of the client's address reaches the backend. */
class HeaderHygieneTest {

    @Test
    void dropsTheResponseHeadersThatTheBackendsConnectionHeaderNames() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.writing("HTTP/1.1 200 OK\r\n"
                + "Connection: X-Internal-Route, keep-alive\r\nConnection: x-debug\r\nX-Internal-Route: node-7\r\n"
                + "X-Debug: on\r\nX-Kept: k\r\nContent-Length: 2\r\n\r\nok"));
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url())) {
            String answer = fixture.proxy.raw("GET /x HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertFalse(answer.contains("X-Internal-Route"), answer);
            assertFalse(answer.contains("node-7"), answer);
            assertFalse(answer.contains("X-Debug"), answer);
            assertTrue(answer.contains("X-Kept: k\r\n"), answer);
        }
    }

    @Test
    void pointsARedirectToTheBackendsOwnOriginAtTheClientsOrigin() throws Exception {
        try (RawBackend backend = RawBackend.start(null);
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url())) {
            String port = backend.url().substring("http://127.0.0.1:".length());
            backend.script(RawBackend.writing("HTTP/1.1 302 Found\r\nLocation: HTTP://127.0.0.1:" + port
                    + "/next?a=1#top\r\nContent-Location: http://127.0.0.1:" + port + "\r\nContent-Length: 0\r\n\r\n"));
            String answer = fixture.proxy.raw(
                    "GET /x HTTP/1.1\r\nHost: shop.example:8443\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 302 "), answer);
            assertTrue(answer.contains("Location: http://shop.example:8443/next?a=1#top\r\n"), answer);
            assertTrue(answer.contains("Content-Location: http://shop.example:8443\r\n"), answer);
            assertFalse(answer.contains("127.0.0.1"), answer);
        }
    }

    @Test
    void rewritesABackendsOriginInProtocolRelativeUserInfoRefreshAndLinkValues() throws Exception {
        try (RawBackend backend = RawBackend.start(null);
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url())) {
            String at = backend.url().substring("http://".length());
            backend.script(RawBackend.writing("HTTP/1.1 302 Found\r\nLocation: //" + at + "/next?a=1\r\n"
                    + "Content-Location: http://user:secret@" + at + "/doc\r\n"
                    + "Refresh: 5; URL='http://" + at + "/later'\r\n"
                    + "Link: <http://" + at + "/p/2>; rel=next, </p/0>; rel=prev, <//" + at + "/p/9>; rel=last\r\n"
                    + "Content-Length: 0\r\n\r\n"));
            String answer = fixture.proxy.raw(
                    "GET /x HTTP/1.1\r\nHost: shop.example:8443\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 302 "), answer);
            assertTrue(answer.contains("Location: //shop.example:8443/next?a=1\r\n"), answer);
            assertTrue(answer.contains("Content-Location: http://shop.example:8443/doc\r\n"), answer);
            assertTrue(answer.contains("Refresh: 5; URL='http://shop.example:8443/later'\r\n"), answer);
            assertTrue(answer.contains("Link: <http://shop.example:8443/p/2>; rel=next, </p/0>; rel=prev,"
                    + " <//shop.example:8443/p/9>; rel=last\r\n"), answer);
            assertFalse(answer.contains("127.0.0.1"), answer);
            assertFalse(answer.contains("secret"), answer);
        }
    }

    @Test
    void leavesARedirectElsewhereAsTheBackendSentIt() throws Exception {
        try (RawBackend backend = RawBackend.start(null);
                ProxyFixture fixture = ProxyFixture.start(0, "backends", backend.url())) {
            String port = backend.url().substring("http://127.0.0.1:".length());
            for (String location : new String[] {"/relative/path", "https://login.example/auth", "//cdn.example/x",
                "http://127.0.0.1:" + (Integer.parseInt(port) == 65535 ? 1 : Integer.parseInt(port) + 1) + "/other",
                "https://127.0.0.1:" + port + "/other-scheme"}) {
                backend.script(RawBackend.writing("HTTP/1.1 303 See Other\r\nLocation: " + location
                        + "\r\nContent-Length: 0\r\n\r\n"));
                String answer = fixture.proxy.raw("GET /x HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n");
                assertTrue(answer.contains("Location: " + location + "\r\n"), answer);
            }
        }
    }

    @Test
    void replacesTheXRealIpOfAnUntrustedClient() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/x")).header("X-Real-IP", "6.6.6.6")
                    .build());
            HttpFields headers = fixture.backend(0).received().get(0).headers();
            assertEquals("127.0.0.1", headers.get("X-Real-IP"));
            assertEquals(1, headers.getFields("X-Real-IP").size());
        }
    }

    @Test
    void trustsProxiesInACidrRangeWithTheirForwardingHeaders() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "trustedProxies", "10.0.0.0/8, 127.0.0.0/8")) {
            fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/kept")).header("X-Real-IP", "7.7.7.7")
                    .header("X-Forwarded-For", "7.7.7.7").build());
            fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/set"))
                    .header("X-Forwarded-For", "8.8.8.8").build());
            HttpFields kept = fixture.backend(0).received().get(0).headers();
            assertEquals("7.7.7.7", kept.get("X-Real-IP"));
            assertEquals("7.7.7.7, 127.0.0.1", kept.get("X-Forwarded-For"));
            // without one from the trusted proxy, the client's address is the rightmost untrusted hop
            assertEquals("8.8.8.8", fixture.backend(0).received().get(1).headers().get("X-Real-IP"));
        }
    }
}
