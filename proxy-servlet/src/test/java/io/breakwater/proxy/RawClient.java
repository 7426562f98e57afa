package io.breakwater.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A client on a raw socket that sends exactly what a test says and then misbehaves: stops sending, half-closes, or
 * resets the connection. Not thread-safe.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;

    private RawClient(int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
    }

    static RawClient connect(int port) throws IOException {
        return new RawClient(port);
    }

    /** A request head with a body of {@code length} bytes, of which none is sent yet. */
    static String head(String method, String path, long length) {
        return method + " " + path + " HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** {@code count} bytes of body. */
    RawClient sendBody(int count) throws IOException {
        byte[] bytes = new byte[count];
        java.util.Arrays.fill(bytes, (byte) 'u');
        return send(bytes);
    }

    /** Ends the client's side of the connection (FIN): it sends nothing more but still reads. */
    RawClient halfClose() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Resets the connection (RST): the client is gone. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Bytes of an answer that arrived and are not read yet. */
    int available() throws IOException {
        return socket.getInputStream().available();
    }

    /** Reads some of the answer, at least its first bytes. */
    void readSome() throws IOException {
        if (socket.getInputStream().read(new byte[8192]) < 0) {
            throw new IOException("closed before any answer");
        }
    }

    /** The answer's status line and headers. */
    String readHead() throws IOException {
        String head = RawBackend.readHead(socket.getInputStream());
        if (head == null) {
            throw new IOException("closed before the end of the head");
        }
        return head;
    }

    /** What the server sends until it closes or resets the connection. */
    String answerOrReset() {
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                answer.write(buffer, 0, read);
            }
        } catch (IOException reset) {
            // an aborted answer may end in a reset
        }
        return answer.toString(StandardCharsets.ISO_8859_1);
    }

    /** Everything the server sends until it closes the connection. */
    String answer() throws IOException {
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /**
     * The answer as its own framing delimits it: its head, then its {@code Content-Length} bytes (or its chunks),
     * or less when the server closes first; the connection may stay open after it.
     */
    String answerAsFramed() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (!read.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return read.toString(StandardCharsets.ISO_8859_1);
            }
            read.write(b);
        }
        String head = read.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int lengthAt = head.indexOf("\r\ncontent-length:");
        if (lengthAt >= 0) {
            int end = head.indexOf("\r\n", lengthAt + 2);
            long length = Long.parseLong(head.substring(lengthAt + "\r\ncontent-length:".length(), end).trim());
            read.write(in.readNBytes((int) length));
        } else {
            while (!read.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                read.write(b);
            }
        }
        return read.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
