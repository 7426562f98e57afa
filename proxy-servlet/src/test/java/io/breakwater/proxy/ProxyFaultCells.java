package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The proxy's fault cells, by the side a fault happens on and the phase of the exchange: the scripted backend, what
 * the client does, and what must follow. {@link ProxyFaultMatrixTest} runs them behind Jetty, the integration tests
 * behind Jetty and Tomcat with the same table. README's blame section is held against it: one row per cell.
 */
public final class ProxyFaultCells {
    /** How long a cell waits for anything it awaits. */
    public static final Duration WAIT = Duration.ofSeconds(20);
    /** A streamed upload's declared length, past the replay buffer of {@link #STREAMED}. */
    private static final int UPLOAD = 1 << 20;
    private static final Map<String, String> STREAMED = Map.of("replayBufferSize", "1KB");

    private ProxyFaultCells() {
    }

    /** What the client got: a status and the error contract's code, or an aborted answer, or nothing. */
    public record Answer(int status, String code, boolean aborted) {
        public static final Answer NONE = new Answer(0, null, false);

        public static Answer error(int status, String code) {
            return new Answer(status, code, false);
        }

        public static Answer whole(int status) {
            return new Answer(status, null, false);
        }

        public static Answer abortedAfter(int status) {
            return new Answer(status, null, true);
        }
    }

    /**
     * One cell: the side and phase, the fault, the backend and proxy parameters that set it up, what the client
     * does, and what must follow: the answer, the backend's failures, the client fault counted (or none) and the
     * breaker's failed calls.
     */
    public record Cell(String side, String phase, String fault, Backends backend, Map<String, String> params, Client client,
            Answer answer, int backendFailures, String clientFault, int breakerFailures) {
        @Override
        public String toString() {
            return side + " / " + phase + " / " + fault;
        }
    }

    /** The blame table. */
    public static Stream<Cell> cells() {
        return Stream.of(
                new Cell("backend", "connecting", "refused", Backends::dead, Map.of(), Client::get,
                        Answer.error(502, "BACKEND_ERROR"), 1, null, 1),
                new Cell("backend", "connecting", "drops SYNs past tryTimeout", Backends::droppingSyns,
                        Map.of("tryTimeout", "300ms", "connectTimeout", "10s"), Client::get,
                        Answer.error(504, "BACKEND_TIMEOUT"), 1, null, 1),
                new Cell("backend", "queued", "queue full", Backends::hanging,
                        Map.of("maxConnectionsPerBackend", "1", "maxQueuedPerBackend", "1", "connectionWait", "off"),
                        Client::behindAFullQueue, Answer.error(503, "OVERLOADED"), 0, null, 0),
                new Cell("backend", "head", "reset before head", Backends::resetting, Map.of(), Client::get,
                        Answer.error(502, "BACKEND_ERROR"), 1, null, 1),
                new Cell("backend", "head", "malformed head", Backends::malformed, Map.of(), Client::get,
                        Answer.error(502, "BACKEND_ERROR"), 1, null, 1),
                new Cell("backend", "head", "slow past tryTimeout", Backends::hanging, Map.of("tryTimeout", "300ms"),
                        Client::get, Answer.error(504, "BACKEND_TIMEOUT"), 1, null, 1),
                new Cell("backend", "body", "closed early", Backends::closingMidBody, Map.of(), Client::get,
                        Answer.abortedAfter(200), 1, null, 1),
                new Cell("backend", "sending", "answers 401 early and closes", Backends::answering401Early, STREAMED,
                        Client::uploadingUnread, Answer.whole(401), 0, null, 0),
                new Cell("client", "sending", "gone mid-upload", Backends::scripted, STREAMED,
                        Client::goneMidUpload, Answer.NONE, 0, "badBody", 0),
                new Cell("client", "body", "gone mid-download", Backends::scripted, Map.of(),
                        Client::goneMidDownload, Answer.NONE, 0, "gone", 0));
    }

    /** The proxy a cell's client talks to, in whichever container it runs. */
    public interface Proxy {
        int port();

