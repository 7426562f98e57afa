package io.breakwater.proxy;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * A client request's body as the proxy holds it: buffered whole when it fits the replay buffer, else the part read
 * so far followed by the rest of the stream, cut off with an error past the maximum body size. Immutable.
 */
record RequestBody(byte[] bytes, InputStream stream, boolean tooLarge) {
    private static final RequestBody NONE = new RequestBody(null, null, false);
    private static final RequestBody TOO_LARGE = new RequestBody(null, null, true);

    static RequestBody read(HttpServletRequest request, boolean hasContent, long replayBufferSize, long maxBodySize)
            throws IOException {
        if (!hasContent) {
            return NONE;
        }
        InputStream in = request.getInputStream();
        long limit = Math.min(replayBufferSize, maxBodySize);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream((int) Math.min(limit + 1, 8192));
        byte[] chunk = new byte[8192];
        while (buffer.size() <= limit) {
            int read = in.read(chunk, 0, (int) Math.min(chunk.length, limit + 1 - buffer.size()));
            if (read < 0) {
                return new RequestBody(buffer.toByteArray(), null, false);
            }
            buffer.write(chunk, 0, read);
        }
        if (buffer.size() > maxBodySize) {
            return TOO_LARGE;
        }
        InputStream rest = new Bounded(in, maxBodySize - buffer.size());
        return new RequestBody(null, new SequenceInputStream(new ByteArrayInputStream(buffer.toByteArray()), rest),
                false);
    }

    /** Fails the stream (and so the backend request) when the body runs past the maximum size. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long left) {
            super(in);
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int read = super.read(b, off, len);
            if (read > 0) {
                count(read);
            }
            return read;
        }

        private void count(int read) throws IOException {
            left -= read;
            if (left < 0) {
                throw new IOException("request body over the maximum size");
            }
        }
    }
}
