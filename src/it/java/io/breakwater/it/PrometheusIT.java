package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's metrics as Prometheus' own tools read them: {@code promtool check metrics} finds nothing to say
 * after traffic on every kind of route, breaker and backend, and a real Prometheus server on loopback scrapes the
 * sample and answers queries by route and by backend.
 */
class PrometheusIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void promtoolFindsNothingToSayAfterTrafficOnEveryKindOfRouteBreakerAndBackend() throws Exception {
        try (SampleWar sample = SampleWar.deploy()) {
            String dead = traffic(sample);

            String text = scrape(sample);
            Promtool.assertSaysNothing(text);

            assertTrue(text.contains("# TYPE breakwater_route_responses_total counter\n"), text);
            assertTrue(text.contains("breakwater_route_responses_total{class=\"5xx\",route=\"/demo/fail\"} 12.0\n"),
                    text);
            assertTrue(text.contains("breakwater_route_latency_seconds_count{route=\"/orders/{id}\"} 3\n"), text);
            assertTrue(text.contains("breakwater_route_latency_seconds_count{route=\"/static/*\"} 1\n"), text);
            assertTrue(Pattern.compile("\nbreakwater_route_concurrency_limit\\{route=\"/demo/hello\"} [1-9]")
                    .matcher(text).find(), text);
            assertTrue(text.contains("# TYPE breakwater_route_concurrency_in_flight gauge\n"), text);
            assertTrue(text.contains("breakwater_circuit_state{breaker=\"/demo/fail\",state=\"open\"} 1.0\n"), text);
            assertTrue(text.contains("breakwater_circuit_state{breaker=\"/demo/fail\",state=\"closed\"} 0.0\n"), text);
            assertTrue(Pattern.compile("\nbreakwater_proxy_backend_failures_total\\{backend=\"" + Pattern.quote(dead)
                    + "\",proxy=\"proxy\"} [1-9]").matcher(text).find(), text);
        }
    }

    @Test
    void theSampleJarsProcessFiguresPassPromtoolInBaseUnits() throws Exception {
        try (SampleProcess sample = SampleProcess.start()) {
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    sample.uri("/breakwater/metrics?format=prometheus")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            String text = scrape.body();
            Promtool.assertSaysNothing(text);
            for (String family : List.of("breakwater_process_uptime_seconds gauge",
                    "breakwater_process_cpu_seconds_total counter", "breakwater_process_cpu_usage_ratio gauge",
                    "breakwater_process_heap_used_bytes gauge", "breakwater_process_heap_max_bytes gauge",
                    "breakwater_process_gc_collections_total counter",
                    "breakwater_process_gc_time_seconds_total counter", "breakwater_process_live_threads gauge",
                    "breakwater_process_open_connections gauge")) {
                assertTrue(text.contains("# TYPE " + family + "\n"), family + " in\n" + text);
            }
            // this scrape's own connection at least
            assertTrue(Pattern.compile("\nbreakwater_process_open_connections [1-9][0-9]*\\.0\n").matcher(text)
                    .find(), text);
        }
    }

    @Test
    void aPrometheusServerScrapesTheSampleAndAnswersByRouteAndByBackend(@TempDir Path dir) throws Exception {
        try (SampleWar sample = SampleWar.deploy()) {
            String dead = traffic(sample);
            int port = SampleCommandLineIT.freePort();
            Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                    "global:",
                    "  scrape_interval: 1s",
                    "scrape_configs:",
                    "  - job_name: sample",
                    "    metrics_path: /breakwater/metrics",
                    "    static_configs:",
                    "      - targets: ['127.0.0.1:" + sample.port() + "']",
                    ""));
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String byRoute = "sum by (route) (rate(breakwater_route_responses_total[1m]))";
                String answer = awaitQuery(sample, port, byRoute, body -> body.contains("\"route\":\"/demo/hello\"")
                        && body.contains("\"route\":\"/orders/{id}\"") && positive(body, "/demo/hello"));
                assertTrue(answer.contains("\"resultType\":\"vector\""), answer);

                String failures = "sum by (backend) (breakwater_proxy_backend_failures_total{backend=\"" + dead
                        + "\"})";
                String byBackend = awaitQuery(sample, port, failures,
                        body -> body.contains("\"backend\":\"" + dead + "\""));
                Matcher value = Pattern.compile("\"value\":\\[[0-9.]+,\"([0-9.]+)\"\\]").matcher(byBackend);
                assertTrue(value.find(), byBackend);
                assertTrue(Double.parseDouble(value.group(1)) >= 1, byBackend);
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /**
     * Every kind of route, breaker and backend: a servlet's, a template's, the proxy's; open and closed; dead.
     * Returns the dead backend's {@code host:port}.
     */
    private static String traffic(SampleWar sample) throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, sample.get("/demo/hello").statusCode());
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(500, sample.get("/demo/fail").statusCode());
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(503, sample.get("/demo/fail").statusCode());
        }
        assertEquals(200, sample.get("/demo/slow?ms=5").statusCode());
        sample.get("/demo/flaky?failRate=0.5");
        // the proxied routes: a template's and the proxy's own mapping; every answer counts, whichever it is
        for (int id = 1; id <= 3; id++) {
            answered(sample.get("/orders/" + id));
        }
        answered(sample.get("/static/site.css"));
        answered(sample.get("/anything/else"));
        // The dead backend's failure, made sure of: a random pick racing its failing health checks (three in a row
        // take it out of the pool, and no try reaches it after) lost whenever a busy host slowed the traffic. So a
        // try is held in it first (its checks still pass), and dies with it: its connection closes under it.
        ItBackend doomed = sample.backend(2);
        String dead = hostPort(doomed.url());
        int arrived = doomed.requests();
        doomed.holdRequests();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        SampleProcess.await("a try held in the backend about to die", DEADLINE, () -> {
            if (doomed.requests() > arrived) {
                return Boolean.TRUE;
            }
            // one at a time, each to the less busy of two random backends: a held try makes its backend busier
            if (sent.isEmpty() || sent.get(sent.size() - 1).isDone()) {
                // a POST is neither hedged nor tried again elsewhere: the held try stays the request's only one
                sent.add(sample.client().sendAsync(HttpRequest.newBuilder(sample.uri("/other"))
                        .POST(HttpRequest.BodyPublishers.ofString("held")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            return null;
        });
        doomed.close();
        for (CompletableFuture<HttpResponse<String>> response : sent) {
            answered(response.get(60, TimeUnit.SECONDS));
        }
        Pattern failures = Pattern.compile("\"proxy\\.proxy\\.backend\\." + Pattern.quote(dead)
                + "\\.failures\":\\{\"value\":([0-9]+)");
        SampleProcess.await("a failure of the dead backend", DEADLINE, () -> {
            try {
                Matcher counted = failures.matcher(sample.get("/breakwater/metrics").body());
                return counted.find() && Long.parseLong(counted.group(1)) > 0 ? Boolean.TRUE : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return dead;
    }

    /** An answer of the proxy: the backend's, or the error contract's when a loaded host's checks failed it. */
    private static void answered(HttpResponse<String> response) {
        assertTrue(response.statusCode() == 200 || response.body().contains("\"code\":\""), response.body());
    }

    private static String scrape(SampleWar sample) throws Exception {
        HttpResponse<String> metrics = sample.send(HttpRequest.newBuilder(sample.uri("/breakwater/metrics"))
                .header("Accept", "text/plain;version=0.0.4").build());
        assertEquals(200, metrics.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type")
                .orElseThrow());
        return metrics.body();
    }

    /** Asks Prometheus' HTTP API until the answer satisfies {@code done}, sending traffic for the rates between. */
    private static String awaitQuery(SampleWar sample, int port, String query,
            java.util.function.Predicate<String> done) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        long end = System.nanoTime() + DEADLINE.toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            sample.get("/demo/hello");
            sample.get("/orders/9");
            try {
                HttpResponse<String> answer = sample.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(10)).build());
                last = answer.body();
                if (answer.statusCode() == 200 && done.test(last)) {
                    return last;
                }
            } catch (IOException notYetListening) {
                last = notYetListening.toString();
            }
            TimeUnit.MILLISECONDS.sleep(250); // polling interval: Prometheus scrapes each second
        }
        throw new AssertionError("no answer to " + query + " within " + DEADLINE + "; last: " + last);
    }

    private static boolean positive(String body, String route) {
        Matcher value = Pattern.compile("\"route\":\"" + Pattern.quote(route)
                + "\"\\},\"value\":\\[[0-9.]+,\"([0-9.e+-]+)\"\\]").matcher(body);
        return value.find() && Double.parseDouble(value.group(1)) > 0;
    }

    private static String hostPort(String url) {
        return url.substring(url.indexOf("://") + 3);
    }
}
