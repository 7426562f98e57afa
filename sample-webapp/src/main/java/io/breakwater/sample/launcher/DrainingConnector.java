package io.breakwater.sample.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A {@link ServerConnector} that, told to stop accepting, first takes in the connections already waiting in its
 * listening socket's backlog, then closes the socket: closing a socket with a backlog resets those connections, and
 * their clients lose requests they have already sent. What is left is a window of microseconds between the last
 * accept and the close. One acceptor thread. Thread-safe; not final only so that a test can hold its acceptor.
 */
class DrainingConnector extends ServerConnector {
    private static final Duration WAKE_TIMEOUT = Duration.ofSeconds(1);

    private volatile boolean draining;
    /** Set once the listening socket is closed: from then on no connection can join. */
    private volatile boolean closing;
    /** Accepted connections whose endpoint Jetty has not opened yet: the selector opens it on its own thread. */
    private final AtomicInteger opening = new AtomicInteger();
    private final CompletableFuture<Void> listenerClosed = new CompletableFuture<>();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();

    DrainingConnector(Server server) {
        super(server, 1, -1);
    }

    /** Speaking the protocols of these factories, the first one first. */
    DrainingConnector(Server server, ConnectionFactory... factories) {
        super(server, 1, -1, factories);
    }

    @Override
    public void accept(int acceptorID) throws IOException {
        if (!draining) {
            super.accept(acceptorID);
            return;
        }
        try {
            ServerSocketChannel channel = (ServerSocketChannel) getTransport();
            if (channel != null && channel.isOpen()) {
                // the one acceptor is this thread: nobody else uses the channel
                channel.configureBlocking(false);
                for (SocketChannel waiting = channel.accept(); waiting != null; waiting = channel.accept()) {
                    waiting.configureBlocking(false);
                    configure(waiting.socket());
                    getSelectorManager().accept(waiting);
                }
            }
        } finally {
            stopListening();
        }
    }

    /** Every accepted connection passes here, on the acceptor's thread, before it goes to a selector. */
    @Override
    protected void configure(Socket socket) {
        opening.incrementAndGet();
        super.configure(socket);
    }

    @Override
    protected void onEndPointOpened(EndPoint endpoint) {
        super.onEndPointOpened(endpoint);
        if (closing) {
            // Jetty shortened the idle timeout of the connections open at shutdown only
            endpoint.setIdleTimeout(getShutdownIdleTimeout());
        }
        opening.decrementAndGet();
        checkAllClosed();
    }

    @Override
    protected void onEndPointClosed(EndPoint endpoint) {
        super.onEndPointClosed(endpoint);
        checkAllClosed();
    }

    private void checkAllClosed() {
        if (closing && opening.get() == 0 && getConnectedEndPoints().isEmpty()) {
            allClosed.complete(null);
        }
    }

    private void stopListening() {
        // Jetty's shutdown is idempotent: it closes the socket and marks every answer Connection: close
        shutdown();
        closing = true;
        listenerClosed.complete(null);
        checkAllClosed();
    }

    /** Whether {@link #stopAccepting()} has begun. */
    boolean isDraining() {
        return draining;
    }

    /**
     * Refuses new connections from now on, once those already waiting are taken in; open connections stay, each
     * answer from now on says {@code Connection: close}, and an idle connection closes after Jetty's shutdown idle
     * timeout (1 s). Returns, once the listening socket is closed, a future that completes when every connection
     * has closed, those just taken in included: then no request can arrive any more. (Should Jetty fail to open
     * one, the future waits for the caller's own limit.)
     */
    CompletableFuture<Void> stopAccepting() {
        int port = getLocalPort();
        draining = true;
        // The acceptor blocks in accept(): a connection of our own wakes it up, and it drains on its next turn.
        try (Socket wake = new Socket()) {
            InetAddress host = getHost() == null || getHost().equals("0.0.0.0") || getHost().equals("::")
                    ? InetAddress.getLoopbackAddress() : InetAddress.getByName(getHost());
            wake.connect(new InetSocketAddress(host, port), (int) WAKE_TIMEOUT.toMillis());
            listenerClosed.get(WAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | TimeoutException | ExecutionException e) {
            // no wake-up: the socket closes below, without taking in the backlog
            stopListening();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopListening();
        }
        return allClosed;
    }
}
