package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.testing.JsonText;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import org.junit.jupiter.api.Test;

/** The sample's status page in a real headless Chromium: live, without reloading, and without a console error. */
class StatusPageIT {
    private static final int WIDTH = 1280;
    /** The sample's health check interval (web.xml); a dead backend is down after one failed check. */
    private static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** How often the page fetches its JSON. */
    private static final Duration PAGE_POLL = Duration.ofSeconds(1);
    /** What a loaded CI machine may add to one check and one poll. */
    private static final Duration SLACK = Duration.ofSeconds(6);
    private static final String BACKEND_ROWS = "document.querySelectorAll('#backends tbody tr')";

    @Test
    void showsThreeHealthyBackendsThenTheKilledOneEjectedWithoutReloadingAndDrainsOneByItsButton() throws Exception {
        Path target = Path.of("target");
        ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
        try (SampleWar sample = SampleWar.deploy(Map.of("breakwater.statusControls", "true"));
                HeadlessChromium chromium = HeadlessChromium.start(WIDTH, 900, target.resolve("chromium.log"))) {
            // the sample's breakers open after 10 calls that all failed
            for (int i = 0; i < 10; i++) {
                assertEquals(500, sample.get("/demo/fail").statusCode());
            }
            assertEquals(503, sample.get("/demo/fail").statusCode());
            AtomicLong tick = new AtomicLong();
            traffic.scheduleAtFixedRate(() -> request(sample, tick.getAndIncrement()), 0, 50, TimeUnit.MILLISECONDS);
            DevToolsSession tab = chromium.firstTab();
            tab.navigate(sample.uri("/breakwater/status").toString());

            assertEquals(Boolean.TRUE, tab.await(BACKEND_ROWS + ".length === 3 && [..." + BACKEND_ROWS
                    + "].every(row => row.dataset.state === 'healthy')", Duration.ofSeconds(15)), states(tab));
            assertEquals(Set.of(sample.backend(0).url(), sample.backend(1).url(), sample.backend(2).url()),
                    Set.copyOf((List<?>) tab.evaluate("[..." + BACKEND_ROWS + "].map(row => row.dataset.url)")));
            assertEquals("3 of 3 healthy", tab.evaluate("document.getElementById('backends-summary').textContent"));
            tab.evaluate("window.breakwaterMarker = 'the same page'");

            String killed = sample.backend(0).url();
            long killedAt = System.nanoTime();
            sample.backend(0).close();
            Duration patience = HEALTH_CHECK_INTERVAL.plus(PAGE_POLL).plus(SLACK);
            Object ejected = tab.await("document.querySelector('#backends tr[data-url=\"" + killed
                    + "\"]').dataset.state === 'ejected'", patience);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertEquals(Boolean.TRUE, ejected, "the killed backend ejected within " + patience + ": " + states(tab));
            System.out.println("status page showed the killed backend ejected after " + millis + " ms");
            assertEquals("the same page", tab.evaluate("window.breakwaterMarker"), "the page was not reloaded");
            assertEquals("2 of 3 healthy", tab.evaluate("document.getElementById('backends-summary').textContent"));
            assertEquals("ejected", tab.evaluate("document.querySelector('#backends tr[data-url=\"" + killed
                    + "\"] .state').textContent"));

            String hostPort = killed.substring("http://".length());
            assertEquals(Boolean.TRUE, tab.await("[...document.querySelectorAll('#changes li')].some(li =>"
                    + " li.textContent.includes('" + hostPort + "') && li.textContent.endsWith('ejected'))",
                    Duration.ofSeconds(5)), "recent changes list the ejection");
            assertEquals("open", tab.evaluate("document.querySelector('#breakers tr[data-key=\"/demo/fail\"] .state')"
                    + ".textContent"));
            String drained = sample.backend(1).url();
            String row = "document.querySelector('#backends tr[data-url=\"" + drained + "\"]')";
            tab.evaluate(row + ".querySelector('button[data-action=drain]').click()");
            assertEquals(Boolean.TRUE, tab.await("['draining', 'drained'].includes(" + row + ".dataset.state)"
                    + " && " + row + ".querySelector('button[data-action=enable]').hidden === false",
                    Duration.ofSeconds(5)), "the Drain button drained the backend: " + states(tab));
            assertEquals("1 of 3 healthy", tab.evaluate("document.getElementById('backends-summary').textContent"));

            Path screenshot = target.resolve("status-page.png");
            tab.screenshot(screenshot, WIDTH);
            assertTrue(Files.size(screenshot) > 10_000, "a screenshot at " + screenshot.toAbsolutePath());
            assertEquals(List.of(), tab.errors(), "console errors and uncaught exceptions");
            tab.close();
        } finally {
            traffic.shutdownNow();
        }
    }

