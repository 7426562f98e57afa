package io.breakwater.core.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.ServiceLoader;

/**
 * What every filter of Breakwater's chain does around its policy: at start, the chain's order check
 * ({@link ChainCheck}); on every request, the dispatch guard (a request that is not HTTP goes straight through, and
 * so do the later dispatches of a request for a filter of the {@link Dispatches#FIRST first} dispatch) and, for such a
 * filter, the count of the request's answer on its route when it is the first Breakwater filter the request meets
 * ({@link RouteAnswers}), so that its own refusals count. The policy is {@link #filter}.
 * <p>
 * The skeleton is two base classes and one collaborator: this class; {@link TimedFilter}, which times the policy
 * around the rest of the chain; and {@link RequestEnd}, the request's own state that learns of its end exactly once.
 * Base classes, because the guard decides whether the policy runs at all and the timing brackets the chain, both in
 * {@code doFilter}; the end is a collaborator, because it outlives the call as the async cycle's listener. None of
 * them costs a request an object. Thread-safe when the policy is.
 */
public abstract class ChainFilter implements Filter {
    /** The checks of the chain's order, looked up once, with the class loader of the jar that holds them. */
    private static final List<ChainCheck> CHECKS = ServiceLoader.load(ChainCheck.class,
            ChainCheck.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList();

    /** Which dispatches of a request a filter works on. */
    protected enum Dispatches {
        /**
         * The request's first dispatch only: its async, error and include dispatches belong to that one and go
         * through ({@link #passOn}); the filter counts the answer when it is the request's first Breakwater filter.
         */
        FIRST,
        /** Every dispatch the filter is mapped for; the filter counts no answer for itself. */
        EVERY
    }

    private final boolean firstOnly;

    protected ChainFilter(Dispatches dispatches) {
        this.firstOnly = dispatches == Dispatches.FIRST;
    }

    /** Starts the filter ({@link #start}), then asks for the chain's order check, once per web app. */
    @Override
    public final void init(FilterConfig filterConfig) throws ServletException {
        start(filterConfig);
        ServletContext context = filterConfig.getServletContext();
        for (ChainCheck check : CHECKS) {
            check.check(context);
        }
    }

    /** Reads the filter's configuration (a bad one stops the app here) and builds what its policy runs on. */
    protected abstract void start(FilterConfig filterConfig) throws ServletException;

    @Override
    public final void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            chain.doFilter(req, res);
            return;
        }
        if (firstOnly) {
            if (req.getDispatcherType() != DispatcherType.REQUEST) {
                passOn(req, res, chain);
                return;
            }
            if (RouteAnswers.counts(req, res, chain, this)) {
                return; // this filter is the request's first: it ran inside the count of the answer
            }
        }
        filter((HttpServletRequest) req, (HttpServletResponse) res, chain);
    }

    /**
     * A later dispatch of a request, for a filter of the first dispatch: it goes through. A filter overrides this to
     * act on one (the timeout fails an async dispatch to abort a response it could not answer).
     */
    protected void passOn(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
    }

    /** The filter's policy for a request the guard let in. */
    protected abstract void filter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException;
}