        /** The backend's tries under way, as the proxy's {@code inFlight} gauge has them. */
        int inFlight(Backend backend);

        /** Whether no request is under way on the proxy's route, as its {@code active} counter has it. */
        boolean idle();
    }

    /** A backend a cell scripts; closing it twice does no harm. */
    public interface Backend {
        String url();

        /** Requests that reached it. */
        int requests();

        void close() throws IOException;
    }

    /** How a cell's backend starts. */
    public interface Backends {
        Backend start() throws Exception;

        /** Nothing listens on its port: connections are refused. */
        static Backend dead() throws IOException {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            return raw("http://127.0.0.1:" + port, () -> { });
        }

        /**
         * Listens and never accepts, its backlog filled: the kernel drops further SYNs, so a connect stays pending
         * until its own timeout, as with a backend whose host is overloaded or gone from the network.
         */
        static Backend droppingSyns() throws IOException {
            ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            List<Socket> filling = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort()), 200);
                    filling.add(socket);
                } catch (SocketTimeoutException full) {
                    socket.close();
                    break; // the backlog is full: this SYN was dropped
                }
            }
            return raw("http://127.0.0.1:" + listener.getLocalPort(), () -> {
                for (Socket socket : filling) {
                    socket.close();
                }
                listener.close();
            });
        }

        static Backend hanging() throws IOException {
            RawBackend backend = RawBackend.start(null);
            backend.script(backend.hanging(""));
            return of(backend);
        }

        static Backend resetting() throws IOException {
            return of(RawBackend.start(RawBackend.resettingAfter("", 0)));
        }

        static Backend malformed() throws IOException {
            return of(RawBackend.start(RawBackend.writing("HTTP/1.1 two hundred OK\r\nContent-Length: 2\r\n\r\nok")));
        }

        /** Announces a MB, sends 64 KB of it (past the response's buffer, so the client's answer is committed). */
        static Backend closingMidBody() throws IOException {
            return of(RawBackend.start((head, out, socket) -> {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + (1 << 20) + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[64 * 1024]);
                out.flush();
                return false; // closed (FIN) mid-body
            }));
        }

        /**
         * Reads a request's head and none of its body, answers 401 whole and closes, as an auth check does: its
         * side first, then, as servers do (lingering close), it reads and drops what the proxy still sends until
         * the proxy closes, so that the kernel does not reset the connection over unread bytes and lose the answer.
         */
        static Backend answering401Early() throws IOException {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            int[] requests = new int[1];
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket socket = listener.accept()) {
                        RawBackend.readHead(socket.getInputStream());
                        synchronized (requests) {
                            requests[0]++;
                        }
                        socket.getOutputStream().write(("HTTP/1.1 401 Unauthorized\r\nContent-Length: 5\r\n"
                                + "Connection: close\r\n\r\nnope!").getBytes(StandardCharsets.ISO_8859_1));
                        socket.getOutputStream().flush();
                        socket.shutdownOutput();
                        socket.setSoTimeout(10_000);
                        socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                    } catch (IOException closed) {
                        // the test is over, or the proxy went away
                    }
                }
            }, "early-answer-backend");
            acceptor.setDaemon(true);
            acceptor.start();
            return new Backend() {
                @Override
                public String url() {
                    return "http://127.0.0.1:" + listener.getLocalPort();
                }

                @Override
                public int requests() {
                    synchronized (requests) {
                        return requests[0];
                    }
                }

                @Override
                public void close() throws IOException {
                    listener.close();
                }
            };
        }

        static Backend scripted() throws Exception {
            ScriptedBackend backend = ScriptedBackend.start("b0");
            return new Backend() {
                @Override
                public String url() {
                    return backend.url();
                }

                @Override
                public int requests() {
                    return backend.requests();
                }

                @Override
                public void close() {
                    backend.close();
                }
            };
        }

        private static Backend of(RawBackend backend) {
            return new Backend() {
                @Override
                public String url() {
                    return backend.url();
                }

                @Override
                public int requests() {
                    return backend.heads().size();
                }

                @Override
                public void close() {
                    backend.close();
                }
            };
        }

        private static Backend raw(String url, Closer closer) {
            return new Backend() {
                @Override
                public String url() {
                    return url;
                }

                @Override
                public int requests() {
                    return 0;
                }

                @Override
                public void close() throws IOException {
                    closer.close();
                }
            };
        }
    }

    public interface Closer {
        void close() throws IOException;
    }

    /** What a cell's client does, and what it got. */
    public interface Client {
        Answer run(Proxy proxy, Backend backend) throws Exception;

        static Answer get(Proxy proxy, Backend backend) throws IOException {
            try (RawClient client = RawClient.connect(proxy.port())) {
                client.send("GET /x HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n");
                return read(client.answer());
            }
        }

        /** Two requests hold the backend's one connection and its one queued place; the third finds it full. */
        static Answer behindAFullQueue(Proxy proxy, Backend backend) throws Exception {
            try (RawClient first = RawClient.connect(proxy.port());
                    RawClient second = RawClient.connect(proxy.port())) {
                first.send("GET /first HTTP/1.1\r\nHost: proxy\r\n\r\n");
                Await.until("the first request holds the connection", WAIT, () -> backend.requests() == 1);
                second.send("GET /second HTTP/1.1\r\nHost: proxy\r\n\r\n");
                Await.until("the second request is queued", WAIT, () -> proxy.inFlight(backend) == 2);
                return get(proxy, backend);
            }
        }

        /**
         * A streamed upload the backend answers before reading it: the client gets that answer, whole. Read as its
         * framing delimits it, not to the connection's close: Jetty closes the connection after it, Tomcat keeps
         * it and reads the rest of the upload first (README, "Running on Tomcat"). The client leaves once the
         * proxy is done with the request: leaving sooner, with the upload unsent, is a client fault of its own.
         */
        static Answer uploadingUnread(Proxy proxy, Backend backend) throws IOException {
            try (RawClient client = RawClient.connect(proxy.port())) {
                client.send(RawClient.head("POST", "/upload", UPLOAD)).sendBody(64 * 1024);
                Answer answer = read(client.answerAsFramed());
                Await.until("the proxy is done with the request", WAIT, proxy::idle);
                return answer;
            }
        }

        static Answer goneMidUpload(Proxy proxy, Backend backend) throws IOException {
            RawClient client = RawClient.connect(proxy.port());
            client.send(RawClient.head("POST", "/upload", UPLOAD)).sendBody(64 * 1024);
            Await.until("the upload reached the backend", WAIT, () -> backend.requests() == 1);
            client.reset();
            return Answer.NONE;
        }

        static Answer goneMidDownload(Proxy proxy, Backend backend) throws IOException {
            RawClient client = RawClient.connect(proxy.port());
            client.send("GET /x?streamMb=64 HTTP/1.1\r\nHost: proxy\r\n\r\n");
            client.readSome();
            client.reset();
            return Answer.NONE;
        }

        /** The answer read to the connection's close: whole, or cut short of its {@code Content-Length}. */
        private static Answer read(String raw) {
            int headEnd = raw.indexOf("\r\n\r\n");
            assertTrue(headEnd > 0, "no answer head: " + raw);
            String head = raw.substring(0, headEnd).toLowerCase(Locale.ROOT);
            int status = Integer.parseInt(raw.substring(9, 12));
            String body = raw.substring(headEnd + 4);
            int lengthAt = head.indexOf("\r\ncontent-length:");
            boolean aborted;
            if (lengthAt >= 0) {
                int end = head.indexOf("\r\n", lengthAt + 2);
                long length = Long.parseLong(head.substring(lengthAt + "\r\ncontent-length:".length(),
                        end < 0 ? head.length() : end).trim());
                aborted = body.length() < length;
            } else {
                aborted = head.contains("transfer-encoding: chunked") && !body.endsWith("0\r\n\r\n");
            }
            int codeAt = body.indexOf("\"code\":\"");
            String code = codeAt < 0 ? null : body.substring(codeAt + 8, body.indexOf('"', codeAt + 8));
            return new Answer(status, code, aborted);
        }
    }
}
