package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.breakwater.proxy.EchoBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A page in a real headless Chromium opens a WebSocket through the sample's proxy and checks the echo. */
@ParameterizedClass
@EnumSource(ServletContainer.class)
@Timeout(180)
class BrowserWebSocketIT {
    @Parameter
    ServletContainer container;

    @Test
    void aBrowsersWebSocketGetsItsEchoThroughTheProxy() throws Exception {
        try (EchoBackend backend = EchoBackend.start("w1");
                SampleWar sample = SampleWar.deploy(container, Map.of("breakwater.backends", backend.url()));
                HeadlessChromium chromium = HeadlessChromium.start(800, 600,
                        Path.of("target").resolve("chromium-websocket-" + container + ".log"))) {
            DevToolsSession tab = chromium.firstTab();
            tab.navigate(sample.uri("/demo/hello").toString());
            tab.evaluate("window.echoes = [];"
                    + "const socket = new WebSocket('ws://127.0.0.1:" + sample.port() + "/echo');"
                    + "socket.binaryType = 'arraybuffer';"
                    + "socket.onopen = () => { socket.send('hello from chromium');"
                    + " socket.send(new Uint8Array([1, 2, 255])); };"
                    + "socket.onmessage = event => window.echoes.push(typeof event.data === 'string' ? event.data"
                    + " : Array.from(new Uint8Array(event.data)).join(','));"
                    + "socket.onclose = event => { window.closeCode = event.code; };"
                    + "window.socket = socket; 'opened'");
            assertEquals(Boolean.TRUE, tab.await("window.echoes.length === 2", Duration.ofSeconds(30)),
                    String.valueOf(tab.evaluate("JSON.stringify(window.echoes)")));
            assertEquals(List.of("hello from chromium", "1,2,255"), tab.evaluate("window.echoes"));
            tab.evaluate("window.socket.close(1000, 'done'); 'closing'");
            assertEquals(Boolean.TRUE, tab.await("window.closeCode !== undefined", Duration.ofSeconds(30)),
                    "the browser saw no close");
            assertEquals(1000L, ((Number) tab.evaluate("window.closeCode")).longValue());
            // the page's favicon goes through the proxy to the echo backend, which answers 403
            assertEquals(List.of(), tab.errors().stream().filter(error -> !error.contains("/favicon.ico")).toList());
        }
    }
}
