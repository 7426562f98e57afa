package io.breakwater.health.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes a probe's small JSON answer, never cached. Stateless and thread-safe. */
public final class ProbeAnswer {
    private ProbeAnswer() {
    }

    public static void write(HttpServletResponse response, int status, String json) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        // a cached "ready" would keep traffic coming to an app that drains
        response.setHeader("Cache-Control", "no-store");
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
