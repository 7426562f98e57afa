package io.breakwater.core.error.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Reads a failure that the container itself reported for a request's exchange with its client (an async cycle's
 * {@code onError}): the container raises its own connection's failures there, so an end-of-stream, a closed channel
 * or a reset means that the client went away. Never for what the app threw: an {@code EOFException} from the app's
 * own work (its database, its HTTP client) is the app's failure, and whether the client's own connection failed is
 * recorded where the chain reads and writes it ({@code ClientConnection}). Stateless and thread-safe.
 */
public final class ClientGone {
    private static final int MAX_CAUSES = 16;

    private ClientGone() {
    }

    /** Whether a failure the container reported of the client's exchange is its connection failing. */
    public static boolean reportedByContainer(Throwable reported) {
        int depth = 0;
        for (Throwable t = reported; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof EOFException || t instanceof ClosedChannelException) {
                return true; // Jetty's EofException extends EOFException
            }
            if (t instanceof IOException) {
                String message = String.valueOf(t.getMessage());
                if (message.contains("Broken pipe") || message.contains("Connection reset by peer")) {
                    return true;
                }
            }
        }
        return false;
    }
}
