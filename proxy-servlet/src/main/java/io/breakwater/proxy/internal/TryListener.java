package io.breakwater.proxy.internal;

import io.breakwater.core.error.RequestIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Receives one try's answer from Jetty's client and tells its {@link Attempts} what happened: passes the answer to
 * the client when it won, reads a lost one to its end and drops it, drops one set aside for its failover status, or
 * reads and keeps it (up to {@link #KEPT_ANSWER_LIMIT}) while a try beside it may bring a better one; at the end,
 * carries out the move the end decided ({@link Tries#carryOut}). Jetty calls it one event at a time; the answer
 * timer is the only field another thread touches.
 */
public final class TryListener implements Response.Listener {
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
    /** The timeout of a try with a streamed body, armed when the body is sent; {@code null} before. */
    private volatile Scheduler.Task answerTimer;
    /** What became of the answer when it began; {@code null} before. */
    private Move.Answer answer;
    /** The body of an answer being kept; {@code null} when it is not. */
    private ByteArrayOutputStream keeping;
    /** Whether part of this answer's body went to {@link #pass} already. */
    private boolean passing;

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

    void answerTimer(Scheduler.Task timer) {
        answerTimer = timer;
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
            demander.run();
        } else if (passes()) {
            pass(serverResponse, chunk, demander);
        } else if (keeping != null && keeping.size() + chunk.remaining() <= KEPT_ANSWER_LIMIT) {
            keeping.writeBytes(BufferUtil.toArray(chunk.getByteBuffer()));
            demander.run();
        } else if (keeping != null) {
            drop(serverResponse);
        }
    }

    /**
     * Passes part of the winning answer to the client. A whole answer read at once is sent here, on the client's
     * network thread, without blocking; anything else is written by a pool thread, as Jetty's listener would be,
     * since a write can block on a client that reads slowly. The next part is asked for once this one is out.
     */
    private void pass(Response serverResponse, Content.Chunk chunk, Runnable demander) {
        boolean first = !passing;
        passing = true;
        chunk.retain();
        Callback sent = Callback.from(chunk::release, Callback.from(demander, failure -> clientGone(serverResponse,
                failure)));
        if (first && chunk.remaining() == serverResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH)) {
            try {
                if (AnswerPassing.sendWhole(exchange.response().getOutputStream(), chunk.getByteBuffer(), sent)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                sent.failed(e);
                return;
            }
        }
        tries.offload(() -> {
            ByteBuffer bytes = chunk.getByteBuffer();
            byte[] copy = bytes.hasArray() ? null : BufferUtil.toArray(bytes);
            tries.servlet().passContent(exchange.request(), exchange.response(), serverResponse,
                    copy != null ? copy : bytes.array(), copy != null ? 0 : bytes.arrayOffset() + bytes.position(),
                    bytes.remaining(), sent);
        });
    }

    /** Writing the answer to the client failed: the client went away, which is no fault of the backend's. */
    private void clientGone(Response serverResponse, Throwable failure) {
        if (exchange.attempts().clientFault(ClientFault.GONE)) {
            tries.metrics().clientFault(ClientFault.GONE);
        }
        serverResponse.abort(failure);
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
        if (result.isFailed() || tries.rules().failoverStatuses.holds(result.getResponse().getStatus())) {
            tries.offload(() -> end(result));
        } else {
            end(result);
        }
    }

    private void end(Result result) {
        Scheduler.Task timer = answerTimer;
        if (timer != null) {
            timer.cancel();
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
