package io.breakwater.core.servlet;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.metric.RouteMetrics;
import io.breakwater.core.metric.RouteTable;
import io.breakwater.core.route.Routes;
import io.breakwater.core.servlet.AsyncCompletion;
import io.breakwater.core.servlet.AsyncStarts;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Counts every answer on its route exactly once, whatever order the filters run in: the first Breakwater filter a
 * request meets (on its first dispatch) opens the count, so the breaker's {@code CIRCUIT_OPEN} and the timeout's
 * {@code TIMEOUT} answered inside it are counted like the app's answers; the count closes when the request's
 * answer is done (its async cycle completes), or at the moment the timeout answers, with the status the client got.
 * Counting happens only while a {@code MetricsFilter} is in the app. Thread-safe.
 */
public final class RouteAnswers {
    private RouteAnswers() {
    }

    /**
     * For the first line of a filter's {@code doFilter}: when this request's answer is not counted yet, counts it
     * around the filter's own work (calling {@code filter.doFilter} again, which then finds it counted) and returns
     * {@code true}; else returns {@code false} and the filter does its work as usual.
     */
    public static boolean counts(ServletRequest req, ServletResponse res, FilterChain chain, Filter filter)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            return false;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        Answer answer = begin(request);
        if (answer == null) {
            return false;
        }
        HttpServletResponse response = (HttpServletResponse) res;
        try {
            filter.doFilter(request, response, chain);
        } catch (Throwable thrown) {
            answer.returned(request, response, thrown);
            throw thrown;
        }
        answer.returned(request, response, null);
        return true;
    }

    /**
     * Opens the count of a request's answer, or returns {@code null} when it is already counted, is not a first
     * dispatch, or the app has no {@code MetricsFilter}. The caller ends it once.
     */
    public static Answer begin(HttpServletRequest request) {
        if (request.getDispatcherType() != DispatcherType.REQUEST
                || request.getAttribute(Routes.ANSWER_ATTRIBUTE) != null) {
            return null;
        }
        ServletContext context = request.getServletContext();
        RouteTable table = context == null ? null : RouteTable.in(context);
        if (table == null) {
            return null;
        }
        Answer answer = new Answer(table.of(Routes.of(request)), System.nanoTime());
        request.setAttribute(Routes.ANSWER_ATTRIBUTE, answer);
        return answer;
    }

    /**
     * Ends the count of a request's answer now, with the status given, if it is counted and not ended yet: for the
     * timeout, which answers the client while the handler may still run.
     */
    public static void answered(HttpServletRequest request, int status) {
        Object answer = request.getAttribute(Routes.ANSWER_ATTRIBUTE);
        if (answer instanceof Answer) {
            ((Answer) answer).end(status);
        }
    }

    /** The status the error contract answers a thrown exception with: a {@link BreakwaterException}'s own, or 500. */
    public static int statusOf(Throwable thrown) {
        if (thrown instanceof BreakwaterException) {
            return ((BreakwaterException) thrown).errorCode().status();
        }
        return HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
    }

    /**
     * One request's answer on its route: started once, ended once ({@link RequestEnd}), with the status the client
     * got. Thread-safe.
     */
    public static final class Answer extends RequestEnd {
        private final RouteMetrics route;
        private final long start;

        Answer(RouteMetrics route, long start) {
            this.route = route;
            this.start = start;
            route.started();
        }

        /** Ends the count now with this status; later ends do nothing. */
        public void end(int status) {
            if (claim()) {
                route.finished(System.nanoTime() - start, status);
            }
        }

        @Override
        protected void ended(HttpServletRequest request, HttpServletResponse response, Throwable failure,
                long nanoTime) {
            route.finished(nanoTime - start, failure != null ? statusOf(failure) : response.getStatus());
        }
    }
}
