package io.breakwater.circuit;

import io.breakwater.testing.TestClock;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A route whose behaviour the test scripts: the status it answers, how far it moves the test clock while it
 * works (a slow call without sleeping), a gate it waits at; it counts the calls that reached it. Thread-safe.
 */
final class RouteServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger status = new AtomicInteger(200);
    private final transient TestClock clock;
    private transient volatile Duration work = Duration.ZERO;
    private transient volatile CountDownLatch gate = new CountDownLatch(0);

    RouteServlet(TestClock clock) {
        this.clock = clock;
    }

    RouteServlet answering(int answer) {
        status.set(answer);
        return this;
    }

    /** Each call takes this long on the test clock. */
    void taking(Duration duration) {
        work = duration;
    }

    /** Calls wait until the returned latch is opened. */
    CountDownLatch gated() {
        CountDownLatch latch = new CountDownLatch(1);
        gate = latch;
        return latch;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        calls.incrementAndGet();
        try {
            if (!gate.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        clock.advance(work);
        response.setStatus(status.get());
        response.setContentType("text/plain");
        response.getWriter().write("answered " + status.get());
    }
}
