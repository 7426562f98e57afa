package io.breakwater.proxy.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Decodes a chunked body read whole, for a backend's non-101 answer to a handshake. Stateless. */
final class TunnelChunks {
    private TunnelChunks() {
    }

    /** The body of the chunks in {@code bytes[0, length)}, or {@code null} while the last chunk is still to come. */
    static byte[] decode(byte[] bytes, int length) throws java.io.IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = lineEnd(bytes, at, length);
            if (lineEnd < 0) {
                return null;
            }
            String sizeText = new String(bytes, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int extension = sizeText.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((extension < 0 ? sizeText : sizeText.substring(0, extension)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new java.io.IOException("malformed chunk size from the backend");
            }
            at = lineEnd + 2;
            if (size == 0) {
                // trailers, if any, end with a blank line; they are not passed on
                while (true) {
                    int trailerEnd = lineEnd(bytes, at, length);
                    if (trailerEnd < 0) {
                        return null;
                    }
                    if (trailerEnd == at) {
                        return body.toByteArray();
                    }
                    at = trailerEnd + 2;
                }
            }
            if (at + size + 2 > length) {
                return null;
            }
            body.write(bytes, at, size);
            at += size + 2;
        }
    }

    private static int lineEnd(byte[] bytes, int from, int length) {
        for (int i = from; i + 1 < length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
