package io.breakwater.chain;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * Whether the chain started an async cycle in this dispatch, for the filters that ask once their chain returned.
 * {@code ExceptionHandlingFilter} hands the chain a request that notes its {@code startAsync} calls, and the
 * container is asked only when one was made: its own answer takes the connection's lock, which the next request on
 * a kept-alive connection is already contending for once the response is complete (measured at about 3% of the CPU
 * per asking filter, BENCHMARKS.md). Without that request in the chain, the container is asked as usual. A cycle
 * that code starts on the container's own request, unwrapped, is not seen: the filters then treat the request as
 * synchronous. Stateless and thread-safe.
 */
public final class AsyncStarts {
    private AsyncStarts() {
    }

    /** The request to hand down the chain, so that a later {@link #started} can skip the container's lock. */
    public static HttpServletRequest track(HttpServletRequest request) {
        return new Tracked(request);
    }

    /** {@link ServletRequest#isAsyncStarted()}, without the container's lock when no cycle was started. */
    public static boolean started(ServletRequest request) {
        for (ServletRequest current = request; ; ) {
            if (current instanceof Tracked) {
                return ((Tracked) current).started && request.isAsyncStarted();
            }
            if (!(current instanceof ServletRequestWrapper)) {
                return request.isAsyncStarted();
            }
            current = ((ServletRequestWrapper) current).getRequest();
        }
    }

    /** Notes that the chain started an async cycle; otherwise the request itself. */
    private static final class Tracked extends HttpServletRequestWrapper {
        /** Volatile: a handler may start the cycle from a thread of its own while the filter waits. */
        private volatile boolean started;

        Tracked(HttpServletRequest request) {
            super(request);
        }

        @Override
        public AsyncContext startAsync() {
            AsyncContext async = super.startAsync();
            started = true;
            return async;
        }

        @Override
        public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
            AsyncContext async = super.startAsync(request, response);
            started = true;
            return async;
        }
    }
}
