package io.breakwater.proxy.internal;

import io.breakwater.core.time.internal.TimeoutScheduler;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded connection relayed to its backend, bytes as they come, both ways, with no thread of its own: the
 * client's side through the servlet container's non-blocking {@link ReadListener} and {@link WriteListener} on the
 * {@link WebConnection}, the backend's through an asynchronous channel's completion handlers. Each direction has one
 * buffer and at most one operation in flight, so a side that stops reading stops the other side's reads (the
 * backpressure is TCP's). An end of one side's stream is passed on as a half-close; the tunnel closes when both sides
 * have ended, when either fails, when it carried nothing for the idle timeout, or when the proxy stops. Thread-safe:
 * each direction's steps run one after another, on whichever thread completed the last one.
 */
final class Tunnel {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);
    static final int BUFFER_SIZE = 16 * 1024;

    private final AsynchronousSocketChannel backend;
    private final TunnelMetrics.Figures figures;
    private final TimeoutScheduler timers;
    private final long idleNanos;
    private final java.util.function.Consumer<Tunnel> onClosed;
    private final String requestId;
    private final byte[] up = new byte[BUFFER_SIZE];
    private final ByteBuffer down = ByteBuffer.allocate(BUFFER_SIZE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean clientEnded = new AtomicBoolean();
    private final AtomicBoolean backendEnded = new AtomicBoolean();
    /** What the backend sent after its 101's head, to pass on first; then {@code null}. */
    private ByteBuffer first;
    private volatile WebConnection connection;
    private ServletInputStream in;
    private ServletOutputStream out;
    /** Bytes written to the client that the container may still hold: flushed before the backend is read again. */
    private boolean flushDue;
    private volatile long lastActive = System.nanoTime();
    private volatile TimeoutScheduler.Entry idleCheck;

    Tunnel(AsynchronousSocketChannel backend, ByteBuffer first, TunnelMetrics.Figures figures,
            TimeoutScheduler timers, long idleNanos, String requestId,
            java.util.function.Consumer<Tunnel> onClosed) {
        this.backend = backend;
        this.first = first.hasRemaining() ? first : null;
        this.figures = figures;
        this.timers = timers;
        this.idleNanos = idleNanos;
        this.requestId = requestId;
        this.onClosed = onClosed;
    }

    /** The container switched the client's connection: the relay starts. */
    void start(WebConnection upgraded) {
        connection = upgraded;
        if (closed.get()) {
            closeQuietly(upgraded);
            return;
        }
        try {
            in = upgraded.getInputStream();
            out = upgraded.getOutputStream();
            scheduleIdleCheck();
            out.setWriteListener(new ToClient());
            in.setReadListener(new FromClient());
        } catch (IOException | RuntimeException e) {
            LOG.debug("tunnel {} could not start", requestId, e);
            close();
        }
    }

    private void touch() {
        lastActive = System.nanoTime();
    }

    private void scheduleIdleCheck() {
        try {
            idleCheck = timers.scheduleAt(this::checkIdle, lastActive + idleNanos);
        } catch (RejectedExecutionException e) {
            close(); // the proxy is stopping
        }
    }

    private void checkIdle() {
        if (closed.get()) {
            return;
        }
        if (System.nanoTime() - lastActive >= idleNanos) {
            LOG.debug("tunnel {} idle: closed", requestId);
            close();
        } else {
            scheduleIdleCheck();
        }
    }

    /** Closes both sides, once; the tunnel is then no longer counted. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        TimeoutScheduler.Entry check = idleCheck;
        if (check != null) {
            check.cancel();
        }
        try {
            backend.close();
        } catch (IOException e) {
            LOG.debug("tunnel {}: closing the backend's connection failed", requestId, e);
        }
        WebConnection client = connection;
        if (client != null) {
            closeQuietly(client);
        }
        onClosed.accept(this);
    }

    boolean isClosed() {
        return closed.get();
    }

    private void closeQuietly(WebConnection client) {
        try {
            client.close();
        } catch (Exception e) {
            LOG.debug("tunnel {}: closing the client's connection failed", requestId, e);
        }
    }

    /** The client's stream ended: the backend's side is half-closed, and the tunnel closed if both have ended. */
    private void clientEnded() {
        if (!clientEnded.compareAndSet(false, true)) {
            return;
        }
        try {
            backend.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        if (backendEnded.get()) {
            close();
        }
    }

    /** The backend's stream ended: the client's side is half-closed, and the tunnel closed if both have ended. */
    private void backendEnded() {
        if (!backendEnded.compareAndSet(false, true)) {
            return;
        }
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            close();
            return;
        }
        if (clientEnded.get()) {
            close();
        }
    }

    /** Client to backend: read what the client sent while it is ready, write it to the backend, read again. */
    private final class FromClient implements ReadListener, CompletionHandler<Integer, ByteBuffer> {
        @Override
        public void onDataAvailable() {
            relay();
        }

        private void relay() {
            try {
                while (!closed.get() && in.isReady()) {
                    int read = in.read(up);
                    if (read < 0) {
                        clientEnded();
                        return;
                    }
                    if (read > 0) {
                        touch();
                        figures.sent().inc(read);
                        ByteBuffer bytes = ByteBuffer.wrap(up, 0, read);
                        backend.write(bytes, bytes, this);
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("tunnel {}: reading the client failed", requestId, e);
                close();
            }
        }

        @Override
        public void completed(Integer written, ByteBuffer bytes) {
            if (bytes.hasRemaining()) {
                backend.write(bytes, bytes, this);
            } else {
                touch();
                relay();
            }
        }

        @Override
        public void failed(Throwable failure, ByteBuffer bytes) {
            LOG.debug("tunnel {}: writing to the backend failed", requestId, failure);
            close();
        }

        @Override
        public void onAllDataRead() {
            clientEnded();
        }

        @Override
        public void onError(Throwable failure) {
            LOG.debug("tunnel {}: the client's connection failed", requestId, failure);
            close();
        }
    }

    /** Backend to client: read what the backend sent, write it to the client, and read again once it is taken. */
    private final class ToClient implements WriteListener, CompletionHandler<Integer, Void> {
        @Override
        public void onWritePossible() {
            try {
                if (first != null) {
                    ByteBuffer bytes = first;
                    first = null;
                    figures.received().inc(bytes.remaining());
                    out.write(bytes.array(), bytes.position(), bytes.remaining());
                    flushDue = true;
                    if (!out.isReady()) {
                        return;
                    }
                }
                if (flushDue) {
                    flushDue = false;
                    out.flush();
                    if (!out.isReady()) {
                        return;
                    }
                }
                if (!closed.get()) {
                    down.clear();
                    backend.read(down, null, this);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("tunnel {}: writing to the client failed", requestId, e);
                close();
            }
        }

        @Override
        public void completed(Integer read, Void nothing) {
            if (read < 0) {
                backendEnded();
                return;
            }
            touch();
            figures.received().inc(read);
            try {
                out.write(down.array(), 0, read);
                flushDue = true;
                if (out.isReady()) {
                    onWritePossible();
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("tunnel {}: writing to the client failed", requestId, e);
                close();
            }
        }

        @Override
        public void failed(Throwable failure, Void nothing) {
            LOG.debug("tunnel {}: reading the backend failed", requestId, failure);
            close();
        }

        @Override
        public void onError(Throwable failure) {
            LOG.debug("tunnel {}: the client's connection failed", requestId, failure);
            close();
        }
    }
}
