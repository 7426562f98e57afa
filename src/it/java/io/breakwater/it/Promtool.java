package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Prometheus's own checker of the text exposition format, run on a scrape. */
final class Promtool {
    private Promtool() {
    }

    /** {@code promtool check metrics} finds nothing to say about {@code text}: no error, no lint. */
    static void assertSaysNothing(String text) throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals("", said, "promtool on:\n" + text);
        assertEquals(0, promtool.exitValue());
    }
}
