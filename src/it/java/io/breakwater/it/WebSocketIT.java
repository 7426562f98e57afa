package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.EchoBackend;
import io.breakwater.proxy.EchoClient;
import io.breakwater.testing.Await;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * WebSocket through the sample WAR's proxy, in each container: a real echo backend (Jetty's WebSocket server) and
 * a real client (the JDK's), the tunnel switched by the container's own {@code HttpServletRequest.upgrade}.
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
@Timeout(180)
class WebSocketIT {
    private static final Pattern OPEN = Pattern.compile("(?m)^breakwater_proxy_backend_tunnels_open\\{[^}]*} (\\S+)$");
    @Parameter
    ServletContainer container;

    private final HttpClient client = HttpClient.newHttpClient();

    private static URI ws(SampleWar sample, String path) {
        return URI.create("ws://127.0.0.1:" + sample.port() + path);
    }

    /** Tunnels open now, from the sample's Prometheus text. */
    private static double tunnelsOpen(SampleWar sample) throws Exception {
        Matcher open = OPEN.matcher(sample.get("/breakwater/metrics?format=prometheus").body());
        double sum = 0;
        while (open.find()) {
            sum += Double.parseDouble(open.group(1));
        }
        return sum;
    }

    private static void awaitNoTunnel(SampleWar sample) {
        Await.until("no tunnel open", Duration.ofSeconds(30), () -> {
            try {
                return tunnelsOpen(sample) == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void relaysFramesATenMegabyteMessageAndTwoHundredTunnels() throws Exception {
        try (EchoBackend first = EchoBackend.start("w1");
                EchoBackend second = EchoBackend.start("w2");
                SampleWar sample = SampleWar.deploy(container,
                        Map.of("breakwater.backends", first.url() + "," + second.url()))) {
            EchoClient socket = EchoClient.connect(client, ws(sample, "/echo"));
            assertEquals("hello", socket.echo("hello"));
            assertArrayEquals(new byte[] {1, 2, 3}, socket.echo(new byte[] {1, 2, 3}));
            byte[] big = new byte[10 * 1024 * 1024];
            new Random(3).nextBytes(big);
            assertArrayEquals(big, socket.echo(big));
            socket.socket.sendClose(1000, "done").get(30, TimeUnit.SECONDS);
            assertEquals(1000, socket.ended.get(30, TimeUnit.SECONDS));

            List<CompletableFuture<EchoClient>> opening = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                opening.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return EchoClient.connect(client, ws(sample, "/echo"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            List<EchoClient> sockets = new ArrayList<>();
            for (CompletableFuture<EchoClient> each : opening) {
                sockets.add(each.get(120, TimeUnit.SECONDS));
            }
            assertEquals(200, tunnelsOpen(sample));
            for (int i = 0; i < sockets.size(); i++) {
                sockets.get(i).socket.sendText("message " + i, true);
            }
            for (int i = 0; i < sockets.size(); i++) {
                assertEquals("message " + i, sockets.get(i).next());
            }
            for (EchoClient each : sockets) {
                each.socket.sendClose(1000, "");
            }
            awaitNoTunnel(sample);
        }
    }

    @Test
    void closesEachSideWhenTheOtherGoesAway() throws Exception {
        try (EchoBackend backend = EchoBackend.start("w1");
                SampleWar sample = SampleWar.deploy(container, Map.of("breakwater.backends", backend.url()))) {
            EchoClient leaving = EchoClient.connect(client, ws(sample, "/echo"));
            assertEquals("bye", leaving.echo("bye"));
            leaving.socket.abort();
            assertTrue(backend.sessionClosed.await(30, TimeUnit.SECONDS), "the backend saw the client go");
            awaitNoTunnel(sample);

            EchoClient staying = EchoClient.connect(client, ws(sample, "/echo"));
            assertEquals("hi", staying.echo("hi"));
            backend.stop(); // the backend stops
            staying.ended.get(30, TimeUnit.SECONDS);
            awaitNoTunnel(sample);
        }
    }

    @Test
    void failsOverARefusedHandshakeAndPassesANon101Through() throws Exception {
        int refusing;
        try (ServerSocket closed = new ServerSocket(0)) {
            refusing = closed.getLocalPort();
        }
        try (EchoBackend backend = EchoBackend.start("w1");
                SampleWar sample = SampleWar.deploy(container, Map.of("breakwater.backends",
                        "http://127.0.0.1:" + refusing + "," + backend.url()))) {
            for (int i = 0; i < 4; i++) {
                EchoClient socket = EchoClient.connect(client, ws(sample, "/echo"));
                assertEquals("try " + i, socket.echo("try " + i));
                socket.socket.sendClose(1000, "");
            }
            assertEquals(4, backend.opened.get());
            // the backend's own refusal of a handshake reaches the client as it is
            java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> EchoClient.connect(client, ws(sample, "/elsewhere")));
            java.net.http.WebSocketHandshakeException handshake =
                    (java.net.http.WebSocketHandshakeException) refused.getCause();
            assertEquals(403, handshake.getResponse().statusCode());
            assertEquals("no websocket at w1", handshake.getResponse().body());
            awaitNoTunnel(sample);
        }
    }

    @Test
    void givesOpenTunnelsTheGracePeriodOnUndeployThenClosesThem() throws Exception {
        try (EchoBackend backend = EchoBackend.start("w1");
                SampleWar sample = SampleWar.deploy(container, Map.of("breakwater.backends", backend.url(),
                        "breakwater.shutdownGrace", "2s"))) {
            EchoClient socket = EchoClient.connect(client, ws(sample, "/echo"));
            CompletableFuture<Void> undeployed = CompletableFuture.runAsync(() -> {
                try {
                    sample.undeploy();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("stopping", Duration.ofSeconds(30), () -> {
                try {
                    return sample.get("/breakwater/ready").statusCode() != 200;
                } catch (Exception e) {
                    return true;
                }
            });
            // the tunnel still relays while the web app stops: it has the grace period
            assertEquals("while draining", socket.echo("while draining"));
            socket.ended.get(30, TimeUnit.SECONDS);
            undeployed.get(30, TimeUnit.SECONDS);
            assertTrue(backend.sessionClosed.await(30, TimeUnit.SECONDS), "the backend saw the close");
        }
    }
}
