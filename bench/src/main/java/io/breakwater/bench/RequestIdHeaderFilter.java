package io.breakwater.bench;

import io.breakwater.error.RequestIds;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Only what PRODUCT.md asks of every response's {@code X-Request-Id}: the caller's id read and kept if it is safe,
 * else a new one of 16 hex digits made (wrk sends none), and the header set on the response, then the chain; no
 * metrics, no MDC, no wrapper. The floor under {@code ExceptionHandlingFilter}'s figure that the contract itself
 * sets. Stateless, thread-safe.
 */
public class RequestIdHeaderFilter implements Filter {
    private static final HexFormat HEX = HexFormat.of();

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        String id = request.getHeader(RequestIds.HEADER);
        if (!RequestIds.isSafe(id)) {
            id = newId();
        }
        ((HttpServletResponse) res).setHeader(RequestIds.HEADER, id);
        chain.doFilter(req, res);
    }

    private static String newId() {
        return HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /**
     * The same header with one fixed value of the same length, read nowhere and made once: what the header's bytes
     * cost the container by themselves, without reading the caller's id or making a new one.
     */
    public static class Constant implements Filter {
        private static final String ID = newId();

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            ((HttpServletResponse) res).setHeader(RequestIds.HEADER, ID);
            chain.doFilter(req, res);
        }
    }
}
