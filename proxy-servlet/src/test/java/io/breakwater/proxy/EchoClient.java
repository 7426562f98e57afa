package io.breakwater.proxy;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) whose whole messages, text or binary, land in a queue, and whose end (a close
 * from the other side, or a failure of the connection) completes {@link #ended}. Public for the integration tests.
 * One test thread drives it; the JDK's client delivers to it one message at a time.
 */
public final class EchoClient implements WebSocket.Listener {
    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    /** The close status from the other side, or -1 when the connection failed. */
    public final CompletableFuture<Integer> ended = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    public WebSocket socket;

    public static EchoClient connect(HttpClient client, URI uri) throws Exception {
        EchoClient listener = new EchoClient();
        listener.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener).get(30, TimeUnit.SECONDS);
        return listener;
    }

    /** Sends a text and returns its echo. */
    public String echo(String message) throws Exception {
        socket.sendText(message, true).get(30, TimeUnit.SECONDS);
        return (String) next();
    }

    /** Sends bytes and returns their echo. */
    public byte[] echo(byte[] message) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(message), true).get(60, TimeUnit.SECONDS);
        return (byte[]) next();
    }

    public Object next() throws InterruptedException {
        Object message = messages.poll(60, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message in 60 s");
        }
        return message;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            messages.add(binary.toByteArray());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        ended.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        ended.complete(-1);
    }
}
