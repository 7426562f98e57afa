package io.breakwater.core.servlet.internal;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * An async listener that acts once, on {@code onComplete}: the container calls it after a timeout or an error
 * too, with the status they were answered with, and it follows the cycle when the app starts a new one. Its
 * subclasses say whether they are thread-safe.
 */
public abstract class CompletionListener implements AsyncListener {

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
