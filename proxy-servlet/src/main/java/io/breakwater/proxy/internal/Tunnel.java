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
 * backpressure is TCP's). The end of the client's stream is passed on to the backend as a half-close; the tunnel
 * closes when the backend's stream ends, when either side fails, when it carried nothing for the idle timeout, or
 * when the proxy stops. Thread-safe: each direction's steps run one at a time ({@link Serial}), on whichever thread
 * completed the last one.
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
    /** What the backend sent after its 101's head, to pass on first; then {@code null}. ToClient's, in its steps. */
    private ByteBuffer first;
    private volatile WebConnection connection;
    /** On Jetty, the client's connection, read directly (see {@link TunnelEndPoints}); else {@code null}. */
    private final TunnelEndPoints.ClientConnection jettyEndPoint;
    private volatile ServletInputStream in;
    private volatile ServletOutputStream out;
    /** Held by each step that touches the client's streams; see {@link Serial}. Set before the first step. */
    private volatile java.util.concurrent.locks.Lock clientLock;
    /** Bytes written to the client that the container may still hold: flushed before the backend is read again. */
    private boolean flushDue; // ToClient's, in its steps
    private volatile long lastActive = System.nanoTime();
    private volatile TimeoutScheduler.Entry idleCheck;

    Tunnel(AsynchronousSocketChannel backend, ByteBuffer first, TunnelMetrics.Figures figures,
            TimeoutScheduler timers, long idleNanos, String requestId,
            TunnelEndPoints.ClientConnection jettyEndPoint,
            java.util.function.Consumer<Tunnel> onClosed) {
        this.backend = backend;
        this.jettyEndPoint = jettyEndPoint;
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
            clientLock = TunnelEndPoints.clientLock(out);
            scheduleIdleCheck();
            out.setWriteListener(new ToClient());
            if (jettyEndPoint != null) {
                new FromEndPoint(jettyEndPoint).relay();
            } else {
                in.setReadListener(new FromClient());
            }
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
            // The client's socket first: closing the upgraded streams may wait on a last write, and the client must
            // learn of the end whatever that write does. Under the connection's lock, as every step runs, so that
            // a close from a backend's or the idle timer's thread never races the container on that connection.
            java.util.concurrent.locks.Lock lock = clientLock;
            if (lock != null) {
                lock.lock();
            }
            try {
                TunnelEndPoints.closeTomcatSocket(out);
                if (jettyEndPoint != null) {
                    jettyEndPoint.close();
                }
                closeQuietly(client);
            } finally {
                if (lock != null) {
                    lock.unlock();
                }
            }
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

    /** The client's stream ended: the backend's side is half-closed; the backend's end closes the tunnel. */
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
    }

    /**
     * The backend's stream ended, and what it sent before is written: the tunnel closes. The Servlet API cannot
     * half-close an upgraded connection (closing its output stream sends no FIN on Tomcat), and a client waits for
     * the server's side to close its connection after a WebSocket close (RFC 6455, 7.1.1).
     */
    private void backendEnded() {
        close();
    }

    /**
     * Runs a direction's step on one thread at a time: a call while another thread is in the step makes that thread
     * step once more. Each step holds the client connection's lock ({@link TunnelEndPoints#clientLock}), which a
     * container thread calling a listener holds already: a step on a backend's thread then touches the container's
     * streams as a container thread would, never beside one. No lock of the tunnel's own is held while the step
     * waits for the container's, and the container's calls into the tunnel never wait, so no thread waits in a cycle.
     */
    private final class Serial {
        private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        private final Runnable step;

        Serial(Runnable step) {
            this.step = step;
        }

        void run() {
            if (calls.getAndIncrement() != 0) {
                return;
            }
            do {
                clientLock.lock();
                try {
                    step.run();
                } finally {
                    clientLock.unlock();
                }
            } while (calls.decrementAndGet() != 0);
        }
    }

    /**
     * Client to backend: read what the client sent while it is ready, write it to the backend, read again. A
     * container may call {@code onDataAvailable} while a write is still under way (Tomcat does): the write's end
     * reads on, so such a call does nothing.
     */
    private final class FromClient implements ReadListener, CompletionHandler<Integer, ByteBuffer> {
        private final Serial serial = new Serial(this::step);
        /** A write to the backend is under way. */
        private volatile boolean writing;

        @Override
        public void onDataAvailable() {
            serial.run();
        }

        private void step() {
            if (writing) {
                return;
            }
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
                        writing = true;
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
                return;
            }
            touch();
            writing = false;
            serial.run();
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

    /**
     * Client to backend on Jetty, read from Jetty's connection ({@link TunnelEndPoints}): fills while bytes are
     * there, writes them to the backend, and asks to be told of more.
     */
    private final class FromEndPoint implements CompletionHandler<Integer, ByteBuffer> {
        private final TunnelEndPoints.ClientConnection endPoint;
        private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_SIZE);

        FromEndPoint(TunnelEndPoints.ClientConnection endPoint) {
            this.endPoint = endPoint;
        }

        void relay() {
            try {
                if (closed.get()) {
                    return;
                }
                bytes.clear().limit(0); // Jetty fills after the limit
                int read = endPoint.fill(bytes);
                if (read < 0) {
                    clientEnded();
                } else if (read == 0) {
                    endPoint.fillInterested(this::relay, this::failed);
                } else {
                    touch();
                    figures.sent().inc(read);
                    backend.write(bytes, bytes, this);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("tunnel {}: reading the client failed", requestId, e);
                close();
            }
        }

        private void failed(Throwable failure) {
            LOG.debug("tunnel {}: the client's connection failed", requestId, failure);
            close();
        }

        @Override
        public void completed(Integer written, ByteBuffer buffer) {
            if (buffer.hasRemaining()) {
                backend.write(buffer, buffer, this);
            } else {
                touch();
                relay();
            }
        }

        @Override
        public void failed(Throwable failure, ByteBuffer buffer) {
            LOG.debug("tunnel {}: writing to the backend failed", requestId, failure);
            close();
        }
    }

    /**
     * Backend to client: read what the backend sent, write it to the client, and read again once it is taken. A
     * container may call {@code onWritePossible} while a read is under way: the read's end writes on, so such a call
     * does nothing.
     */
    private final class ToClient implements WriteListener, CompletionHandler<Integer, Void> {
        private final Serial serial = new Serial(this::step);
        /** A read from the backend is under way. */
        private volatile boolean reading;
        /** Bytes of the last read, in {@code down}, not yet written to the client. */
        private volatile int received;

        @Override
        public void onWritePossible() {
            serial.run();
        }

        private void step() {
            if (reading) {
                return;
            }
            try {
                if (received > 0) {
                    int count = received;
                    received = 0;
                    out.write(down.array(), 0, count);
                    flushDue = true;
                    if (!out.isReady()) {
                        return;
                    }
                }
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
                    reading = true;
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
            received = read;
            reading = false;
            serial.run();
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
