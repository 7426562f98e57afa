package io.breakwater.core.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action once, when a request's async cycles are all over: it follows a cycle started again in a later
 * dispatch (which drops the listeners), and timeouts and errors end in {@code onComplete}, answered by then, so it
 * waits for that. Thread-safe.
 */
public final class AsyncCompletion implements AsyncListener {
    private final Runnable action;
    private final AtomicBoolean ran = new AtomicBoolean();

    private AsyncCompletion(Runnable action) {
        this.action = action;
    }

    /** A listener that runs {@code action} once the request completes (once, even if it is added twice). */
    public static AsyncCompletion once(Runnable action) {
        return new AsyncCompletion(action);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        if (ran.compareAndSet(false, true)) {
            action.run();
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // onComplete follows, with the status the timeout was answered with
    }

    @Override
    public void onError(AsyncEvent event) {
        // onComplete follows, with the status the error was answered with
    }
}
