package io.breakwater.guard;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app's filter whose behaviour each request chooses by query: {@code before=hang} or {@code after=hang} blocks
 * (until interrupted) before or after calling the chain, then tries to write; {@code afterMs} works that long
 * after the chain; {@code before=throw} throws before
 * the chain, {@code before=sneaky} a checked exception it does not declare. It counts its calls, what it was
 * initialised with and whether it was destroyed. Thread-safe.
 */
public class ScriptedFilter implements Filter {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger inits = new AtomicInteger();
    final AtomicInteger destroys = new AtomicInteger();
    /** Completes with whether the write that a hung filter tried once freed reached the client's response. */
    final CompletableFuture<Boolean> lateWriteWent = new CompletableFuture<>();
    volatile String filterName;
    volatile Map<String, String> initParams;

    @Override
    public void init(FilterConfig config) {
        inits.incrementAndGet();
        filterName = config.getFilterName();
        Map<String, String> params = new TreeMap<>();
        for (String name : Collections.list(config.getInitParameterNames())) {
            params.put(name, config.getInitParameter(name));
        }
        params.put("(getInitParameter guardTimeout)", String.valueOf(config.getInitParameter("guardTimeout")));
        initParams = params;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        calls.incrementAndGet();
        if ("throw".equals(request.getParameter("before"))) {
            throw new IllegalStateException("the identity server is down");
        }
        if ("sneaky".equals(request.getParameter("before"))) {
            throw ScriptedFilter.<RuntimeException>undeclared(
                    new GeneralSecurityException("the token's signature cannot be checked"));
        }
        if ("hang".equals(request.getParameter("before"))) {
            hangThenWrite((HttpServletResponse) response);
            return;
        }
        ((HttpServletResponse) response).setHeader("X-Scripted", "before");
        chain.doFilter(request, response);
        if ("hang".equals(request.getParameter("after"))) {
            hangThenWrite((HttpServletResponse) response);
        }
        String afterMs = request.getParameter("afterMs");
        if (afterMs != null) {
            try {
                Thread.sleep(Long.parseLong(afterMs)); // the filter's own work after the chain, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Blocks until interrupted, as a call to a dependency that never answers, then writes as if it had. */
    private void hangThenWrite(HttpServletResponse response) {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException interrupted) {
            try {
                response.setStatus(200);
                response.getWriter().write("late");
                response.flushBuffer();
                lateWriteWent.complete(true);
            } catch (IOException | RuntimeException dropped) {
                lateWriteWent.complete(false);
            }
        }
    }

    /** Throws a checked exception that the caller does not declare, as a Kotlin or Lombok filter may. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> T undeclared(Throwable thrown) throws T {
        throw (T) thrown;
    }

    @Override
    public void destroy() {
        destroys.incrementAndGet();
    }
}