    @Test
    void showsTheProcessPanelOfTheSampleJarWithItsOpenConnections() throws Exception {
        Path target = Path.of("target");
        try (SampleProcess sample = SampleProcess.start("--jmx-port", "off");
                HeadlessChromium chromium = HeadlessChromium.start(WIDTH, 900, target.resolve("chromium-process.log"))) {
            DevToolsSession tab = chromium.firstTab();
            tab.navigate(sample.uri("/breakwater/status").toString());
            assertEquals(Boolean.TRUE, tab.await("document.getElementById('process-threads').textContent !== '–'",
                    Duration.ofSeconds(15)), "the panel filled in");

            Map<String, Object> process = processJson(sample);
            assertTrue(text(tab, "process-uptime").matches("\\d+ s|\\d+ min \\d+ s"), text(tab, "process-uptime"));
            assertTrue(text(tab, "process-cpu").matches("\\d+(\\.\\d)? % \\d+\\.\\d s in all"),
                    text(tab, "process-cpu"));
            long heapMax = ((Number) process.get("heapMaxBytes")).longValue();
            assertTrue(text(tab, "process-heap").matches("\\d+(\\.\\d)? (KB|MB|GB) of " + bytes(heapMax)),
                    text(tab, "process-heap") + " with a maximum of " + heapMax + " bytes");
            assertTrue(text(tab, "process-gc").matches("[\\d,]+ runs \\d+\\.\\d\\d s"), text(tab, "process-gc"));
            assertTrue(Integer.parseInt(text(tab, "process-threads").replace(",", "")) >= 10,
                    "the sample runs Jetty's threads and Breakwater's: " + text(tab, "process-threads"));
            assertEquals(Boolean.FALSE, tab.evaluate("document.getElementById('process-connections-tile').hidden"));
            // Chromium's own connection at least, and never one the JSON does not count
            int shown = Integer.parseInt(text(tab, "process-connections"));
            assertTrue(shown >= 1, "open connections " + shown);

            Path screenshot = target.resolve("status-page-process.png");
            tab.screenshot(screenshot, WIDTH);
            assertTrue(Files.size(screenshot) > 10_000, "a screenshot at " + screenshot.toAbsolutePath());
            assertEquals(List.of(), tab.errors(), "console errors and uncaught exceptions");
            tab.close();
        }
    }

    private static String text(DevToolsSession tab, String id) throws Exception {
        return (String) tab.evaluate("document.getElementById('" + id + "').textContent");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> processJson(SampleProcess sample) throws Exception {
        HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(sample.uri("/breakwater/status?format=json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return (Map<String, Object>) JsonText.object(response.body()).get("process");
    }

    /** The page's way of writing bytes: binary units, one decimal under 10. */
    private static String bytes(double value) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (value < 10 && unit > 0 ? String.format(java.util.Locale.ROOT, "%.1f", value)
                : String.valueOf(Math.round(value))) + " " + units[unit];
    }

    @Test
    void sampleJsonCountsAgreeWithTheRegistryPublishedOverJmx() throws Exception {
        try (SampleWar sample = SampleWar.deploy()) {
            for (int i = 0; i < 15; i++) {
                assertEquals(200, sample.get("/demo/hello").statusCode());
            }
            for (int i = 0; i < 9; i++) {
                assertEquals(200, sample.get("/orders/" + i).statusCode());
            }
            Map<String, Object> status = awaitJson(sample, "/demo/hello", 15);
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            Map<String, Object> hello = item(status, "routes", "route", "/demo/hello");
            assertEquals(jmx.getAttribute(Jmx.name("", "route", "route./demo/hello.latency"), "Count"),
                    hello.get("requests"));
            assertEquals(jmx.getAttribute(Jmx.name("", "route", "route./demo/hello.responses.5xx"), "Count"),
                    hello.get("responses5xx"));
            // the registry's JMX view gives timers in milliseconds, as the JSON does
            Object p99 = jmx.getAttribute(Jmx.name("", "route", "route./demo/hello.latency"), "99thPercentile");
            assertEquals((Double) p99, ((Number) hello.get("p99Millis")).doubleValue(), 0.001);
            long proxied = 0;
            for (int i = 0; i < 3; i++) {
                String hostPort = sample.backend(i).url().substring("http://".length());
                Map<String, Object> backend = item(status, "backends", "url", sample.backend(i).url());
                assertEquals(jmx.getAttribute(Jmx.name("", "proxy", "proxy.proxy.backend." + hostPort + ".requests"),
                        "Value"), backend.get("requests"));
                proxied += (Long) backend.get("requests");
            }
            assertEquals(9, proxied);
        }
    }

    private static Map<String, Object> awaitJson(SampleWar sample, String route, long requests) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            HttpResponse<String> response = sample.get("/breakwater/status?format=json");
            assertEquals(200, response.statusCode(), response.body());
            Map<String, Object> status = JsonText.object(response.body());
            Map<String, Object> found = item(status, "routes", "route", route);
            if (found != null && Long.valueOf(requests).equals(found.get("requests"))) {
                return status;
            }
            assertTrue(System.nanoTime() < deadline, "the JSON came to " + requests + " requests: " + status);
            Thread.onSpinWait();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> item(Map<String, Object> status, String list, String key, String value) {
        for (Object item : (List<Object>) status.get(list)) {
            if (value.equals(((Map<String, Object>) item).get(key))) {
                return (Map<String, Object>) item;
            }
        }
        return null;
    }

    /** A steady trickle through the proxy and the demo routes, so that the page has rates and sparklines. */
    private static void request(SampleWar sample, long tick) {
        String path = switch ((int) (tick % 4)) {
            case 0, 2 -> "/items/" + tick;
            case 1 -> "/demo/hello";
            default -> "/demo/slow?ms=" + (20 + tick % 30);
        };
        sample.client().sendAsync(HttpRequest.newBuilder(sample.uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private static String states(DevToolsSession tab) throws Exception {
        return "backends " + tab.evaluate("[..." + BACKEND_ROWS + "].map(row => row.dataset.url + ' '"
                + " + row.dataset.state)");
    }
}
