package io.breakwater.exception;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.metrics.BreakwaterMetrics;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExceptionHandlingFilterTest {
    /** An app's own exception, mapped by configuration. */
    public static class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private final CountDownLatch readStarted = new CountDownLatch(1);
    private final CountDownLatch readFailed = new CountDownLatch(1);
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(context -> {
            FilterHolder filter = new FilterHolder(ExceptionHandlingFilter.class);
            filter.setInitParameter("exceptionMappings", NotFound.class.getName() + "=404:NOT_FOUND");
            filter.setAsyncSupported(true);
            context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                    throw new NotFound();
                }
            }), "/missing");
            ServletHolder async = new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                    AsyncContext ctx = req.startAsync();
                    ctx.start(() -> ctx.dispatch("/throws"));
                }
            });
            async.setAsyncSupported(true);
            context.addServlet(async, "/async");
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException {
                    throw new ServletException("async dispatch failed");
                }
            }), "/throws");
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                    readStarted.countDown();
                    try {
                        req.getInputStream().readAllBytes();
                    } catch (IOException e) {
                        readFailed.countDown();
                        throw e;
                    }
                }
            }), "/upload");
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void appMappingAnswersItsStatusAndCode() throws Exception {
        HttpResponse<String> response = server.get("/missing");

        assertEquals(404, response.statusCode());
        assertTrue(response.body().contains("\"code\":\"NOT_FOUND\",\"requestId\""), response.body());
        assertTrue(response.body().contains("\"error\":\"Not found\""), response.body());
    }

    @Test
    void asyncDispatchThatThrowsIsAnsweredLikeASyncFailure() throws Exception {
        HttpResponse<String> response = server.get("/async");

        assertEquals(500, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(response.body().contains("\"code\":\"INTERNAL_ERROR\""), response.body());
        assertTrue(response.body().contains("\"instance\":\"/async\""), response.body());
    }

    @Test
    void clientThatWentAwayIsCountedApartNotAnsweredAsAnError() throws Exception {
        MetricRegistry registry = (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertTrue(readStarted.await(10, TimeUnit.SECONDS));
        }
        assertTrue(readFailed.await(10, TimeUnit.SECONDS));
        Await.until("the client abort is counted", Duration.ofSeconds(10),
                () -> registry.counter("filter.exceptionHandling.clientAborts").getCount() > 0);
        assertEquals(1, registry.counter("filter.exceptionHandling.clientAborts").getCount());
        assertEquals(0, registry.getCounters((name, metric) -> name.startsWith("filter.exceptionHandling.exceptions."))
                .size());
    }
}
