package io.breakwater.proxy.internal;

import io.breakwater.core.error.RequestIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
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
 * and the timer's expiry, which runs on the timer's thread and touches only thread-safe parts.
 */
public final class TryListener implements Response.Listener, Callback, TryTimer.Expiry {
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
    /** The piece of the answer being passed to the client and how to ask for the next, until it is out. */
    private volatile Content.Chunk passed;
    private volatile Runnable demander;

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
                exchange.response().setStatus(serverResponse.getStatus());
            }
            case LOSE, DROP -> {
                // nothing of it reaches the client
            }
        }
    }

    @Override
    public void onHeaders(Response serverResponse) {
        timer.waitingOnBackend();
        if (answer == Move.Answer.DROP || answer == Move.Answer.KEEP && (keeping == null
                || serverResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > KEPT_ANSWER_LIMIT)) {
            drop(serverResponse);
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
        chunk.retain();
        this.demander = demander;
        passed = chunk;
        timer.waitingOnClient();
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
    }

    /**
     * Writing the answer to the client failed: the client went away, or took nothing until the container's own
     * idle timeout, which is no fault of the backend's.
     */
    @Override
    public void failed(Throwable failure) {
        release();
        ClientFault fault = ClientFault.ofWriteFailure(failure);
        if (exchange.attempts().clientFault(fault)) {
            tries.metrics().clientFault(fault);
        }
        request.abort(failure);
    }

    private void release() {
        Content.Chunk chunk = passed;
        passed = null;
        demander = null;
        chunk.release();
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

    /** Gives up a dropped answer: its connection is closed rather than read to the end. */
    private void drop(Response serverResponse) {
        keeping = null;
        serverResponse.abort(new FailoverPolicy.FailoverStatus());
    }

    /**
     * Ends the try. A failed one, or one whose status calls for failover, may lead to an error body or a kept
     * answer being written: that is a pool thread's work, off the client's network thread.
     */
    @Override
    public void onComplete(Result result) {
        timer.end(); // before a failed end is handed over: an ended try never expires
        if (result.isFailed() || tries.rules().failoverStatuses.holds(result.getResponse().getStatus())) {
            tries.offload(() -> end(result));
        } else {
            end(result);
        }
    }

    private void end(Result result) {
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
