package io.breakwater.proxy.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A backend's answer head to an upgrade handshake, as read off its connection: the status and the header fields in
 * their order. Immutable.
 */
record TunnelHead(int status, List<Map.Entry<String, String>> fields) {
    /** The longest head a backend may send; a longer one is malformed. */
    static final int MAX_SIZE = 16 * 1024;

    /** Where the head ends in {@code bytes[0, length)}: the index after its blank line, or -1 before that. */
    static int end(byte[] bytes, int length) {
        for (int i = 3; i < length; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses a head of {@code length} bytes, blank line included; malformed: {@link java.io.IOException}. */
    static TunnelHead parse(byte[] bytes, int length) throws java.io.IOException {
        String[] lines = new String(bytes, 0, length, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.") || statusLine[1].length() != 3) {
            throw new java.io.IOException("malformed status line from the backend");
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw new java.io.IOException("malformed status from the backend");
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new java.io.IOException("malformed header from the backend");
            }
            fields.add(Map.entry(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()));
        }
        return new TunnelHead(status, List.copyOf(fields));
    }

    /** The first value of a header, or {@code null}. */
    String value(String name) {
        for (Map.Entry<String, String> field : fields) {
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue();
            }
        }
        return null;
    }

    /** A 101 that switches to what the client asked for: the only answer that opens a tunnel. */
    boolean switches(String protocol) {
        String upgrade = value("Upgrade");
        return status == 101 && upgrade != null && upgrade.toLowerCase(Locale.ROOT).startsWith(protocol);
    }

    /** The length of the answer's body: -1 chunked, -2 until the backend closes, else its {@code Content-Length}. */
    long bodyLength() throws java.io.IOException {
        String encoding = value("Transfer-Encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return -1;
        }
        String length = value("Content-Length");
        if (length == null) {
            return status == 204 || status == 304 || status < 200 ? 0 : -2;
        }
        try {
            return Long.parseLong(length);
        } catch (NumberFormatException e) {
            throw new java.io.IOException("malformed Content-Length from the backend");
        }
    }
}
