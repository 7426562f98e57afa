package io.breakwater.proxy.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * Notes that the container reported an error on a request's async cycle (its {@code onError}: the client went away
 * mid-download or mid-upload, its connection failed). From then on the cycle is the container's to end: once the
 * {@code onError} listeners return, the cycle is completed (by the chain's listener, else by the container itself,
 * Servlet 6 {@code AsyncListener.onError}), every listener is told {@code onComplete}, and the container may recycle
 * the request at once. Tomcat refuses any other thread's use of the cycle after {@code onError} returned (its
 * {@code complete}, {@code getRequest}, even {@code isAsyncStarted}) and of a recycled request or response, with
 * an {@code IllegalStateException}. So the proxy asks {@link #reported} before it touches the client's request or
 * response from its own threads, and leaves the request alone when the answer is yes. Made per proxied request,
 * before its cycle starts; thread-safe.
 */
public final class ContainerError implements AsyncListener {
    private volatile boolean reported;

    /** Watches {@code cycle}, just started on the container's thread. */
    public void watch(AsyncContext cycle) {
        cycle.addListener(this);
    }

    /** Whether the container reported an error on the request's cycle: the request is the container's to end. */
    public boolean reported() {
        return reported;
    }

    @Override
    public void onError(AsyncEvent event) {
        reported = true;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // the chain's own listeners learn the end; nothing of the proxy's waits on it
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // the proxy's cycles have no container timeout (0)
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);
    }
}
