package io.breakwater.core.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request's async cycle as the chain's filters see it: the container's, plus the listeners they added, so that a
 * request that ends by an abort still ends for them. Jetty aborts a committed response (its proxy's
 * {@code sendError(-1)}, a failure thrown from an async dispatch) by marking the request completed without calling
 * any listener's {@code onComplete}, so a filter that counts active requests, holds a breaker's permit or waits to
 * cancel a deadline would wait for good. Whoever aborts calls {@link #aborting(Throwable)} first, while the request
 * is still alive: every listener is told {@code onComplete} once (a {@link RequestEnd}, with what broke the answer),
 * and one added later (a filter whose chain has not returned yet) is told as it is added. A whole answer's end may
 * be told the same way before the container's own. One per request, kept in a request attribute; thread-safe.
 */
final class ListenedCycle extends ForwardingAsyncContext {
    private static final Logger LOG = LoggerFactory.getLogger(ListenedCycle.class);
    static final String ATTRIBUTE = ListenedCycle.class.getName();

    /** The listeners added, each with the request and response it was given; guarded by itself. */
    private final List<Listened> listeners = new ArrayList<>(4);
    private boolean aborted;
    /** What broke the aborted answer, or {@code null}; written under {@link #listeners}' lock with {@link #aborted}. */
    private Throwable failure;

    private ListenedCycle(AsyncContext real) {
        super(real);
    }

    /** The request's cycle for {@code started}: the one an earlier dispatch made, or a new one kept on the request. */
    static ListenedCycle of(ServletRequest request, AsyncContext started) {
        Object kept = request.getAttribute(ATTRIBUTE);
        if (kept instanceof ListenedCycle && ((ListenedCycle) kept).real() == started) {
            return (ListenedCycle) kept;
        }
        ListenedCycle cycle = new ListenedCycle(started);
        request.setAttribute(ATTRIBUTE, cycle);
        return cycle;
    }

    /**
     * Tells every listener, once, that the request is over, a {@link RequestEnd} with {@code failure} (what broke
     * the answer, or {@code null}); from then on, one added is told at once.
     */
    void aborting(Throwable brokenBy) {
        List<Listened> toTell;
        synchronized (listeners) {
            if (aborted) {
                return;
            }
            aborted = true;
            failure = brokenBy;
            toTell = new ArrayList<>(listeners);
        }
        for (Listened listened : toTell) {
            listened.complete(this);
        }
    }

    private void listen(Listened listened) {
        synchronized (listeners) {
            if (!aborted) {
                listeners.add(listened);
                return;
            }
        }
        listened.complete(this);
    }

    @Override
    public void addListener(AsyncListener listener) {
        super.addListener(listener);
        listen(new Listened(listener, null, null));
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        super.addListener(listener, request, response);
        listen(new Listened(listener, request, response));
    }

    /** A listener as it was added: with the request and response to tell it about, or the cycle's own. */
    private static final class Listened {
        private final AsyncListener listener;
        private final ServletRequest request;
        private final ServletResponse response;

        Listened(AsyncListener listener, ServletRequest request, ServletResponse response) {
            this.listener = listener;
            this.request = request;
            this.response = response;
        }

        void complete(ListenedCycle cycle) {
            ServletRequest req = request == null ? cycle.getRequest() : request;
            ServletResponse res = response == null ? cycle.getResponse() : response;
            Throwable failure;
            synchronized (cycle.listeners) {
                failure = cycle.failure;
            }
            try {
                if (failure != null && listener instanceof RequestEnd) {
                    ((RequestEnd) listener).aborted(failure);
                    return;
                }
                listener.onComplete(new AsyncEvent(cycle, req, res));
            } catch (IOException | RuntimeException e) {
                // one listener's failure must not keep the others from learning that the request is over
                LOG.warn("async listener failed on an aborted request", e);
            }
        }
    }
}
