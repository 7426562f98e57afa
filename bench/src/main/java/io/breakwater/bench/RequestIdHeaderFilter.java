package io.breakwater.bench;

import io.breakwater.core.error.RequestIds;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Only what the error contract asks of every response's {@code X-Request-Id}: the caller's id read and kept if it
 * is safe, else a new one of 16 hex digits made (wrk sends none), both by the contract's own
 * {@link RequestIds#forCaller}, and the header set on the response, then the chain; no metrics, no MDC, no wrapper.
 * The floor under {@code ExceptionHandlingFilter}'s figure that the contract itself sets. Stateless, thread-safe.
 */
public class RequestIdHeaderFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        String id = RequestIds.forCaller(((HttpServletRequest) req).getHeader(RequestIds.HEADER));
        ((HttpServletResponse) res).setHeader(RequestIds.HEADER, id);
        chain.doFilter(req, res);
    }

    /**
     * The same header with one fixed value of the same length, read nowhere and made once: what the header's bytes
     * cost the container by themselves, without reading the caller's id or making a new one.
     */
    public static class Constant implements Filter {
        private static final String ID = RequestIds.forCaller(null);

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            ((HttpServletResponse) res).setHeader(RequestIds.HEADER, ID);
            chain.doFilter(req, res);
        }
    }
}
