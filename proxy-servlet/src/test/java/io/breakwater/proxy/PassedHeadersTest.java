package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.internal.ForwardedHeaders;
import io.breakwater.testing.TestServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpField;
import org.junit.jupiter.api.Test;

/** The headers the proxy passes each way, byte for byte where Jetty's own proxy would rewrite them. */
class PassedHeadersTest {
    /** What the backend received last, by header name. */
    private final Map<String, List<String>> received = new ConcurrentHashMap<>();

    /** Answers with the headers that the proxy must pass as they are, and notes the request's. */
    private final class HeaderBackend extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            for (String name : Collections.list(request.getHeaderNames())) {
                received.put(name, Collections.list(request.getHeaders(name)));
            }
            response.setHeader("Server", "backend/1");
            response.addHeader("Set-Cookie", "a=1; Path=/; HttpOnly");
            response.addHeader("Set-Cookie", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
            response.setHeader("X-List", "x,y,,z");
            response.setHeader("ETag", "W/\"v,1\"");
            response.setHeader("Keep-Alive", "timeout=5");
            response.setHeader("Proxy-Authenticate", "Basic");
            response.getWriter().write("ok");
        }
    }

    @Test
    void passesTheBackendsHeadersAsSentAndDropsHopByHopOnes() throws Exception {
        try (TestServer backend = TestServer.start(context -> context.addServlet(
                new ServletHolder(new HeaderBackend()), "/*"));
                TestServer proxy = proxyTo(backend, "")) {
            var response = proxy.get("/x");
            assertEquals(200, response.statusCode());
            assertEquals(List.of("backend/1"), response.headers().allValues("Server"));
            assertEquals(List.of("a=1; Path=/; HttpOnly", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT"),
                    response.headers().allValues("Set-Cookie"));
            assertEquals(List.of("x,y,,z"), response.headers().allValues("X-List"));
            assertEquals(List.of("W/\"v,1\""), response.headers().allValues("ETag"));
            assertEquals(1, response.headers().allValues("Date").size());
            assertFalse(response.headers().firstValue("Keep-Alive").isPresent());
            assertFalse(response.headers().firstValue("Proxy-Authenticate").isPresent());
            assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
            assertEquals("ok", response.body());
        }
    }

    @Test
    void addsThisHopToForwardedAndVia() throws Exception {
        try (TestServer backend = TestServer.start(context -> context.addServlet(
                new ServletHolder(new HeaderBackend()), "/*"));
                TestServer proxy = proxyTo(backend, "")) {
            proxy.get("/x");
            String host = "127.0.0.1:" + proxy.port();
            assertEquals(List.of("by=\"127.0.0.1\";for=\"127.0.0.1\";host=\"" + host + "\";proto=http"),
                    received.get("Forwarded"));
            assertTrue(received.get("Via").get(0).startsWith("1.1 "), received.get("Via").toString());
        }
    }

    @Test
    void appendsThisHopToTheForwardedHeaderOfATrustedProxy() throws Exception {
        try (TestServer backend = TestServer.start(context -> context.addServlet(
                new ServletHolder(new HeaderBackend()), "/*"));
                TestServer proxy = proxyTo(backend, "127.0.0.1")) {
            proxy.send(HttpRequest.newBuilder(proxy.uri("/x"))
                    .header("Forwarded", "for=\"6.6.6.6\";proto=https").build());
            String host = "127.0.0.1:" + proxy.port();
            assertEquals(List.of("for=\"6.6.6.6\";proto=https, by=\"127.0.0.1\";for=\"127.0.0.1\";host=\"" + host
                    + "\";proto=http"), received.get("Forwarded"));
        }
    }

    @Test
    void quotesAndEscapesAHostHeaderAsJettyDoes() {
        for (String text : new String[] {"h:1", "[::1]:80", "a\"b\\c", "", null}) {
            // Jetty's format string writes a missing Host as "null": so does the builder
            assertEquals(String.valueOf(HttpField.PARAMETER_TOKENIZER.quote(text)),
                    ForwardedHeaders.appendQuoted(new StringBuilder(), text).toString());
        }
    }

    private static TestServer proxyTo(TestServer backend, String trustedProxies) throws Exception {
        return TestServer.start(context -> {
            ServletHolder holder = new ServletHolder("proxy", new BalancingProxyServlet());
            holder.setInitParameter("backends", "http://127.0.0.1:" + backend.port());
            if (!trustedProxies.isEmpty()) {
                holder.setInitParameter("trustedProxies", trustedProxies);
            }
            holder.setInitOrder(0);
            context.addServlet(holder, "/*");
        });
    }
}
