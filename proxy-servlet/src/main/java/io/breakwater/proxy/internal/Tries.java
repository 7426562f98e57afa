package io.breakwater.proxy.internal;

import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.Refusal;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.proxy.BalancingProxyServlet;
import io.breakwater.proxy.balance.Backend;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;

/**
 * Carries out on Jetty what an exchange's {@link Attempts} decide: sends its tries (each answered to a
 * {@link TryListener}), arms and sends hedges, and answers the client with a passed, kept or error answer. One per
 * servlet; thread-safe.
 */
public final class Tries {
    private final BalancingProxyServlet servlet;
    private final TryRules rules;
    private final ProxyMetrics metrics;
    private final HttpClient client;
    private final Executor executor;
    private final TryRequests requests;

    public Tries(BalancingProxyServlet servlet, TryRules rules, ProxyMetrics metrics, HttpClient client,
            TryRequests requests) {
        this.servlet = servlet;
        this.rules = rules;
        this.metrics = metrics;
        this.client = client;
        this.executor = client.getExecutor();
        this.requests = requests;
    }

    HttpClient client() {
        return client;
    }

    BalancingProxyServlet servlet() {
        return servlet;
    }

    TryRules rules() {
        return rules;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /** Sends the exchange's first try, to {@code backend}. */
    public void first(Exchange exchange, Backend backend) {
        Attempt attempt = exchange.attempts().start(backend);
        if (attempt == null) {
            fail(exchange, ErrorCode.BACKEND_TIMEOUT);
            return;
        }
        send(exchange, build(exchange, attempt));
    }

    /** Carries out {@code move}, decided at the end of {@code ended}, whose outcome is {@code result}. */
    void carryOut(Exchange exchange, Attempt ended, Move move, Result result) {
        if (exchange.containerEnds()) {
            return; // the container ends the request after its error, and tells the chain's listeners
        }
        try {
            carryOutFor(exchange, ended, move, result);
        } catch (IllegalStateException e) {
            if (!exchange.containerEnds()) {
                throw e;
            }
            // the container's error came meanwhile: the request was its to end, and may be recycled already
        }
    }

    private void carryOutFor(Exchange exchange, Attempt ended, Move move, Result result) {
        HttpServletRequest request = exchange.request();
        HttpServletResponse response = exchange.response();
        switch (move.kind()) {
            case NONE, HEDGE, HEDGE_LATER, HEDGE_OVER_BUDGET -> {
                // the client's answer is another try's (hedges are carried out by hedge())
            }
            case RETRY -> {
                metrics.retry();
                send(exchange, build(exchange, move.next()));
            }
            case COMPLETE_AFTER_FAILOVER -> {
                metrics.failover();
                complete(exchange, result);
            }
            case COMPLETE -> complete(exchange, result);
            case TRY_BESIDE -> tryBeside(exchange);
            case ANSWER_CLIENT_FAULT -> ErrorAnswers.answerFault(request, response, exchange.attempts().clientFault());
            case ANSWER_KEPT -> answerWith(exchange, exchange.attempts().kept());
            case ABORT -> abort(exchange, result.getResponse(), result.getFailure());
            case FAIL_TIMEOUT -> fail(exchange, ErrorCode.BACKEND_TIMEOUT);
            case FAIL_ERROR -> fail(exchange, ErrorCode.BACKEND_ERROR);
            case OVERLOADED -> {
                Refusal.mark(request); // no backend saw it: the proxy's own overload, not the route's failure
                ErrorAnswers.answer(request, response, ErrorCode.OVERLOADED, Map.of("Retry-After", "1"));
            }
            case REFUSED_TIMEOUT, REFUSED_ERROR -> {
                Refusal.mark(request); // no backend saw it: not the route's failure for a breaker
                fail(exchange, move.kind() == Move.Kind.REFUSED_TIMEOUT ? ErrorCode.BACKEND_TIMEOUT
                        : ErrorCode.BACKEND_ERROR);
            }
        }
    }

    /**
     * Backs up a try that has had no answer for {@code hedgeAfter} with a try on another backend; the first answer
     * to begin wins. When no backend promises to beat it or the hedge budget is spent, asks again {@code hedgeAfter}
     * later. Runs on the timer's thread, and builds the hedge from the client's request under the exchange's
     * monitor, so that a winning answer cannot complete the request meanwhile.
     */
    private void hedge(Exchange exchange, Attempt slow) {
        TryListener hedge;
        synchronized (exchange.attempts()) {
            Move move = exchange.attempts().hedgeDue(slow);
            switch (move.kind()) {
                case HEDGE -> hedge = build(exchange, move.next());
                case HEDGE_OVER_BUDGET -> {
                    metrics.hedgeOverBudget();
                    rules.hedging.arm(slow, () -> hedge(exchange, slow));
                    return;
                }
                case HEDGE_LATER -> {
                    rules.hedging.arm(slow, () -> hedge(exchange, slow));
                    return;
                }
                default -> {
                    return;
                }
            }
        }
        metrics.hedge();
        send(exchange, hedge);
    }

    /**
     * After a winning answer broke with other tries still in flight, none of them answering yet: one more try beside
     * them, when a retry is allowed. Builds it under the exchange's monitor, as {@link #hedge} does.
     */
    private void tryBeside(Exchange exchange) {
        TryListener next;
        synchronized (exchange.attempts()) {
            Move move = exchange.attempts().besideDue();
            if (move.next() == null) {
                return;
            }
            next = build(exchange, move.next());
        }
        metrics.retry();
        send(exchange, next);
    }

    /** A try's request and the listener for its answer; a try that cannot be built is ended, never sent. */
    private TryListener build(Exchange exchange, Attempt attempt) {
        TryListener listener = new TryListener(this, exchange, attempt);
        try {
            listener.request(requests.build(exchange, attempt, listener));
        } catch (RuntimeException e) {
            exchange.attempts().abandon(attempt);
            throw e;
        }
        return listener;
    }

    private void send(Exchange exchange, TryListener listener) {
        Attempt attempt = listener.attempt();
        attempt.backend.begin();
        if (exchange.attempts().hedgeable(attempt)) {
            rules.hedging.arm(attempt, () -> hedge(exchange, attempt));
        }
        listener.request().send(listener);
    }

    /** Jetty's end of a passed answer: completes the client's response, or aborts it when the answer broke. */
    private void complete(Exchange exchange, Result result) {
        if (result.isSucceeded()) {
            AsyncStarts.answered(exchange.request()); // before a deadline can fire between this and onComplete
            servlet.succeeded(exchange.request(), exchange.response(), result.getResponse());
        } else {
            abort(exchange, result.getResponse(), result.getFailure());
        }
    }

    /**
     * Jetty's end of a broken answer: an error answer while nothing was committed, else an aborted connection.
     * Jetty's abort tells no async listener, so the chain's filters are told first, through the one end of a
     * request they share ({@link AsyncStarts#aborting}): the route's count, the breaker's call, the drain count.
     * The breaker learns the answer broke, unless the client went away: then the backend did nothing wrong.
     * Past the request's deadline the request is the timeout's to end.
     */
    private void abort(Exchange exchange, Response serverResponse, Throwable failure) {
        if (exchange.response().isCommitted()) {
            if (exchange.attempts().isExpired()) {
                return; // past its deadline: the timeout refuses the proxy's abort, and aborts the request itself
            }
            try {
                AsyncStarts.aborting(exchange.request(),
                        exchange.attempts().clientFault() == null ? ErrorAnswers.BROKEN_ANSWER : null);
            } catch (IllegalStateException recycled) {
                // the request's deadline aborted it already, and the container recycled it: all were told then
            }
        }
        servlet.failed(exchange.request(), exchange.response(), serverResponse, failure);
    }

    /** Passes a kept answer to the client as it came, as a winning answer is. */
    private void answerWith(Exchange exchange, Exchange.KeptAnswer kept) {
        HttpServletRequest request = exchange.request();
        HttpServletResponse response = exchange.response();
        try {
            response.setStatus(kept.response().getStatus());
            servlet.onServerResponseHeaders(request, response, kept.response());
            response.setHeader(RequestIds.HEADER, exchange.requestId());
            response.getOutputStream().write(kept.body());
        } catch (IOException | RuntimeException e) {
            abort(exchange, kept.response(), e);
            return;
        }
        AsyncStarts.answered(request);
        servlet.succeeded(request, response, kept.response());
    }

    void fail(Exchange exchange, ErrorCode error) {
        ErrorAnswers.answer(exchange.request(), exchange.response(), error, Map.of());
    }

    /** Runs work that may block on a pool thread, off the client's network thread ({@link AnswerPassing}). */
    void offload(Runnable work) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException stopping) {
            work.run();
        }
    }
}
