package io.breakwater.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** One raw HTTP exchange on a new connection, for answers that a server may abort midway. */
public final class RawExchange {
    private RawExchange() {
    }

    /**
     * Sends {@code request} on a new connection to 127.0.0.1:{@code port} and reads until the server ends or aborts
     * the connection: what arrived before a reset is the answer.
     */
    public static String untilClosed(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketException reset) {
                // an abort may reach the client as a reset: what arrived before it is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
