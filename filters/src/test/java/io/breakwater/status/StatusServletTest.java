package io.breakwater.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.internal.AllowedAddresses;
import io.breakwater.core.journal.internal.StateJournal;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.core.status.internal.StatusSources;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.status.internal.StatusConfig;
import io.breakwater.testing.JsonText;
import io.breakwater.testing.TestServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

class StatusServletTest {
    static final String PAGE = "/breakwater/status";
    static final String BACKEND_ID = "proxy http://127.0.0.1:9";
    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    @Test
    void jsonCountsAgreeWithTheRegistry() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        TestBackend backend = new TestBackend("http://127.0.0.1:9");
        backend.counts(41, 3);
        try (TestServer server = start(registry, Map.of())) {
            register(server, backend);
            for (int i = 0; i < 7; i++) {
                assertEquals(200, server.get("/hello").statusCode());
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(500, server.get("/fail").statusCode());
            }

            Map<String, Object> status = awaitStatus(server, s -> count(route(s, "/hello"), "requests") == 7
                    && count(route(s, "/fail"), "responses5xx") == 3);
            Map<String, Object> hello = route(status, "/hello");
            Timer timer = registry.timer("route./hello.latency");
            assertEquals(timer.getCount(), count(hello, "requests"));
            Snapshot snapshot = timer.getSnapshot();
            assertEquals(snapshot.getMedian() / 1e6, ((Number) hello.get("p50Millis")).doubleValue(), 0.001);
            assertEquals(snapshot.get99thPercentile() / 1e6, ((Number) hello.get("p99Millis")).doubleValue(), 0.001);
            assertEquals(0L, count(hello, "responses5xx"));
            Map<String, Object> fail = route(status, "/fail");
            assertEquals(registry.meter("route./fail.responses.5xx").getCount(), count(fail, "responses5xx"));
            assertEquals(registry.timer("route./fail.latency").getCount(), count(fail, "requests"));
            assertNull(find(list(status, "routes"), "route", PAGE), "the page's own polling is not listed");

            Map<String, Object> shown = find(list(status, "backends"), "id", BACKEND_ID);
            assertEquals("http://127.0.0.1:9", shown.get("url"));
            assertEquals("healthy", shown.get("state"));
            assertEquals(41L, count(shown, "requests"));
            assertEquals(3L, count(shown, "failures"));

            Map<String, Object> breaker = find(list(status, "breakers"), "name", "/hello");
            assertEquals("CLOSED", breaker.get("state"));
            assertEquals("", breaker.get("probeAllowedAt"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonShowsTheProcessFromTheRegistrysProcessFigures() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        try (TestServer server = start(registry, Map.of())) {
            long collectionsBefore = collections();
            Map<String, Object> status = awaitStatus(server, s -> s.get("process") != null);
            long collectionsAfter = collections();
            Map<String, Object> process = (Map<String, Object>) status.get("process");
            assertTrue(((Number) process.get("uptimeSeconds")).doubleValue() > 0, process.toString());
            assertTrue(((Number) process.get("heapUsedBytes")).longValue() > 0, process.toString());
            assertEquals(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(),
                    ((Number) process.get("heapMaxBytes")).longValue());
            assertTrue(((Number) process.get("liveThreads")).longValue() >= 2, process.toString());
            assertTrue(((Number) process.get("cpuSeconds")).doubleValue() > 0, process.toString());
            long shown = ((Number) process.get("gcCollections")).longValue();
            assertTrue(collectionsBefore <= shown && shown <= collectionsAfter, process.toString());
            assertNull(process.get("openConnections"), "only a launcher that owns the connectors counts them");
            assertTrue(registry.getNames().contains("process.heap.used"), "the figures are the registry's");
        }
        assertTrue(registry.getNames().stream().noneMatch(name -> name.startsWith("process.")),
                "taken out of the app's own registry when the app stops: " + registry.getNames());
    }

    @Test
    void backendLatencyIsThePercentilesOfItsPublishedTimer() throws Exception {
        TestBackend backend = new TestBackend("http://127.0.0.1:9");
        try (TestServer server = start(new MetricRegistry(), Map.of())) {
            register(server, backend);
            Map<String, Object> before = find(list(awaitStatus(server, s -> true), "backends"), "id", BACKEND_ID);
            assertNull(before.get("p50Millis"), "no timer: no latency");
            Timer timer = new Timer();
            timer.update(3, TimeUnit.MILLISECONDS);
            timer.update(7, TimeUnit.MILLISECONDS);
            timer.update(40, TimeUnit.MILLISECONDS);
            backend.latency(timer);

            Map<String, Object> shown = find(list(awaitStatus(server, s -> true), "backends"), "id", BACKEND_ID);
            Snapshot snapshot = timer.getSnapshot();
            assertEquals(snapshot.getMedian() / 1e6, ((Number) shown.get("p50Millis")).doubleValue(), 0.001);
            assertEquals(snapshot.get99thPercentile() / 1e6, ((Number) shown.get("p99Millis")).doubleValue(), 0.001);
        }
    }

    @Test
    void pageIsSelfContainedAndItsScriptRunsUnderItsPolicy() throws Exception {
        try (TestServer server = start(new MetricRegistry(), Map.of())) {
            HttpResponse<String> page = server.get(PAGE);
            assertEquals(200, page.statusCode());
            assertEquals("text/html;charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
            assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
            String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
            Matcher nonce = Pattern.compile("script-src 'nonce-([A-Za-z0-9+/=]+)'").matcher(policy);
            assertTrue(nonce.find(), policy);
            assertTrue(policy.startsWith("default-src 'none';"), policy);
            assertTrue(page.body().contains("<script nonce=\"" + nonce.group(1) + "\">"));
            assertTrue(page.body().contains("<style nonce=\"" + nonce.group(1) + "\">"));
            assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(page.body()).find(),
                    "nothing loaded from elsewhere");
            assertTrue(page.body().contains("<meta name=\"breakwater-token\" content=\"\">"), "no token: read-only");
        }
    }

    @Test
    void clientOutsideAllowedAddressesIsRefusedPageJsonAndControls() throws Exception {
        Map<String, String> params = Map.of("statusAllowFrom", "10.0.0.0/8,::1", "statusControls", "true");
        try (TestServer server = start(new MetricRegistry(), params)) {
            for (HttpResponse<String> refused : List.of(server.get(PAGE), server.get(PAGE + "?format=json"),
                    post(server, "action=reset&target=/hello&token=x"))) {
                assertForbidden(refused, "Status page not allowed from this address");
            }
        }
    }

    @Test
    void postIsRefusedWhenControlsAreOff() throws Exception {
        TestBackend backend = new TestBackend("http://127.0.0.1:9");
        try (TestServer server = start(new MetricRegistry(), Map.of())) {
            register(server, backend);
            assertForbidden(post(server, "action=drain&target=" + encode(BACKEND_ID) + "&token="),
                    "Status controls are disabled");
            assertEquals("ACTIVE", backend.getState());
        }
    }

    @Test
    void postWithoutOrWithAWrongTokenIsRefused() throws Exception {
        TestBackend backend = new TestBackend("http://127.0.0.1:9");
        try (TestServer server = start(new MetricRegistry(), Map.of("statusControls", "true"))) {
            register(server, backend);
            String token = token(server);
            assertEquals(43, token.length());
            assertForbidden(post(server, "action=drain&target=" + encode(BACKEND_ID)),
                    "Missing or wrong control token");
            assertForbidden(post(server, "action=drain&target=" + encode(BACKEND_ID) + "&token=" + token + "x"),
                    "Missing or wrong control token");
            assertForbidden(post(server, "action=drain&target=" + encode(BACKEND_ID) + "&token="),
                    "Missing or wrong control token");
            assertEquals("ACTIVE", backend.getState());
        }
    }

    @Test
    void postWithThePageTokenResetsBreakerAndDrainsAndEnablesBackendAndJournalsIt() throws Exception {
        TestBackend backend = new TestBackend("http://127.0.0.1:9");
        try (TestServer server = start(new MetricRegistry(), Map.of("statusControls", "true"))) {
            register(server, backend);
            String token = token(server);
            assertEquals(200, server.get("/hello").statusCode());
            ObjectName breaker = Jmx.name("", "CircuitBreaker", "/hello");
            MBEANS.invoke(breaker, "forceOpen", new Object[0], new String[0]);
            assertEquals(503, server.get("/hello").statusCode());

            assertEquals(204, post(server, "action=reset&target=/hello&token=" + token).statusCode());
            assertEquals("CLOSED", MBEANS.getAttribute(breaker, "State"));
            assertEquals(200, server.get("/hello").statusCode());
            assertEquals(204, post(server, "action=drain&target=" + encode(BACKEND_ID) + "&token=" + token)
                    .statusCode());
            assertEquals("DRAINING", backend.getState());

            Map<String, Object> status = awaitStatus(server, s -> list(s, "changes").size() >= 3);
            List<Map<String, Object>> changes = list(status, "changes");
            assertEquals(List.of("backend http://127.0.0.1:9 healthy drained", "breaker /hello FORCED_OPEN CLOSED",
                    "breaker /hello CLOSED FORCED_OPEN"), changes.stream().map(c -> c.get("kind") + " "
                    + c.get("name") + " " + c.get("from") + " " + c.get("to")).toList());

            assertEquals(204, post(server, "action=enable&target=" + encode(BACKEND_ID) + "&token=" + token)
                    .statusCode());
            assertEquals("ACTIVE", backend.getState());
            HttpResponse<String> unknownTarget = post(server, "action=reset&target=/nothing&token=" + token);
            assertEquals(404, unknownTarget.statusCode());
            assertEquals("NOT_FOUND", JsonText.object(unknownTarget.body()).get("code"));
            HttpResponse<String> unknownAction = post(server, "action=remove&target=/hello&token=" + token);
            assertEquals(400, unknownAction.statusCode());
            assertEquals("BAD_REQUEST", JsonText.object(unknownAction.body()).get("code"));
        }
    }

    @Test
    void openBreakerShowsWhenItWillProbe() throws Exception {
        Map<String, String> params = Map.of();
        try (TestServer server = start(new MetricRegistry(), params)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(500, server.get("/fail").statusCode());
            }
            assertEquals(503, server.get("/fail").statusCode());
            Map<String, Object> breaker = find(list(awaitStatus(server, s -> true), "breakers"), "name", "/fail");
            assertEquals("OPEN", breaker.get("state"));
            assertEquals(100.0, ((Number) breaker.get("failureRate")).doubleValue());
            assertEquals(1L, count(breaker, "rejectedCalls"));
            long seconds = count(breaker, "probeInSeconds");
            assertTrue(seconds >= 1 && seconds <= 10, "probe within waitInOpen (10s): " + seconds);
            assertFalse(((String) breaker.get("probeAllowedAt")).isEmpty());
        }
    }

    @Test
    void samplerThreadStopsWithTheServlet() throws Exception {
        Thread sampler;
        try (TestServer server = start(new MetricRegistry(), Map.of())) {
            assertEquals(200, server.get(PAGE).statusCode());
            sampler = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().equals("breakwater-status-ROOT") && thread.isAlive())
                    .findFirst().orElseThrow();
        }
        sampler.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(sampler.isAlive(), "the sampler stopped in destroy()");
    }

