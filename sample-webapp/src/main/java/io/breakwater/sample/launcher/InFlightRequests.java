package io.breakwater.sample.launcher;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Counts the requests in flight through the handler it wraps, from arrival until their response is complete
 * (asynchronous ones, proxied ones included, until their async cycle ends), so that a graceful stop can wait for
 * none to be left. Unlike Jetty's {@code GracefulHandler} it keeps serving requests that arrive on connections
 * already open while the server drains: refusing them would lose requests a client already sent. Thread-safe.
 */
final class InFlightRequests extends Handler.Wrapper {
    private final AtomicInteger active = new AtomicInteger();
    private volatile CompletableFuture<Void> none;

    InFlightRequests(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        active.incrementAndGet();
        boolean handled = false;
        try {
            handled = super.handle(request, response, Callback.from(callback, this::ended));
            return handled;
        } finally {
            if (!handled) {
                ended();
            }
        }
    }

    private void ended() {
        if (active.decrementAndGet() == 0) {
            CompletableFuture<Void> watcher = none;
            if (watcher != null) {
                watcher.complete(null);
            }
        }
    }

    int count() {
        return active.get();
    }

    /** Completes once no request is in flight: at once if none is now. */
    synchronized CompletableFuture<Void> whenNone() {
        if (none == null) {
            none = new CompletableFuture<>();
        }
        if (active.get() == 0) {
            none.complete(null);
        }
        return none;
    }
}
