package io.breakwater.exception;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.error.ProblemErrorServlet;
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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExceptionHandlingFilterTest {
    /** An app's own exception, mapped by configuration. */
    public static class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static final Pattern BODY_ID = Pattern.compile("\"requestId\":\"([^\"]+)\"");

    /** The request id each first dispatch saw, as downstream code reads it. */
    private final BlockingQueue<String> idsSeen = new LinkedBlockingQueue<>();
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
            context.addServlet(route((req, resp) -> {
                throw new NotFound();
            }), "/missing");
            context.addServlet(route((req, resp) -> {
                AsyncContext ctx = req.startAsync();
                ctx.start(() -> ctx.dispatch("/throws"));
            }), "/async");
            context.addServlet(route((req, resp) -> {
                throw new ServletException("async dispatch failed");
            }), "/throws");
            context.addServlet(route((req, resp) -> {
                resp.setContentType("text/plain");
                resp.getWriter().write(String.valueOf(req.getAttribute(RequestIds.ATTRIBUTE)));
            }), "/echo-id");
            context.addServlet(route((req, resp) -> {
                idsSeen.add(String.valueOf(req.getAttribute(RequestIds.ATTRIBUTE)));
                AsyncContext ctx = req.startAsync();
                ctx.start(() -> ctx.dispatch("/throws"));
            }), "/async-after-id");
            context.addServlet(route((req, resp) -> {
                idsSeen.add(String.valueOf(req.getAttribute(RequestIds.ATTRIBUTE)));
                resp.sendError(503);
            }), "/send-error");
            context.addServlet(route((req, resp) -> {
                if (req.getDispatcherType() == DispatcherType.REQUEST) {
                    req.setAttribute("firstResponse", resp);
                    req.startAsync(req, resp).dispatch();
                    return;
                }
                resp.setContentType("text/plain");
                resp.getWriter().write(req.getAttribute("firstResponse") == resp ? "same" : "rewrapped");
            }), "/async-own-response");
            context.addServlet(ProblemErrorServlet.class, "/breakwater/error");
            ErrorPageErrorHandler errorPages = new ErrorPageErrorHandler();
            errorPages.addErrorPage(ErrorPageErrorHandler.GLOBAL_ERROR_PAGE, "/breakwater/error");
            context.setErrorHandler(errorPages);
            context.addServlet(route((req, resp) -> {
                readStarted.countDown();
                try {
                    req.getInputStream().readAllBytes();
                } catch (IOException e) {
                    readFailed.countDown();
                    throw e;
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
    void asyncDispatchOfTheChainsOwnResponseReusesItsClientConnection() throws Exception {
        HttpResponse<String> response = server.get("/async-own-response");

        assertEquals(200, response.statusCode());
        assertEquals("same", response.body());
    }

    @Test
    void downstreamCodeSeesTheIdOfTheAnswer() throws Exception {
        HttpResponse<String> minted = server.get("/echo-id");
        String id = minted.headers().firstValue(RequestIds.HEADER).orElseThrow();
        assertTrue(RequestIds.isSafe(id), id);
        assertEquals(id, minted.body());

        HttpResponse<String> kept = server.send(HttpRequest.newBuilder(server.uri("/echo-id"))
                .header(RequestIds.HEADER, "order-7.retry_1").build());
        assertEquals("order-7.retry_1", kept.headers().firstValue(RequestIds.HEADER).orElseThrow());
        assertEquals("order-7.retry_1", kept.body());
    }

    /** An async dispatch (500 from the filter) and an error page (503) answer with the first dispatch's id. */
    @ParameterizedTest
    @CsvSource({"/async-after-id, 500", "/send-error, 503"})
    void aLaterDispatchAnswersWithTheIdOfTheFirstDispatch(String path, int status) throws Exception {
        HttpResponse<String> response = server.get(path);

        assertEquals(status, response.statusCode());
        String first = idsSeen.poll(10, TimeUnit.SECONDS);
        assertTrue(RequestIds.isSafe(first), "the first dispatch saw an id: " + first);
        assertEquals(first, response.headers().firstValue(RequestIds.HEADER).orElseThrow());
        assertEquals(first, bodyId(response.body()));
    }

    private static String bodyId(String body) {
        Matcher id = BODY_ID.matcher(body);
        assertTrue(id.find(), "no requestId in " + body);
        return id.group(1);
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

    /** What a test route does with a request, whatever its method. */
    @FunctionalInterface
    private interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
    }

    private static ServletHolder route(Handler handler) {
        ServletHolder holder = new ServletHolder(new Route(handler));
        holder.setAsyncSupported(true);
        return holder;
    }

    private static final class Route extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient Handler handler;

        Route(Handler handler) {
            this.handler = handler;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response)
                throws IOException, ServletException {
            handler.handle(request, response);
        }
    }
}
