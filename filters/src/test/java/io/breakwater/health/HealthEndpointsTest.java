package io.breakwater.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.breakwater.core.health.Readiness;
import io.breakwater.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthEndpointsTest {
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(context -> {
            context.addServlet(new ServletHolder(new HealthServlet()), "/breakwater/health");
            ServletHolder ready = new ServletHolder(new ReadinessServlet());
            ready.setInitOrder(1);
            context.addServlet(ready, "/breakwater/ready");
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Readiness readiness() {
        return Readiness.of(server.context().getServletContext());
    }

    @Test
    void healthAnswers200UpAsJsonNeverCached() throws Exception {
        HttpResponse<String> health = server.get("/breakwater/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"UP\"}", health.body());
        assertEquals("application/json;charset=utf-8", health.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", health.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void readyAnswers200WithNoReasonsWhenEveryCheckPasses() throws Exception {
        readiness().register("always", Optional::empty);
        HttpResponse<String> ready = server.get("/breakwater/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("{\"status\":\"READY\",\"reasons\":[]}", ready.body());
        assertEquals("no-store", ready.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void readyAnswers503WithTheReasonOfEachFailingCheckInNameOrder() throws Exception {
        readiness().register("b-proxy", () -> Optional.of("proxy: no usable backend"));
        readiness().register("a-database", () -> Optional.of("database \"main\" down"));
        readiness().register("c-fine", Optional::empty);
        HttpResponse<String> ready = server.get("/breakwater/ready");
        assertEquals(503, ready.statusCode());
        assertEquals("{\"status\":\"NOT_READY\",\"reasons\":[\"database \\\"main\\\" down\","
                + "\"proxy: no usable backend\"]}", ready.body());
        assertEquals("application/json;charset=utf-8", ready.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void readyTurns503AsSoonAsDrainingStartsWhileHealthStays200() throws Exception {
        assertEquals(200, server.get("/breakwater/ready").statusCode());
        Readiness.drain(server.context().getServletContext());
        HttpResponse<String> ready = server.get("/breakwater/ready");
        assertEquals(503, ready.statusCode());
        assertEquals("{\"status\":\"NOT_READY\",\"reasons\":[\"draining\"]}", ready.body());
        assertEquals(200, server.get("/breakwater/health").statusCode());
    }

    @Test
    void aCheckThatRecoversMakesTheAppReadyAgain() throws Exception {
        AtomicReference<Optional<String>> state = new AtomicReference<>(Optional.of("warming up"));
        readiness().register("cache", state::get);
        assertEquals(503, server.get("/breakwater/ready").statusCode());
        state.set(Optional.empty());
        assertEquals(200, server.get("/breakwater/ready").statusCode());
        readiness().register("cache", () -> Optional.of("again"));
        readiness().unregister("cache");
        assertEquals(200, server.get("/breakwater/ready").statusCode());
    }
}
