package io.breakwater.it;

import io.breakwater.core.json.Json;
import io.breakwater.testing.JsonText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One tab of a {@link HeadlessChromium}, over the Chrome DevTools Protocol on a WebSocket: commands answered by id,
 * and every console error, uncaught exception and error log entry of the page collected for the test to check.
 * Thread-safe.
 */
final class DevToolsSession implements WebSocket.Listener {
    /** Longer than any wait in the page: a command that takes longer means the browser is stuck. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(40);

    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

    private DevToolsSession() {
    }

    static DevToolsSession connect(HttpClient client, URI uri) throws Exception {
        DevToolsSession session = new DevToolsSession();
        session.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, session).get(15, TimeUnit.SECONDS);
        session.send("Runtime.enable", Map.of());
        session.send("Log.enable", Map.of());
        session.send("Page.enable", Map.of());
        return session;
    }

    /** Sends a command and waits for its result; a DevTools error fails the test. */
    Map<String, Object> send(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        StringBuilder message = new StringBuilder("{\"id\":").append(id).append(",\"method\":");
        Json.string(message, method);
        message.append(",\"params\":");
        write(message, params);
        synchronized (this) {
            socket.sendText(message.append('}').toString(), true).get(15, TimeUnit.SECONDS);
        }
        Map<String, Object> response = answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (response.containsKey("error")) {
            throw new AssertionError(method + " failed: " + response.get("error"));
        }
        return map(response.get("result"));
    }

    /** Evaluates a JavaScript expression in the page and returns its value (JSON-like: Map, List, String...). */
    Object evaluate(String expression) throws Exception {
        Map<String, Object> result = send("Runtime.evaluate",
                Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.containsKey("exceptionDetails")) {
            throw new AssertionError("the page threw on " + expression + ": " + result.get("exceptionDetails"));
        }
        return map(result.get("result")).get("value");
    }

    /**
     * Waits in the page, without polling from here, until the expression's value is truthy: checked now and on
     * every change of the DOM, up to the deadline. Returns the value it last had (falsy if the deadline passed).
     */
    Object await(String expression, Duration patience) throws Exception {
        String wait = "new Promise(resolve => {"
                + " const test = () => { try { return (" + expression + "); } catch (e) { return null; } };"
                + " const now = test(); if (now) { resolve(now); return; }"
                + " const timer = setTimeout(() => { observer.disconnect(); resolve(test()); }, "
                + patience.toMillis() + ");"
                + " const observer = new MutationObserver(() => { const v = test();"
                + " if (v) { observer.disconnect(); clearTimeout(timer); resolve(v); } });"
                + " observer.observe(document, {subtree: true, childList: true, attributes: true,"
                + " characterData: true}); })";
        return evaluate(wait);
    }

    /** Opens the URL in the tab and waits for its load event. */
    void navigate(String url) throws Exception {
        CompletableFuture<Void> load = new CompletableFuture<>();
        loaded = load;
        send("Page.navigate", Map.of("url", url));
        load.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** A PNG of the whole page at the window's width. */
    void screenshot(Path file, int width) throws Exception {
        Number height = (Number) evaluate("Math.ceil(document.documentElement.scrollHeight)");
        send("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height.intValue(), "deviceScaleFactor", 1, "mobile", false));
        Map<String, Object> shot = send("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }

    /** The console errors, uncaught exceptions and error log entries seen so far. */
    List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            received(JsonText.object(partial.toString()));
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        pending.values().forEach(answer -> answer.completeExceptionally(error));
    }

    private void received(Map<String, Object> message) {
        Object id = message.get("id");
        if (id != null) {
            CompletableFuture<Map<String, Object>> answer = pending.remove(((Number) id).intValue());
            if (answer != null) {
                answer.complete(message);
            }
            return;
        }
        String method = (String) message.get("method");
        Map<String, Object> params = map(message.get("params"));
        if ("Page.loadEventFired".equals(method)) {
            loaded.complete(null);
        }
        String error = switch (method == null ? "" : method) {
            case "Runtime.consoleAPICalled" -> "error".equals(params.get("type")) || "assert".equals(params.get("type"))
                    ? "console." + params.get("type") + ": " + params.get("args") : null;
            case "Runtime.exceptionThrown" -> "uncaught: " + params.get("exceptionDetails");
            case "Log.entryAdded" -> "error".equals(map(params.get("entry")).get("level"))
                    ? "log: " + map(params.get("entry")).get("text") + " " + map(params.get("entry")).get("url")
                    : null;
            default -> null;
        };
        if (error != null) {
            synchronized (errors) {
                errors.add(error);
            }
        }
    }

    void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    /** Writes the few kinds of values commands take: strings, numbers, booleans and maps of them. */
    private static void write(StringBuilder out, Object value) {
        if (value instanceof String) {
            Json.string(out, (String) value);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                Json.string(out, (String) entry.getKey());
                out.append(':');
                write(out, entry.getValue());
            }
            out.append('}');
        } else {
            out.append(value);
        }
    }
}
