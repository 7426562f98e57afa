package io.breakwater.status;

import static io.breakwater.status.StatusServletTest.BACKEND_ID;
import static io.breakwater.status.StatusServletTest.PAGE;
import static io.breakwater.status.StatusServletTest.assertForbidden;
import static io.breakwater.status.StatusServletTest.encode;
import static io.breakwater.status.StatusServletTest.post;
import static io.breakwater.status.StatusServletTest.register;
import static io.breakwater.status.StatusServletTest.start;
import static io.breakwater.status.StatusServletTest.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.testing.TestClock;
import io.breakwater.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The status page's controls act only for a page of the server's own origin that was served lately, with its token
 * in the body: what a page on another origin, a leaked URL or an old token gets instead.
 */
class ControlRequestsTest {
    private final TestBackend backend = new TestBackend("http://127.0.0.1:9");

    private TestServer startWithControls() throws Exception {
        TestServer server = start(new MetricRegistry(), Map.of("statusControls", "true"));
        register(server, backend);
        return server;
    }

    private static String drain(String token) {
        return "action=drain&target=" + encode(BACKEND_ID) + "&token=" + token;
    }

    @Test
    void postFromAnotherOriginIsRefusedEvenWithTheToken() throws Exception {
        try (TestServer server = startWithControls()) {
            String token = token(server);
            assertForbidden(post(server, PAGE, drain(token), "Origin", "http://attacker.example"),
                    "Control request not from the status page's own origin");
            assertForbidden(post(server, PAGE, drain(token), "Origin", "http://127.0.0.1:" + (server.port() + 1)),
                    "Control request not from the status page's own origin");
            assertForbidden(post(server, PAGE, drain(token), "Origin", "null"),
                    "Control request not from the status page's own origin");
            assertEquals("ACTIVE", backend.getState());
        }
    }

    @Test
    void postWithoutOriginOrFetchSiteIsRefused() throws Exception {
        try (TestServer server = startWithControls()) {
            assertForbidden(post(server, PAGE, drain(token(server))),
                    "Control request not from the status page's own origin");
            assertEquals("ACTIVE", backend.getState());
        }
    }

    @Test
    void postWhoseFetchSiteIsNotSameOriginIsRefusedWhateverItsOrigin() throws Exception {
        try (TestServer server = startWithControls()) {
            String token = token(server);
            assertForbidden(post(server, PAGE, drain(token), "Sec-Fetch-Site", "cross-site"),
                    "Control request not from the status page's own origin");
            assertForbidden(post(server, PAGE, drain(token), "Sec-Fetch-Site", "same-site",
                    "Origin", "http://127.0.0.1:" + server.port()),
                    "Control request not from the status page's own origin");
            assertEquals("ACTIVE", backend.getState());
        }
    }

    @Test
    void postSaidSameOriginByFetchSiteAloneIsTaken() throws Exception {
        try (TestServer server = startWithControls()) {
            assertEquals(204, post(server, PAGE, drain(token(server)), "Sec-Fetch-Site", "same-origin").statusCode());
            assertEquals("DRAINING", backend.getState());
        }
    }

    @Test
    void tokenInTheQueryStringIsRefusedEvenWhenRight() throws Exception {
        try (TestServer server = startWithControls()) {
            String token = token(server);
            String origin = "http://127.0.0.1:" + server.port();
            assertForbidden(post(server, PAGE + "?token=" + token, "action=drain&target=" + encode(BACKEND_ID),
                    "Origin", origin), "Control token only accepted in the request body");
            assertForbidden(post(server, PAGE + "?tok%65n=" + token, drain(token), "Origin", origin),
                    "Control token only accepted in the request body");
            assertEquals("ACTIVE", backend.getState());
        }
    }

    @Test
    void everyPageLoadGetsItsOwnTokenAndEachOneWorks() throws Exception {
        try (TestServer server = startWithControls()) {
            String first = token(server);
            String second = token(server);
            assertNotEquals(first, second);
            assertEquals(204, post(server, drain(first)).statusCode());
            assertEquals(204, post(server, "action=enable&target=" + encode(BACKEND_ID) + "&token=" + second)
                    .statusCode());
            assertEquals("ACTIVE", backend.getState());
        }
    }

    @Test
    void tokenExpiresAfterItsLifetime() {
        TestClock clock = new TestClock();
        ControlTokens tokens = new ControlTokens(clock);
        String token = tokens.issue();
        clock.advance(ControlTokens.LIFETIME.minus(Duration.ofSeconds(1)));
        assertTrue(tokens.accepts(token));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(tokens.accepts(token));
    }

    @Test
    void oldestTokenIsPushedOutByNewerPages() {
        ControlTokens tokens = new ControlTokens(new TestClock());
        List<String> issued = new ArrayList<>();
        for (int i = 0; i <= ControlTokens.MAX_LIVE; i++) {
            issued.add(tokens.issue());
        }
        assertFalse(tokens.accepts(issued.get(0)));
        for (String live : issued.subList(1, issued.size())) {
            assertTrue(tokens.accepts(live));
        }
        assertFalse(tokens.accepts(""));
        assertFalse(tokens.accepts(null));
    }
}
