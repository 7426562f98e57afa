package io.breakwater.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.health.Readiness;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainFilterTest {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private TestServer server;

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    private void start(String shutdownGrace) throws Exception {
        server = TestServer.start(context -> {
            FilterHolder drain = new FilterHolder(new DrainFilter());
            if (shutdownGrace != null) {
                drain.setInitParameter("shutdownGrace", shutdownGrace);
            }
            context.addFilter(drain, "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    entered.countDown();
                    awaitRelease();
                    response.getWriter().write("done");
                }
            }), "/held");
            ServletHolder async = new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                    AsyncContext cycle = request.startAsync();
                    cycle.setTimeout(0);
                    entered.countDown();
                    cycle.start(() -> {
                        awaitRelease();
                        try {
                            cycle.getResponse().getWriter().write("done async");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        cycle.complete();
                    });
                }
            });
            async.setAsyncSupported(true);
            context.addServlet(async, "/held-async");
        });
    }

    private void awaitRelease() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CompletableFuture<HttpResponse<String>> send(String path) {
        return server.client().sendAsync(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<Void> stopInBackground() {
        return CompletableFuture.runAsync(() -> {
            try {
                server.context().stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private boolean draining() {
        return Boolean.TRUE.equals(server.context().getServletContext().getAttribute(Readiness.DRAINING_ATTRIBUTE));
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(10), condition);
    }

    @Test
    void stoppingAppWaitsForTheRequestInFlightAndItCompletes() throws Exception {
        start(null);
        CompletableFuture<HttpResponse<String>> held = send("/held");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stopped = stopInBackground();
        await("the app drains", this::draining);
        assertFalse(stopped.isDone(), "the stop waits for the request in flight");
        release.countDown();
        HttpResponse<String> answer = held.get(10, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode());
        assertEquals("done", answer.body());
        stopped.get(10, TimeUnit.SECONDS);
    }

    @Test
    void stoppingAppWaitsForAnAsyncRequestUntilItsCycleCompletes() throws Exception {
        start(null);
        CompletableFuture<HttpResponse<String>> held = send("/held-async");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stopped = stopInBackground();
        await("the app drains", this::draining);
        assertFalse(stopped.isDone(), "the stop waits for the async request in flight");
        release.countDown();
        HttpResponse<String> answer = held.get(10, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode());
        assertEquals("done async", answer.body());
        stopped.get(10, TimeUnit.SECONDS);
    }

    @Test
    void stopGoesOnWhenTheShutdownGraceEnds() throws Exception {
        start("200ms");
        send("/held");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        stopInBackground().get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "waited the grace");
        assertEquals(1, release.getCount(), "the request was still held when the stop went on");
    }

    @Test
    void anAppAlreadyDrainedByItsLauncherIsNotHeldAgain() throws Exception {
        start(null);
        send("/held");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        Readiness.drain(server.context().getServletContext());
        stopInBackground().get(10, TimeUnit.SECONDS);
        assertEquals(1, release.getCount(), "the request was still held when the stop went on");
    }

    @Test
    void aPartThatStopsBeforeTheFilterDrainsThroughItAndTheFilterThenHoldsNoMore() throws Exception {
        start(null);
        CompletableFuture<HttpResponse<String>> held = send("/held");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> drained =
                CompletableFuture.runAsync(() -> DrainFilter.drain(server.context().getServletContext()));
        await("the app drains", this::draining);
        assertFalse(drained.isDone(), "the drain waits for the request in flight");
        release.countDown();
        assertEquals("done", held.get(10, TimeUnit.SECONDS).body());
        drained.get(10, TimeUnit.SECONDS);
        stopInBackground().get(10, TimeUnit.SECONDS);
    }

    @Test
    void drainingAnAppWithoutTheFilterReturnsAtOnceAndMarksNothing() throws Exception {
        server = TestServer.start(context -> { });
        DrainFilter.drain(server.context().getServletContext());
        assertFalse(draining());
    }

    @Test
    void shutdownGraceOffDoesNotWait() throws Exception {
        start("off");
        send("/held");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        stopInBackground().get(10, TimeUnit.SECONDS);
        assertEquals(1, release.getCount(), "the request was still held when the stop went on");
    }
}
