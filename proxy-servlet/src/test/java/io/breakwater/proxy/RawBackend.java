package io.breakwater.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A backend on a raw socket that writes exactly the bytes a test gives it: interim answers, an unrequested 101, a
 * redirect to itself, an answer cut off by a reset, or nothing at all. It reads each request's head and body
 * ({@code Content-Length} or chunked) before it answers, and answers {@code GET /health} with 200 itself, so that a
 * health checker finds it healthy. Thread-safe.
 */
final class RawBackend implements AutoCloseable {
    /** What the backend does with one request: the bytes it writes, then whether it keeps the connection. */
    interface Script {
        /** Answers one request on the socket; returns {@code false} to close the connection afterwards. */
        boolean answer(String requestHead, OutputStream out, Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Script script;

    private RawBackend(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "raw-backend-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static RawBackend start(Script script) throws IOException {
        return new RawBackend(script);
    }

    /** Writes {@code bytes} (ISO-8859-1) as the whole answer and keeps the connection. */
    static Script writing(String bytes) {
        return (head, out, socket) -> {
            out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return true;
        };
    }

    /** Writes the first {@code count} bytes of {@code bytes}, then resets the connection (RST, not FIN). */
    static Script resettingAfter(String bytes, int count) {
        return (head, out, socket) -> {
            out.write(bytes.getBytes(StandardCharsets.ISO_8859_1), 0, count);
            out.flush();
            socket.setSoLinger(true, 0);
            socket.close();
            return false;
        };
    }

    /** Writes {@code bytes} (perhaps nothing) and then nothing more until the backend is closed. */
    Script hanging(String bytes) {
        return (head, out, socket) -> {
            out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            awaitClose();
            return false;
        };
    }

    void script(Script next) {
        script = next;
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The heads of the requests that reached the backend, health checks left out. */
    List<String> heads() {
        return heads;
    }

    private void awaitClose() {
        try {
            closed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread serving = new Thread(() -> serve(socket), "raw-backend-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException closing) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                readBody(head, in);
                if (head.startsWith("GET /health ")) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    continue;
                }
                heads.add(head);
                if (!script.answer(head, out, socket)) {
                    return;
                }
            }
        } catch (IOException gone) {
            // the proxy closed or reset the connection: nothing to answer
        }
    }

    /** The request or status line and headers, through the blank line; {@code null} at the end of the stream. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void readBody(String head, InputStream in) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        int length = lower.indexOf("\r\ncontent-length:");
        if (length >= 0) {
            int end = lower.indexOf("\r\n", length + 2);
            long size = Long.parseLong(lower.substring(length + "\r\ncontent-length:".length(), end).trim());
            in.skipNBytes(size);
        } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
            while (true) {
                long size = Long.parseLong(readLine(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return;
                }
                in.skipNBytes(size);
                readLine(in);
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("end of stream in a chunked body");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        } catch (IOException e) {
            throw new IllegalStateException("raw backend did not close", e);
        }
    }
}
