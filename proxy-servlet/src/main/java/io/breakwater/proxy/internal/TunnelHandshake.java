package io.breakwater.proxy.internal;

import io.breakwater.proxy.balance.Backend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One upgrade handshake with one backend over a raw connection: connect, send the request's head, read the answer's
 * head (and a non-101 answer's body, to pass it on). The request's thread waits on each step, at most until the
 * step's deadline; the connection itself is asynchronous, so that a 101 hands it to a {@link Tunnel} as it is. Used by
 * one thread at a time.
 */
final class TunnelHandshake implements AutoCloseable {
    private final AsynchronousSocketChannel channel;
    private byte[] received = new byte[4096];
    private int filled;
    private int headLength;

    private TunnelHandshake(AsynchronousSocketChannel channel) {
        this.channel = channel;
    }

    /** Connects to the backend within {@code timeoutNanos}. */
    static TunnelHandshake connect(AsynchronousChannelGroup group, Backend backend, long timeoutNanos)
            throws IOException, InterruptedException, TimeoutException {
        AsynchronousSocketChannel channel = AsynchronousSocketChannel.open(group);
        TunnelHandshake handshake = new TunnelHandshake(channel);
        try {
            InetSocketAddress address = new InetSocketAddress(backend.uri().getHost(), port(backend));
            await(channel.connect(address), System.nanoTime() + timeoutNanos);
            return handshake;
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            handshake.close();
            throw e;
        }
    }

    private static int port(Backend backend) {
        int port = backend.uri().getPort();
        return port > 0 ? port : 80;
    }

    /** Sends the request's head, by {@code deadline} ({@link System#nanoTime()}). */
    void send(String head, long deadline) throws IOException, InterruptedException, TimeoutException {
        ByteBuffer bytes = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
        while (bytes.hasRemaining()) {
            await(channel.write(bytes), deadline);
        }
    }

    /** Reads the answer's head, interim answers other than a 101 skipped, by {@code deadline}. */
    TunnelHead readHead(long deadline) throws IOException, InterruptedException, TimeoutException {
        while (true) {
            int end;
            while ((end = TunnelHead.end(received, filled)) < 0) {
                if (filled >= TunnelHead.MAX_SIZE) {
                    throw new IOException("answer head over " + TunnelHead.MAX_SIZE + " bytes from the backend");
                }
                if (readMore(deadline) < 0) {
                    throw new IOException("the backend closed the connection before its answer");
                }
            }
            TunnelHead head = TunnelHead.parse(received, end - 4);
            if (head.status() >= 200 || head.status() == 101) {
                headLength = end;
                return head;
            }
            consume(end); // a 100 or 103: the answer is still to come
        }
    }

    /** The bytes the backend sent after its head, already read: the tunnel's first. */
    ByteBuffer afterHead() {
        return ByteBuffer.wrap(Arrays.copyOfRange(received, headLength, filled));
    }

    /** The body of a non-101 answer, at most {@code max} bytes, by {@code deadline}. */
    byte[] readBody(TunnelHead head, int max, long deadline) throws IOException, InterruptedException,
            TimeoutException {
        consume(headLength);
        long length = head.bodyLength();
        if (length > max) {
            throw new IOException("answer body over " + max + " bytes");
        }
        if (length >= 0) {
            while (filled < length) {
                if (readMore(deadline) < 0) {
                    throw new IOException("the backend closed the connection in its answer's body");
                }
            }
            return Arrays.copyOf(received, (int) length);
        }
        while (true) {
            if (length == -1) {
                byte[] body = TunnelChunks.decode(received, filled);
                if (body != null) {
                    return body;
                }
            }
            if (filled > max + 1024) {
                throw new IOException("answer body over " + max + " bytes");
            }
            if (readMore(deadline) < 0) {
                if (length == -2) {
                    return Arrays.copyOf(received, filled);
                }
                throw new IOException("the backend closed the connection in its answer's body");
            }
        }
    }

    /** The connection, for the tunnel. */
    AsynchronousSocketChannel channel() {
        return channel;
    }

    private int readMore(long deadline) throws IOException, InterruptedException, TimeoutException {
        if (filled == received.length) {
            received = Arrays.copyOf(received, received.length * 2);
        }
        ByteBuffer into = ByteBuffer.wrap(received, filled, received.length - filled);
        int read = await(channel.read(into), deadline);
        if (read > 0) {
            filled += read;
        }
        return read;
    }

    private void consume(int count) {
        System.arraycopy(received, count, received, 0, filled - count);
        filled -= count;
    }

    private static <T> T await(Future<T> step, long deadline) throws IOException, InterruptedException,
            TimeoutException {
        try {
            return step.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a connection given up on: nothing more to do
        }
    }
}
