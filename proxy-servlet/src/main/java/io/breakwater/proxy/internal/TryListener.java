package io.breakwater.proxy.internal;

import io.breakwater.core.error.RequestIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Receives one try's answer from Jetty's client and tells its {@link Attempts} what happened: passes the answer to
 * the client when it won, reads a lost one to its end and drops it, drops one set aside for its failover status, or
 * reads and keeps it (up to {@link #KEPT_ANSWER_LIMIT}) while a try beside it may bring a better one; at the end,
 * carries out the move the end decided ({@link Tries#carryOut}). Its {@link TryTimer} bounds each phase, and ends
 * the try when the side it waits on takes too long. Jetty calls it one event at a time; it is also the callback of
 * the piece of an answer being passed to the client (one at a time: the next is asked for only once it is out),
 * and the timer's expiry, which runs on the timer's thread and touches only thread-safe parts. A try that ends
 * while a piece of its answer is being written ends once that write is done (guarded by this listener's monitor),
 * so that no part of a broken answer lands after the response was reset for another. It records, as Jetty tells
 * it, where the try is ({@link Attempt.Phase}): the request's and the answer's sides are told on their own threads,
 * and the phase only moves forward.
 */
public final class TryListener implements Response.Listener, Request.Listener, Callback, TryTimer.Expiry {
    /**
     * The largest body of a failover answer kept for the client while a try beside it may still answer (a
     * backend's error page; a longer one is dropped as before).
     */
    public static final int KEPT_ANSWER_LIMIT = 64 * 1024;

    private final Tries tries;
    private final Exchange exchange;
    private final Attempt attempt;
    /** The try's request, once built. */
    private Request request;
    /** Bounds each phase of the try; set with the request. */
    private TryTimer timer;
    /** What became of the answer when it began; {@code null} before. */
    private Move.Answer answer;
    /** The body of an answer being kept; {@code null} when it is not. */
    private ByteArrayOutputStream keeping;
    /** Whether part of this answer's body went to {@link #pass} already. */
    private boolean passing;
    /** Whether the request was sent whole; told on the request's side, read on the answer's. */
    private volatile boolean requestSent;
    /** The bytes of the answer's body passed on so far. */
    private long passedBytes;
    /** The piece of the answer being passed to the client and how to ask for the next, until it is out. */
    private volatile Content.Chunk passed;
    private volatile Runnable demander;
    /** Pieces of the answer handed to the client's response and not written yet; guarded by this. */
    private int writing;
    /** The end of the try, held while a piece of its answer is still being written; guarded by this. */
    private Result endAfterWrite;

    TryListener(Tries tries, Exchange exchange, Attempt attempt) {
        this.tries = tries;
        this.exchange = exchange;
        this.attempt = attempt;
    }

    Attempt attempt() {
        return attempt;
    }

    Request request() {
        return request;
    }

    void request(Request built) {
        request = built;
    }

    void timer(TryTimer built) {
        timer = built;
    }

    /** The request took a connection and begins to leave, before any byte of it is written. */
    @Override
    public void onBegin(Request proxyRequest) {
        attempt.connected();
    }

    /**
     * The answer came whole while the request was still being sent (a backend that answers an upload early, a 401
     * or a 413): the rest of the body is not sent, and the try ends with its answer rather than waiting on the
     * client's next bytes.
     */
    @Override
    public void onSuccess(Response serverResponse) {
        if (!requestSent && exchange.streamedBody() != null) {
            // only a streamed body can still be waiting on the client; any other request ends of itself at once
            exchange.attempts().answeredEarly(attempt);
            request.abort(new FailoverPolicy.AnsweredEarly());
        }
    }

    /** The request was sent whole: the backend's answer head is awaited. */
    @Override
    public void onSuccess(Request proxyRequest) {
        requestSent = true;
        attempt.reached(Attempt.Phase.HEAD);
    }

    @Override
    public void onBegin(Response serverResponse) {
        answer = exchange.attempts().answerBegan(attempt, serverResponse.getStatus());
        switch (answer) {
            case REFUSE_UPGRADE -> serverResponse.abort(new FailoverPolicy.UnrequestedUpgrade());
            case KEEP -> keeping = new ByteArrayOutputStream();
            case PASS_HEDGE, PASS -> {
                if (answer == Move.Answer.PASS_HEDGE) {
                    tries.metrics().hedgeWon();
                }
                if (exchange.containerEnds()) {
                    clientGone(serverResponse);
                    return;
                }
                exchange.response().setStatus(serverResponse.getStatus());
            }
            case LOSE, DROP -> {
                // nothing of it reaches the client
            }
        }
    }

    @Override
    public void onHeaders(Response serverResponse) {
        attempt.reached(Attempt.Phase.BODY);
        timer.waitingOnBackend();
        if (answer == Move.Answer.DROP || answer == Move.Answer.KEEP && (keeping == null
                || serverResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > KEPT_ANSWER_LIMIT)) {
            drop(serverResponse);
        } else if (passes() && exchange.containerEnds()) {
            clientGone(serverResponse);
        } else if (passes()) {
            tries.servlet().onServerResponseHeaders(exchange.request(), exchange.response(), serverResponse);
            exchange.response().setHeader(RequestIds.HEADER, exchange.requestId());
        }
    }

    private boolean passes() {
        return answer == Move.Answer.PASS || answer == Move.Answer.PASS_HEDGE;
    }

    @Override
    public void onContent(Response serverResponse, Content.Chunk chunk, Runnable demander) {
        if (answer == Move.Answer.LOSE) {
            // Read to its end and dropped, so that the connection stays usable.
            timer.waitingOnBackend();
            demander.run();
        } else if (passes()) {
            pass(serverResponse, chunk, demander);
        } else if (keeping != null && keeping.size() + chunk.remaining() <= KEPT_ANSWER_LIMIT) {
            keeping.writeBytes(BufferUtil.toArray(chunk.getByteBuffer()));
            timer.waitingOnBackend();
            demander.run();
        } else if (keeping != null) {
            drop(serverResponse);
        }
    }

    /**
     * Passes part of the winning answer to the client. A whole answer read at once is sent here, on the client's
     * network thread, without blocking; anything else is written by a pool thread, as Jetty's listener would be,
     * since a write can block on a client that reads slowly. The next part is asked for once this one is out
     * ({@link #succeeded}); meanwhile the try waits on the client.
     */
    private void pass(Response serverResponse, Content.Chunk chunk, Runnable demander) {
        boolean first = !passing;
        passing = true;
        passedBytes += chunk.remaining();
        chunk.retain();
        synchronized (this) {
            writing++;
        }
        this.demander = demander;
        passed = chunk;
        timer.waitingOnClient();
        if (exchange.containerEnds()) {
            failed(new ClientFault.Failure(ClientFault.GONE)); // nobody is left to take it
            return;
        }
        if (first && chunk.remaining() == serverResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH)) {
            try {
                if (AnswerPassing.sendWhole(exchange.response().getOutputStream(), chunk.getByteBuffer(), this)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                failed(e);
                return;
            }
        }
        tries.offload(() -> {
            ByteBuffer bytes = chunk.getByteBuffer();
            byte[] copy = bytes.hasArray() ? null : BufferUtil.toArray(bytes);
            tries.servlet().passContent(exchange.request(), exchange.response(), serverResponse,
                    copy != null ? copy : bytes.array(), copy != null ? 0 : bytes.arrayOffset() + bytes.position(),
                    bytes.remaining(), this);
        });
    }

    /** The piece passed is out: the next is asked for, and the try waits on the backend again. */
    @Override
    public void succeeded() {
        Runnable next = demander;
        release();
        timer.waitingOnBackend();
        next.run();
        written();
    }

    /**
     * Writing the answer to the client failed: the client went away, or took nothing until the container's own
     * idle timeout, which is no fault of the backend's. Past the request's deadline, the timeout refused the write:
     * the client did nothing, and is not counted.
     */
    @Override
    public void failed(Throwable failure) {
        release();
        if (!exchange.attempts().isExpired()) {
            ClientFault fault = ClientFault.ofWriteFailure(failure);
            if (exchange.attempts().clientFault(fault)) {
                tries.metrics().clientFault(fault);
            }
        }
        request.abort(failure);
        written();
    }

    private void release() {
        Content.Chunk chunk = passed;
        passed = null;
        demander = null;
        chunk.release();
    }

    /**
     * A write of the answer to the client is done: a try that ended meanwhile ends now, so that no part of its
     * answer is still on its way to the client while another answer replaces it or the response is reset.
     */
    private void written() {
        Result deferred;
        synchronized (this) {
            if (--writing > 0 || endAfterWrite == null) {
                return;
            }
            deferred = endAfterWrite;
            endAfterWrite = null;
        }
        tries.offload(() -> end(deferred));
    }

    /**
     * The side the try waited on took too long: the backend (no answer head within the try's time, or nothing of
     * its body for {@code backendIdleTimeout} or past the request's deadline), which is the backend's failure, or
     * the client, which took nothing for {@code clientIdleTimeout}: a stalled client, whose connection is aborted.
     */
    @Override
    public void expired(TryTimer.Phase phase) {
        switch (phase) {
            case HEAD -> request.abort(new TimeoutException("no answer within " + attempt.budget.toMillis() + " ms"));
            case BACKEND -> request.abort(new TimeoutException("the answer stalled: nothing of its body in time"));
            case CLIENT -> {
                if (exchange.attempts().clientFault(ClientFault.STALLED)) {
                    tries.metrics().clientFault(ClientFault.STALLED);
                }
                request.abort(new ClientFault.Failure(ClientFault.STALLED));
            }
            case DONE -> {
                // never expires
            }
        }
    }

    /**
     * The container reported the client's request failed (the client went away) before the answer could reach it:
     * nobody is left to take it, which is no fault of the backend's.
     */
    private void clientGone(Response serverResponse) {
        if (exchange.attempts().clientFault(ClientFault.GONE)) {
            tries.metrics().clientFault(ClientFault.GONE);
        }
        serverResponse.abort(new ClientFault.Failure(ClientFault.GONE));
    }

    /** Gives up a dropped answer: its connection is closed rather than read to the end. */
    private void drop(Response serverResponse) {
        keeping = null;
        serverResponse.abort(new FailoverPolicy.FailoverStatus());
    }

    /**
     * Ends the try. A failed one, or one whose status calls for failover, may lead to an error body or a kept
     * answer being written: that is a pool thread's work, off the client's network thread.
     */
    /**
     * A backend may answer a request before it has read all of its body (a 401 or a 413 to an upload) and close
     * the connection: the request's side then fails, but the answer came whole, and it is the client's, complete.
     */
    private Result answeredEarly(Result result) {
        if (answer != null && (result.getResponseFailure() == null || passes() && passedWhole(result.getResponse()))) {
            return new Result(result.getRequest(), null, result.getResponse(), null);
        }
        return result;
    }

    /** Whether the answer's body, as long as its {@code Content-Length} says, was passed on whole. */
    private boolean passedWhole(Response serverResponse) {
        long length = serverResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        return length >= 0 && passedBytes == length;
    }

    /**
     * Where a try that failed before it took a connection failed, from its failure site: Jetty refused to queue it
     * (its queue for the backend is full: the proxy's own overload), its connect failed or is still pending (the
     * backend did not take the connection: the backend's), or it waited for a connection busy with other requests
     * (the proxy's own queue).
     */
    private Attempt.Phase whereQueuedTryFailed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RejectedExecutionException) {
                return Attempt.Phase.REJECTED; // thrown by Jetty's queue itself, "max requests queued"
            }
            if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.nio.channels.UnresolvedAddressException) {
                return Attempt.Phase.CONNECTING; // failed by the connect itself
            }
        }
        Destination destination = tries.client().resolveDestination(request);
        if (destination.getConnectionPool() instanceof AbstractConnectionPool pool
                && pool.getPendingConnectionCount() > 0) {
            return Attempt.Phase.CONNECTING; // a connect to the backend is under way and not taken yet
        }
        return Attempt.Phase.QUEUED;
    }

    @Override
    public void onComplete(Result result) {
        timer.end(); // before a failed end is handed over: an ended try never expires
        synchronized (this) {
            if (writing > 0) {
                endAfterWrite = result; // a piece of the answer is on its way to the client: it ends after that
                return;
            }
        }
        if (result.isFailed() || tries.rules().failoverStatuses.holds(result.getResponse().getStatus())) {
            tries.offload(() -> end(result));
        } else {
            end(result);
        }
    }

    private void end(Result ending) {
        Result result = ending;
        if (ending.isFailed()) {
            result = answeredEarly(ending);
            if (result.isFailed()) {
                attempt.failedQueued(whereQueuedTryFailed(result.getFailure()));
            }
        }
        long nanos = System.nanoTime() - attempt.startNanos;
        attempt.backend.end();
        tries.metrics().latency(attempt.backend, nanos);
        Exchange.KeptAnswer kept = keeping != null && result.isSucceeded()
                ? new Exchange.KeptAnswer(result.getResponse(), keeping.toByteArray()) : null;
        Move move = exchange.attempts().ended(attempt, result.getFailure(), result.getResponse().getStatus(), kept,
                nanos);
        tries.carryOut(exchange, attempt, move, result);
    }
}