    @Test
    void journalKeepsTheNewestChangesFirstWithinItsCapacity() {
        StateJournal journal = new StateJournal();
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < StateJournal.CAPACITY + 10; i++) {
            journal.record(start.plusSeconds(i), "breaker", "/r" + i, "CLOSED", "OPEN");
        }
        List<StateJournal.Change> recent = journal.recent();
        assertEquals(StateJournal.CAPACITY, recent.size());
        assertEquals("/r59", recent.get(0).name());
        assertEquals("/r10", recent.get(recent.size() - 1).name());
    }

    @Test
    void allowedAddressesReadLiteralsAndRangesOnly() {
        AllowedAddresses allowed = StatusConfig.ALLOW_FROM.parse("127.0.0.1, ::1, 10.0.0.0/8, 192.168.4.0/22");
        assertTrue(allowed.allows("127.0.0.1"));
        assertTrue(allowed.allows("[::1]"));
        assertTrue(allowed.allows("0:0:0:0:0:0:0:1"));
        assertTrue(allowed.allows("::ffff:127.0.0.1"));
        assertTrue(allowed.allows("10.200.3.4"));
        assertTrue(allowed.allows("192.168.7.255"));
        assertFalse(allowed.allows("192.168.8.0"));
        assertFalse(allowed.allows("127.0.0.2"));
        assertFalse(allowed.allows("localhost"));
        assertFalse(allowed.allows("999.0.0.1"));
        assertFalse(allowed.allows(null));
        assertFalse(StatusConfig.ALLOW_FROM.parse("").allows("127.0.0.1"));

        ConfigException host = assertThrows(ConfigException.class, () -> StatusConfig.ALLOW_FROM.parse("localhost"));
        assertEquals("statusAllowFrom must be a comma-separated list of IP addresses or CIDR ranges like 10.0.0.0/8,"
                + " but was \"localhost\"", host.getMessage());
        assertThrows(ConfigException.class, () -> StatusConfig.ALLOW_FROM.parse("256.0.0.1"));
        assertThrows(ConfigException.class, () -> StatusConfig.ALLOW_FROM.parse("fe80::1%eth0"));
        ConfigException prefix = assertThrows(ConfigException.class,
                () -> StatusConfig.ALLOW_FROM.parse("10.0.0.0/33"));
        assertEquals("statusAllowFrom must be a comma-separated list of IP addresses or CIDR ranges like 10.0.0.0/8,"
                + " but was \"10.0.0.0/33\"", prefix.getMessage());
        ConfigException controls = assertThrows(ConfigException.class, () -> StatusConfig.CONTROLS.parse("yes"));
        assertEquals("statusControls must be true or false, but was \"yes\"", controls.getMessage());
    }

    private static long collections() {
        long collections = 0;
        for (var collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += collector.getCollectionCount();
        }
        return collections;
    }

    static TestServer start(MetricRegistry registry, Map<String, String> params) throws Exception {
        return TestServer.start(context -> {
            context.setAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE, registry);
            EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
            context.addFilter(ExceptionHandlingFilter.class, "/*", dispatches);
            context.addFilter(CircuitBreakerFilter.class, "/*", dispatches);
            context.addFilter(MetricsFilter.class, "/*", dispatches);
            context.addServlet(new ServletHolder(new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    response.getWriter().write("hello");
                }
            }), "/hello");
            context.addServlet(new ServletHolder(new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                    response.setStatus(500);
                }
            }), "/fail");
            ServletHolder status = new ServletHolder(StatusServlet.class);
            params.forEach(status::setInitParameter);
            context.addServlet(status, PAGE);
        });
    }

    /** Publishes the backend in the server's web app, as a proxy there would. */
    static void register(TestServer server, TestBackend backend) {
        StatusSources.of(server.context().getServletContext()).publish("proxy", backend);
    }

    private static Map<String, Object> awaitStatus(TestServer server, Predicate<Map<String, Object>> done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            HttpResponse<String> response = server.get(PAGE + "?format=json");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json;charset=utf-8",
                    response.headers().firstValue("Content-Type").orElseThrow());
            Map<String, Object> status = JsonText.object(response.body());
            if (done.test(status)) {
                return status;
            }
            assertTrue(System.nanoTime() < deadline, "status did not come to the expected figures: " + status);
            Thread.onSpinWait();
        }
    }

    static String token(TestServer server) throws Exception {
        Matcher token = Pattern.compile("<meta name=\"breakwater-token\" content=\"([^\"]*)\">")
                .matcher(server.get(PAGE).body());
        assertTrue(token.find());
        return token.group(1);
    }

    /** A control POST as the page's own script sends it: from the page's origin, the form in the body. */
    static HttpResponse<String> post(TestServer server, String form) throws Exception {
        return post(server, PAGE, form, "Origin", "http://127.0.0.1:" + server.port());
    }

    /** A POST of {@code form} to {@code pathAndQuery} with the given header names and values, and no others. */
    static HttpResponse<String> post(TestServer server, String pathAndQuery, String form, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(pathAndQuery)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return server.send(request.build());
    }

    static void assertForbidden(HttpResponse<String> response, String error) {
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> body = JsonText.object(response.body());
        assertEquals("FORBIDDEN", body.get("code"));
        assertEquals(error, body.get("error"));
        assertEquals(403L, body.get("status"));
        assertEquals("Forbidden", body.get("title"));
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> status, String name) {
        return (List<Map<String, Object>>) status.get(name);
    }

    private static Map<String, Object> route(Map<String, Object> status, String route) {
        Map<String, Object> found = find(list(status, "routes"), "route", route);
        return found == null ? Map.of("requests", -1L, "responses5xx", -1L) : found;
    }

    private static Map<String, Object> find(List<Map<String, Object>> items, String key, String value) {
        return items.stream().filter(item -> value.equals(item.get(key))).findFirst().orElse(null);
    }

    private static long count(Map<String, Object> item, String name) {
        Object value = item.get(name);
        assertNotNull(value, name + " in " + item);
        return ((Number) value).longValue();
    }
}
