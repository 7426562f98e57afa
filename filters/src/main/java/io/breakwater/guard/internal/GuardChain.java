package io.breakwater.guard.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * The rest of the chain as a guarded filter sees it: calling it stops the filter's clock until it returns, and
 * what it throws is remembered, so that the guard lets it pass unjudged (it is the route's, not the filter's).
 * Once the filter's own time ran out, the rest of the chain no longer runs. One per request; not thread-safe (the
 * filter calls it on the request's thread).
 */
public final class GuardChain implements FilterChain {
    private final FilterChain chain;
    private final GuardedExchange exchange;
    private Throwable thrownDownstream;

    public GuardChain(FilterChain chain, GuardedExchange exchange) {
        this.chain = chain;
        this.exchange = exchange;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
        if (!exchange.pause(System.nanoTime())) {
            throw new InterruptedIOException("the guarded filter ran past its own deadline; the chain does not run");
        }
        try {
            chain.doFilter(request, response);
        } catch (Throwable thrown) { // a checked exception thrown undeclared is the route's, too
            thrownDownstream = thrown;
            throw thrown;
        } finally {
            exchange.resume(System.nanoTime());
        }
    }

    /** Whether {@code thrown} is, or wraps, what the rest of the chain threw. */
    public boolean threwDownstream(Throwable thrown) {
        if (thrownDownstream == null) {
            return false;
        }
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t == thrownDownstream) {
                return true;
            }
        }
        return false;
    }
}
