package io.breakwater.sample.launcher;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * One HTTP/2 connection of Jetty's low-level client, on which each {@link #get} is a new stream: so a test knows
 * that its requests share one connection, and sees a reset stream as a failure of that request alone.
 */
final class H2Session implements AutoCloseable {
    /** One stream's answer. */
    record Answer(int status, HttpFields headers, String body) {
    }

    private final HTTP2Client client;
    private final Session session;
    private final String authority;
    private final String scheme;

    private H2Session(HTTP2Client client, Session session, String scheme, String authority) {
        this.client = client;
        this.session = session;
        this.scheme = scheme;
        this.authority = authority;
    }

    /** h2 over TLS ({@code tls} not {@code null}, ALPN) or h2c by prior knowledge. */
    static H2Session open(String host, int port, SslContextFactory.Client tls) throws Exception {
        HTTP2Client client = new HTTP2Client();
        if (tls != null) {
            client.addBean(tls); // started and stopped with the client
        }
        client.start();
        try {
            Session session = client.connect(tls, new InetSocketAddress(host, port), new Session.Listener() {
            }).get(10, TimeUnit.SECONDS);
            return new H2Session(client, session, tls == null ? "http" : "https", host + ":" + port);
        } catch (Exception e) {
            client.stop();
            throw e;
        }
    }

    Answer get(String pathAndQuery) throws Exception {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        MetaData.Request request = new MetaData.Request("GET", HttpURI.from(scheme + "://" + authority
                + pathAndQuery), HttpVersion.HTTP_2, HttpFields.EMPTY);
        session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
            private MetaData.Response head;
            private final StringBuilder body = new StringBuilder();

            @Override
            public void onHeaders(Stream stream, HeadersFrame frame) {
                if (head == null) {
                    head = (MetaData.Response) frame.getMetaData();
                }
                if (frame.isEndStream()) {
                    done();
                } else {
                    stream.demand();
                }
            }

            @Override
            public void onDataAvailable(Stream stream) {
                Stream.Data data = stream.readData();
                if (data == null) {
                    stream.demand();
                    return;
                }
                ByteBuffer bytes = data.frame().getByteBuffer();
                body.append(StandardCharsets.UTF_8.decode(bytes));
                data.release();
                if (data.frame().isEndStream()) {
                    done();
                } else {
                    stream.demand();
                }
            }

            @Override
            public void onReset(Stream stream, ResetFrame frame, Callback callback) {
                answer.completeExceptionally(new IllegalStateException("stream reset, error " + frame.getError()));
                callback.succeeded();
            }

            private void done() {
                answer.complete(new Answer(head.getStatus(), head.getHttpFields(), body.toString()));
            }
        }).get(10, TimeUnit.SECONDS);
        return answer.get(30, TimeUnit.SECONDS);
    }

    /** Whether the connection is still open: neither side closed it (GOAWAY) nor did it fail. */
    boolean isOpen() {
        return !session.isClosed();
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the HTTP/2 client did not stop", e);
        }
    }
}
