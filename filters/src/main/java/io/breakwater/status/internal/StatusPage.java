package io.breakwater.status.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The status page's HTML, one self-contained resource (its CSS and script inline, nothing fetched from elsewhere),
 * filled per response with the CSP nonce that lets its own script and style run, and the control token when
 * controls are on. Immutable and thread-safe.
 */
public final class StatusPage {
    private static final String RESOURCE = "status.html";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String template;

    public StatusPage() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE + " beside " + StatusPage.class);
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String nonce() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    /** The page for one response; {@code token} is {@code ""} when controls are off. */
    public String render(String nonce, String token) {
        // both are base64: nothing in them needs escaping in an attribute
        return template.replace("{{nonce}}", nonce).replace("{{token}}", token);
    }

    /** The Content-Security-Policy that goes with a page of this nonce: its own script, style and JSON only. */
    public static String policy(String nonce) {
        return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce + "'; "
                + "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }
}
