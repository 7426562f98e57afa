package io.breakwater.core.servlet.internal;

import io.breakwater.core.error.RequestIds;
import io.breakwater.core.route.internal.Routes;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The async cycle the chain started in this dispatch, for the filters that ask once their chain returned.
 * {@code ExceptionHandlingFilter} hands the chain a request that notes its {@code startAsync} calls, so the
 * container is not asked: its own answers take the connection's lock, which the next request on a kept-alive
 * connection (or, behind a proxy, the client thread already writing the backend's answer) contends for once the
 * response is under way (about 3% of the CPU per asking filter, BENCHMARKS.md). Without that request in the chain,
 * the container is asked as usual. A cycle that code starts on the container's own request, unwrapped, is not
 * seen: the filters then treat the request as synchronous. The cycle a tracked request answers is the chain's own
 * view of it ({@link ListenedCycle}), which keeps the filters' listeners so that {@link #aborting} can tell them
 * that a request the container aborts is over. Stateless and thread-safe.
 */
public final class AsyncStarts {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncStarts.class);

    private AsyncStarts() {
    }

    /**
     * Ends the async cycle that the request's chain started, if it did, once a deadline answered in the app's
     * place: the cycle is the request's to end, not the app's any more, and until it completes no filter's listener
     * learns that the request is over (a route's active count, a concurrency permit, a drain count stay taken).
     */
    public static void completeStarted(HttpServletRequest request) {
        if (request.isAsyncStarted()) {
            complete(request.getAsyncContext());
        }
    }

    /** Completes {@code cycle}, which the app may have completed meanwhile: then there is nothing left to end. */
    public static void complete(AsyncContext cycle) {
        try {
            cycle.complete();
        } catch (IllegalStateException alreadyCompleted) {
            LOG.debug("async cycle already completed", alreadyCompleted);
        }
    }

    /**
     * The request to hand down the chain, so that a later {@link #startedCycle} can skip the container's lock, and
     * whose body is read through {@code connection}, which notes a failed read.
     */
    public static HttpServletRequest track(HttpServletRequest request, ClientConnection connection) {
        return new Tracked(request, connection);
    }

    /**
     * The async cycle the chain started in this dispatch, or {@code null} when it stayed synchronous: what
     * {@code isAsyncStarted() ? getAsyncContext() : null} answers (a cycle started in a dispatch counts as started
     * until the dispatch returns, even when it already completed), without the container's lock once the request
     * handed down the chain was {@link #track tracked}.
     */
    public static AsyncContext startedCycle(ServletRequest request) {
        for (ServletRequest current = request; ; ) {
            if (current instanceof Tracked) {
                return ((Tracked) current).cycle;
            }
            if (!(current instanceof ServletRequestWrapper)) {
                return request.isAsyncStarted() ? request.getAsyncContext() : null;
            }
            current = ((ServletRequestWrapper) current).getRequest();
        }
    }

    /**
     * Tells the filters' async listeners that the request is over, before whoever ends it aborts its committed
     * response: Jetty's abort tells no listener (see {@link ListenedCycle}). Call it while the request is alive, on
     * any thread; a listener a filter adds later is told as it is added. Nothing happens for a request whose chain
     * started no cycle through a {@link #track tracked} request.
     */
    public static void aborting(ServletRequest request) {
        aborting(request, null);
    }

    /**
     * Tells the filters' async listeners that the request's answer is whole, before whoever answered it completes
     * its async cycle: the container's {@code onComplete} comes later, on its own time, and a deadline that fires
     * in between must find the request over rather than count a timeout for an answer that was delivered. Each
     * listener is told once (the container's own {@code onComplete} then finds them ended). Call it while the
     * request is alive; nothing happens for a request whose chain started no cycle through a {@link #track tracked}
     * request.
     */
    public static void answered(ServletRequest request) {
        aborting(request, null);
    }

    /**
     * Like {@link #aborting(ServletRequest)}, with what broke the answer ({@code null}: nothing the app or its
     * backend did, such as the client going away): each filter's {@link RequestEnd} ends with it as if the chain had
     * thrown it, so that a breaker counts an answer cut short by a failing backend as the failure it is.
     */
    public static void aborting(ServletRequest request, Throwable failure) {
        Object cycle = request.getAttribute(ListenedCycle.ATTRIBUTE);
        if (cycle instanceof ListenedCycle) {
            ((ListenedCycle) cycle).aborting(failure);
        }
    }

    /**
     * Notes that the chain started an async cycle, and keeps the request id (request attribute
     * {@value RequestIds#ATTRIBUTE}) in a field rather than in the container's attribute map: setting the first
     * attribute of a request makes Jetty build a map for it, the largest share of what
     * {@code ExceptionHandlingFilter} allocated per request (BENCHMARKS.md). Otherwise the request itself.
     */
    private static final class Tracked extends HttpServletRequestWrapper {
        /** Volatile: a handler may start the cycle from a thread of its own while the filter waits. */
        private volatile AsyncContext cycle;
        /** Volatile: an async listener may ask for it on another thread. */
        private volatile String requestId;
        /** Volatile like the id: the request's route and its answer's count, read by listeners on other threads. */
        private volatile String route;
        private volatile Object answer;
        private final ClientConnection connection;
        private ServletInputStream input;
        private BufferedReader reader;

        Tracked(HttpServletRequest request, ClientConnection connection) {
            super(request);
            this.connection = connection;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (input == null) {
                input = connection.watch(super.getInputStream());
            }
            return input;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            if (reader == null) {
                reader = connection.watch(super.getReader());
            }
            return reader;
        }

        @Override
        public Object getAttribute(String name) {
            if (ContainerLookups.answersNull(name)) {
                return null;
            }
            String id = requestId;
            if (id != null && RequestIds.ATTRIBUTE.equals(name)) {
                return id;
            }
            if (Routes.ATTRIBUTE.equals(name) && route != null) {
                return route;
            }
            if (Routes.ANSWER_ATTRIBUTE.equals(name) && answer != null) {
                return answer;
            }
            return super.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            if (RequestIds.ATTRIBUTE.equals(name) && value instanceof String) {
                requestId = (String) value;
                return;
            }
            // the route and its answer's count are asked for by every filter: fields, not the container's map
            if (Routes.ATTRIBUTE.equals(name) && value instanceof String && super.getAttribute(name) == null) {
                route = (String) value;
                return;
            }
            if (Routes.ANSWER_ATTRIBUTE.equals(name) && value != null && super.getAttribute(name) == null) {
                answer = value;
                return;
            }
            super.setAttribute(name, value);
        }

        @Override
        public void removeAttribute(String name) {
            if (RequestIds.ATTRIBUTE.equals(name)) {
                requestId = null;
            } else if (Routes.ATTRIBUTE.equals(name)) {
                route = null;
            } else if (Routes.ANSWER_ATTRIBUTE.equals(name)) {
                answer = null;
            }
            super.removeAttribute(name);
        }

        @Override
        public Enumeration<String> getAttributeNames() {
            Enumeration<String> names = super.getAttributeNames();
            if (requestId == null && route == null && answer == null) {
                return names;
            }
            Set<String> all = new LinkedHashSet<>(Collections.list(names));
            if (requestId != null) {
                all.add(RequestIds.ATTRIBUTE);
            }
            if (route != null) {
                all.add(Routes.ATTRIBUTE);
            }
            if (answer != null) {
                all.add(Routes.ANSWER_ATTRIBUTE);
            }
            return Collections.enumeration(all);
        }

        @Override
        public AsyncContext startAsync() {
            AsyncContext started = super.startAsync();
            cycle = ListenedCycle.of(this, started);
            return started;
        }

        @Override
        public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
            AsyncContext started = super.startAsync(request, response);
            cycle = ListenedCycle.of(this, started);
            return started;
        }
    }
}
