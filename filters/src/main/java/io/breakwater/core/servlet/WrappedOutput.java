package io.breakwater.core.servlet;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;

/**
 * An output stream of Breakwater's that wraps the container's, and lets code that knows the container reach the
 * stream underneath on the wrapper's terms: for work the Servlet API has no call for, such as Jetty's non-blocking
 * {@code HttpOutput.sendContent}, which {@code BalancingProxyServlet} uses to pass a backend's whole answer on from
 * its client's network thread. {@code TimeoutFilter}'s stream lets it through its gate, as it lets a write.
 */
public interface WrappedOutput {
    /**
     * Runs {@code use} with the wrapped stream while the wrapper allows writes, and returns its result.
     *
     * @throws java.io.InterruptedIOException when the wrapper no longer lets anything reach the client (the request
     *     ran past its deadline and the timeout owns the response), as a write would
     */
    boolean withWrapped(Use use) throws IOException;

    /** What is done with the wrapped stream. */
    @FunctionalInterface
    interface Use {
        boolean with(ServletOutputStream wrapped) throws IOException;
    }
}
