package io.breakwater.proxy;

import io.breakwater.core.time.Deadline;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a client's request body without holding a thread while the client is slow: whole into memory up to the
 * replay limit (then the body is {@link Sink#ready ready} and a backend is chosen), or, past it, streamed to the one
 * try as it comes, taking the next bytes only once the backend took the last ones. Each wait for the client's next
 * bytes is timed by {@code bodyReadTimeout} (and the request's deadline); time the backend takes is never the
 * client's. A body that ends early,
 * is malformed, stalls, runs past {@code maxBodySize} or whose client goes away is a {@link ClientFault}, reported
 * once. Thread-safe: the container calls it one call at a time, and the stall timer races it only through the
 * compare-and-set of {@link #fault}.
 */
final class ClientBody extends IteratingCallback implements ReadListener {
    /** How long before the request's deadline a stalled client is answered, at the most. */
    static final long DEADLINE_MARGIN_MS = 1000;
    /** Where the body goes. */
    interface Sink {
        /**
         * The body is whole ({@code bytes}) or being streamed ({@code streamed}); called once. Returns the
         * exchange that now owns a streamed body, or {@code null} when the request was answered without a try.
         */
        Exchange ready(byte[] bytes, Request.Content streamed);

        /** The client's fault; {@code exchange} is the one {@link #ready} returned, or {@code null} before it. */
        void failed(ClientFault fault, Exchange exchange);
    }

    private final HttpServletRequest request;
    private final long replayLimit;
    private final long maxBodySize;
    private final Duration readTimeout;
    /** The request's deadline (TimeoutFilter's), or {@code null}. */
    private final Deadline deadline;
    private final Scheduler scheduler;
    private final Sink sink;
    private final byte[] chunk = new byte[8192];
    private final ByteArrayOutputStream buffer;
    private final AtomicReference<ClientFault> fault = new AtomicReference<>();
    private ServletInputStream in;
    private long received;
    /** The streamed body once it outgrew the buffer; {@code null} before. */
    private volatile AsyncRequestContent content;
    private volatile Exchange exchange;
    /**
     * Counts the reads that brought bytes: a stall timer fires only when none came since it was armed, so that one
     * armed just as the client's next bytes arrive cannot blame a client that is sending.
     */
    private volatile long progress;
    private volatile Scheduler.Task stallTimer;

    ClientBody(HttpServletRequest request, long replayBufferSize, long maxBodySize, Duration readTimeout,
            Scheduler scheduler, Sink sink) {
        this.request = request;
        this.replayLimit = Math.min(replayBufferSize, maxBodySize);
        this.maxBodySize = maxBodySize;
        this.readTimeout = readTimeout;
        this.deadline = Deadline.of(request).orElse(null);
        this.scheduler = scheduler;
        this.sink = sink;
        this.buffer = new ByteArrayOutputStream((int) Math.min(replayLimit + 1, chunk.length));
    }

    /** Starts reading; the request must be in async mode. */
    void start() throws IOException {
        in = request.getInputStream();
        in.setReadListener(this);
    }

    @Override
    public void onDataAvailable() {
        cancelStallTimer();
        iterate();
    }

    @Override
    public void onAllDataRead() {
        cancelStallTimer();
        iterate();
    }

    /** The container failed the body: its framing, its end, the connection. */
    @Override
    public void onError(Throwable failure) {
        fault(ClientFault.ofReadFailure(failure));
    }

    @Override
    protected Action process() {
        while (fault.get() == null) {
            if (in.isFinished()) {
                finish();
                return Action.SUCCEEDED;
            }
            if (!in.isReady()) {
                armStallTimer();
                return Action.IDLE;
            }
            int read;
            try {
                read = in.read(chunk);
            } catch (IOException e) {
                fault(ClientFault.ofReadFailure(e));
                return Action.SUCCEEDED;
            }
            if (read <= 0) {
                continue; // -1 shows as isFinished; 0 is no progress
            }
            received += read;
            progress++;
            if (received > maxBodySize) {
                fault(ClientFault.TOO_LARGE);
                return Action.SUCCEEDED;
            }
            if (content != null) {
                content.write(ByteBuffer.wrap(chunk, 0, read), this);
                return Action.SCHEDULED;
            }
            buffer.write(chunk, 0, read);
            if (buffer.size() > replayLimit) {
                // Too large to replay: the bytes so far go first, the rest as the client sends it.
                content = new StreamedContent(request);
                content.write(ByteBuffer.wrap(buffer.toByteArray()), this);
                exchange = sink.ready(null, content);
                if (exchange == null) {
                    content.fail(new ClientFault.Failure(ClientFault.GONE));
                }
                return Action.SCHEDULED;
            }
        }
        return Action.SUCCEEDED;
    }

    private void finish() {
        if (content != null) {
            content.close();
        } else {
            sink.ready(buffer.toByteArray(), null);
        }
    }

    /**
     * A write of the streamed body failed: the try it fed failed or ended, and that try's listener tells why. The
     * client is not blamed for it.
     */
    @Override
    protected void onCompleteFailure(Throwable cause) {
        cancelStallTimer();
    }

    private void fault(ClientFault kind) {
        if (!fault.compareAndSet(null, kind)) {
            return;
        }
        cancelStallTimer();
        Exchange owner = exchange;
        sink.failed(kind, owner);
        if (content != null) {
            // After the exchange knows: the try fails with this, and its listener must find the client's fault.
            content.fail(new ClientFault.Failure(kind));
        }
    }

    private void armStallTimer() {
        cancelStallTimer();
        long armedAt = progress;
        stallTimer = scheduler.schedule(() -> {
            if (progress == armedAt) {
                fault(ClientFault.STALLED);
            }
        }, stallAfterMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@code bodyReadTimeout}, or less when the request's deadline is nearer: a client that trickles its body past
     * the deadline is answered 408 a little before it (a quarter of the time left, at most
     * {@value #DEADLINE_MARGIN_MS} ms, so that the answer is out before the deadline's timer fires even on a busy
     * host), rather than left to the deadline's 503, which a breaker would count against the route.
     */
    private long stallAfterMillis() {
        long wait = readTimeout.toMillis();
        if (deadline == null) {
            return wait;
        }
        long left = deadline.remaining().toMillis();
        return Math.max(0, Math.min(wait, left - Math.min(DEADLINE_MARGIN_MS, left / 4)));
    }

    private void cancelStallTimer() {
        Scheduler.Task timer = stallTimer;
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Its reads and writes never block (as Jetty's own {@code AsyncProxyServlet.StreamReader} says of its own). */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /** A streamed body, whose length is the one the client declared (-1: chunked). */
    private static final class StreamedContent extends AsyncRequestContent {
        private final long length;

        StreamedContent(HttpServletRequest request) {
            super(request.getContentType() != null ? request.getContentType() : "application/octet-stream");
            this.length = request.getContentLengthLong();
        }

        @Override
        public long getLength() {
            return length;
        }
    }
}
