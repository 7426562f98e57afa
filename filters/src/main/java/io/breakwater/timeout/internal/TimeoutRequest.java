package io.breakwater.timeout.internal;

import io.breakwater.core.servlet.internal.ContainerLookups;
import io.breakwater.core.servlet.internal.ForwardingAsyncContext;
import io.breakwater.core.servlet.internal.GatedResponse;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request as the handler sees it under a deadline: an async cycle it starts writes through the gated
 * response, and its late {@code complete()} or {@code dispatch()}, after the timeout answered, is ignored.
 * One per request; as thread-safe as the container's request.
 */
public final class TimeoutRequest extends HttpServletRequestWrapper {
    private final GatedResponse response;
    private final TimedExchange exchange;
    private TimedAsyncContext async;

    public TimeoutRequest(HttpServletRequest request, GatedResponse response, TimedExchange exchange) {
        super(request);
        this.response = response;
        this.exchange = exchange;
    }

    /** The response handed down the chain with this request. */
    public GatedResponse timedResponse() {
        return response;
    }

    /** Who may still answer the request. */
    public TimedExchange exchange() {
        return exchange;
    }

    @Override
    public Object getAttribute(String name) {
        return ContainerLookups.answersNull(name) ? null : super.getAttribute(name);
    }

    @Override
    public AsyncContext startAsync() {
        return startAsync(this, response);
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        async = new TimedAsyncContext(super.startAsync(request, response), exchange);
        return async;
    }

    /**
     * The container's async cycle that the handler started through this request, or {@code null}. Cheaper than
     * asking the container, whose answer takes the connection's lock, which the next request on a kept-alive
     * connection (or a proxy's client thread writing the answer) is already contending for; an app that unwraps
     * the request to start a cycle is not seen.
     */
    public AsyncContext startedCycle() {
        TimedAsyncContext started = async;
        return started == null ? null : started.real();
    }

    /**
     * The cycle under way, without asking the container while the one started through this request still runs: a
     * proxy asks for it on its client thread as the backend's answer completes, and the container's answer takes
     * the connection's lock, which the request's own thread may still hold as its filters return. Once that cycle
     * completed, timed out or gave way to another, the container is asked, and throws as it would when no cycle is
     * under way.
     */
    @Override
    public AsyncContext getAsyncContext() {
        TimedAsyncContext started = async;
        if (started != null && exchange.isUnderWay(started.real())) {
            return started;
        }
        AsyncContext current = super.getAsyncContext();
        if (async == null || async.real() != current) {
            async = new TimedAsyncContext(current, exchange);
        }
        return async;
    }

    /** An async context whose completion, once the timeout answered, is a no-op. */
    private static final class TimedAsyncContext extends ForwardingAsyncContext {
        private final TimedExchange exchange;

        TimedAsyncContext(AsyncContext real, TimedExchange exchange) {
            super(real);
            this.exchange = exchange;
        }

        private boolean timedOut() {
            TimedExchange.State state = exchange.state();
            return state == TimedExchange.State.EXPIRING || state == TimedExchange.State.TIMED_OUT;
        }

        @Override
        public void dispatch() {
            if (!timedOut()) {
                super.dispatch();
            }
        }

        @Override
        public void dispatch(String path) {
            if (!timedOut()) {
                super.dispatch(path);
            }
        }

        @Override
        public void dispatch(ServletContext context, String path) {
            if (!timedOut()) {
                super.dispatch(context, path);
            }
        }

        @Override
        public void complete() {
            if (timedOut()) {
                return;
            }
            try {
                super.complete();
            } catch (IllegalStateException completedByTimeout) {
                // the deadline passed between the check and the call: the timeout completed the cycle
                if (!timedOut()) {
                    throw completedByTimeout;
                }
            }
        }
    }
}
