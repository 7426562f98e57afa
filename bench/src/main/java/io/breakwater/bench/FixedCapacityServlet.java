package io.breakwater.bench;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The app of the overload scenario: a fixed capacity, {@code bench.capacity} requests at once (default 16), each
 * doing {@code bench.workMs} of work (default 20 ms, waited rather than spun, as an app waits on its database, so
 * that the load generator's cores are not the limit); about 800 requests a second. Requests beyond the capacity wait
 * for it in arrival order, as they would for a connection pool. Thread-safe.
 */
public class FixedCapacityServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final int CAPACITY = Integer.getInteger("bench.capacity", 16);
    static final long WORK_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("bench.workMs", 20));

    private final transient Semaphore capacity = new Semaphore(CAPACITY, true);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        capacity.acquireUninterruptibly();
        try {
            long end = System.nanoTime() + WORK_NANOS;
            for (long left = WORK_NANOS; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        } finally {
            capacity.release();
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/plain");
        response.setContentLength(HelloServlet.BODY.length);
        response.getOutputStream().write(HelloServlet.BODY);
    }
}
