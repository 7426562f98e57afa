package io.breakwater.exception;

import io.breakwater.chain.Priority;
import io.breakwater.chain.internal.ChainOrder;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.error.internal.ClientGone;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.error.internal.LoggedIds;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.FilterMetrics;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.route.internal.Routes;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.servlet.internal.ChainFilter;
import io.breakwater.core.servlet.internal.ClientConnection;
import io.breakwater.core.servlet.internal.RouteAnswers;
import io.breakwater.exception.internal.ExceptionHandlingConfig;
import io.breakwater.exception.internal.Failure;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in the chain: no exception or error from the rest of the chain takes the app down or leaks internals.
 * The client gets the error contract's problem+json answer, the log gets one ERROR line with the stack trace,
 * a committed response gets its connection aborted, a client that went away is only counted. The client went away
 * only when a read of its body or a write of its answer failed, which the request and response it hands down the
 * chain record ({@link ClientConnection}); an {@code EOFException} or a reset from the app's own work is the app's
 * failure like any other. Every response
 * carries {@code X-Request-Id}, and log lines carry it under the MDC key {@code requestId}. It works on every
 * dispatch it is mapped for, and counts the request's answer on its route itself, on the request it hands down
 * (whose fields hold the count, instead of the container's attribute map); it times itself, its state per request
 * being locals that {@code TimedFilter}'s steps could share only through an object more
 * per request. Thread-safe.
 */
public class ExceptionHandlingFilter extends ChainFilter {
    private static final Logger LOG = LoggerFactory.getLogger(ExceptionHandlingFilter.class);
    private static final String LISTENING_ATTRIBUTE = ExceptionHandlingFilter.class.getName() + ".listening";
    static final MetricFamily EXCEPTIONS = MetricFamily.counter("filter_exceptions",
            "Uncaught exceptions answered INTERNAL_ERROR, by class.", "filter.{filter}.exceptions.{exception}");
    static final MetricFamily ANSWERS = MetricFamily.counter("filter_answers",
            "Exceptions answered with their own error code.", "filter.{filter}.answers.{code}");
    static final MetricFamily CLIENT_ABORTS = MetricFamily.counter("filter_client_aborts",
            "Requests whose client went away before the answer.", "filter.{filter}.clientAborts");
    static final MetricFamily ABORTED_COMMITTED = MetricFamily.counter("filter_aborted_committed",
            "Failures after the response was committed, answered by aborting the connection.",
            "filter.{filter}.abortedCommitted");

    private ExceptionHandlingConfig config;
    private ServletContext context;
    private FilterMetrics metrics;

    public ExceptionHandlingFilter() {
        super(Dispatches.EVERY);
    }

    @Override
    protected void start(FilterConfig filterConfig) throws ServletException {
        config = ConfigReader.read(filterConfig, ExceptionHandlingConfig::read);
        context = filterConfig.getServletContext();
        Routes.configure(context);
        metrics = new FilterMetrics(BreakwaterMetrics.acquire(context),
                FilterMetrics.EXCEPTION_HANDLING_FILTER);
    }

    @Override
    protected void filter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        ClientConnection response = ClientConnection.watch(res);
        HttpServletRequest request = AsyncStarts.track(req, response);
        String requestId = req.getDispatcherType() == DispatcherType.REQUEST ? RequestIds.begin(request, response)
                : RequestIds.resolve(request, response);
        String previousId = LoggedIds.enter(requestId);
        // the first filter: the answer of every request is counted on its route here, whoever gives it
        RouteAnswers.Answer answer = RouteAnswers.begin(request);
        long downstream = 0;
        try {
            long before = System.nanoTime();
            try {
                chain.doFilter(request, response);
            } finally {
                downstream = System.nanoTime() - before;
            }
            AsyncContext cycle = AsyncStarts.startedCycle(request);
            if (cycle != null) {
                listenTo(cycle, request, response);
            }
        } catch (Throwable thrown) {
            handle(request, response, thrown, response.failed(), requestId);
        } finally {
            LoggedIds.restore(previousId);
            long end = System.nanoTime();
            if (answer != null) {
                answer.returned(request, response, null, end);
            }
            metrics.record(end - start - downstream, end);
        }
    }

    /**
     * Handles an async cycle's failure too: {@code AsyncListener.onError} answers like a thrown exception. The cycle
     * is marked in an attribute so that a later dispatch does not add the listener twice; a request's first dispatch
     * cannot have added it yet, so it does not ask. What the container reports there is its own: a failure of the
     * client's connection among it means that the client went away.
     */
    private void listenTo(AsyncContext async, HttpServletRequest request, ClientConnection connection) {
        if (request.getDispatcherType() != DispatcherType.REQUEST
                && request.getAttribute(LISTENING_ATTRIBUTE) == async) {
            return;
        }
        request.setAttribute(LISTENING_ATTRIBUTE, async);
        async.addListener(new AsyncListener() {
            @Override
            public void onError(AsyncEvent event) throws IOException {
                HttpServletRequest req = (HttpServletRequest) event.getSuppliedRequest();
                HttpServletResponse res = (HttpServletResponse) event.getSuppliedResponse();
                Throwable reported = event.getThrowable();
                String requestId = RequestIds.resolve(req, res);
                String previousId = LoggedIds.enter(requestId);
                try {
                    // a dispatch of this request handled a CommittedResponseFailure already: nothing to add
                    if (!(reported instanceof CommittedResponseFailure)) {
                        handle(req, res, reported,
                                connection.failed() || ClientGone.reportedByContainer(reported), requestId);
                    }
                } catch (Throwable abort) {
                    // the committed case: the container aborts the connection when the error is rethrown
                    LOG.debug("aborting async response", abort);
                } finally {
                    LoggedIds.restore(previousId);
                    complete(event.getAsyncContext());
                }
            }

            /**
             * Ends the cycle the container's error left open. The app may have completed it on its own thread just
             * before the error came (a proxy whose answer broke as the client went away): Tomcat then refuses a
             * second complete, and the cycle ends as the app asked.
             */
            private void complete(AsyncContext cycle) {
                try {
                    cycle.complete();
                } catch (IllegalStateException completing) {
                    LOG.debug("the async cycle was completed before the container's error", completing);
                }
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                event.getAsyncContext().addListener(this);
            }

            @Override
            public void onComplete(AsyncEvent event) {
                // nothing to do
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                // the TimeoutFilter or the app answers timeouts
            }
        });
    }

    /**
     * Answers a failure. When the response is committed no answer is possible: the failure is rethrown so that
     * the container aborts the connection, and the client never takes a truncated response for a whole one.
     */
    void handle(HttpServletRequest request, HttpServletResponse response, Throwable thrown, boolean clientFailed,
            String requestId) throws IOException, ServletException {
        Failure failure = Failure.classify(thrown, config.mappings(), clientFailed);
        if (failure.kind == Failure.Kind.CLIENT_GONE) {
            metrics.counter(CLIENT_ABORTS).inc();
            LOG.debug("client went away: {} {}", request.getMethod(), Routes.of(request), thrown);
            return;
        }
        boolean committed = response.isCommitted();
        if (failure.kind == Failure.Kind.INTERNAL) {
            metrics.counter(EXCEPTIONS, thrown.getClass().getName()).inc();
            LOG.error("request failed{}: requestId={} method={} route={}",
                    committed ? " after the response was committed, aborting the connection" : "",
                    requestId, request.getMethod(), Routes.of(request), thrown);
        } else {
            metrics.counter(ANSWERS, failure.errorCode.code()).inc();
            LOG.debug("request answered {}: {} {}", failure.errorCode, request.getMethod(), Routes.of(request), thrown);
        }
        if (committed || !ErrorResponse.send(request, response, failure.errorCode, failure.headers)) {
            metrics.counter(ABORTED_COMMITTED).inc();
            AsyncStarts.aborting(request); // the container's abort tells no async listener that the request ended
            throw new CommittedResponseFailure(thrown);
        }
    }

    @Override
    public void destroy() {
        if (context != null) {
            BreakwaterMetrics.release(context);
        }
    }

    /** Thrown to the container so that it aborts a committed response's connection; the failure was logged. */
    static final class CommittedResponseFailure extends ServletException {
        private static final long serialVersionUID = 1L;

        CommittedResponseFailure(Throwable cause) {
            super("response committed before the failure; connection aborted", cause);
        }
    }
}
