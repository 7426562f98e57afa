package io.breakwater.core.error;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Tells a client that closed or reset its connection from a failure of the app: such a failure gets no answer,
 * no ERROR line, and does not count against a route. Stateless and thread-safe.
 */
public final class ClientGone {
    private static final int MAX_CAUSES = 16;

    private ClientGone() {
    }

    /** Whether the throwable, or one of its causes, is an I/O failure of the connection to the client. */
    public static boolean isCause(Throwable thrown) {
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
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
