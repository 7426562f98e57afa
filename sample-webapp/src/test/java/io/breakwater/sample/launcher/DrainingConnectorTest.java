package io.breakwater.sample.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainingConnectorTest {
    private final CountDownLatch acceptorHeld = new CountDownLatch(1);
    private final CountDownLatch releaseAcceptor = new CountDownLatch(1);
    private final AtomicBoolean holdNextAccept = new AtomicBoolean();
    private Server server;
    private DrainingConnector connector;

    @AfterEach
    void stop() throws Exception {
        releaseAcceptor.countDown();
        server.stop();
    }

    private void start() throws Exception {
        server = new Server();
        connector = new DrainingConnector(server) {
            @Override
            protected void configure(Socket socket) {
                if (holdNextAccept.compareAndSet(true, false)) {
                    // the acceptor stays here, so that the next connections wait in the backlog
                    acceptorHeld.countDown();
                    try {
                        releaseAcceptor.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.configure(socket);
            }
        };
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
    }

    private Socket send(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    @Test
    void connectionsWaitingInTheBacklogAreAnsweredNotResetAndNewOnesAreRefused() throws Exception {
        start();
        int port = connector.getLocalPort();
        holdNextAccept.set(true);
        List<Socket> clients = new ArrayList<>();
        clients.add(send(port));
        assertTrue(acceptorHeld.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 5; i++) {
            clients.add(send(port)); // the kernel completes the handshake; the connection waits in the backlog
        }

        CompletableFuture<CompletableFuture<Void>> stopping = CompletableFuture.supplyAsync(connector::stopAccepting);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!connector.isDraining() && System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000);
        }
        releaseAcceptor.countDown();
        CompletableFuture<Void> allClosed = stopping.get(10, TimeUnit.SECONDS);

        for (Socket client : clients) {
            try (client) {
                String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("\r\n\r\nok"), answer);
            }
        }
        allClosed.get(10, TimeUnit.SECONDS);
        assertThrows(ConnectException.class, () -> send(port).close());
        assertEquals(0, connector.getConnectedEndPoints().size());
    }
}
