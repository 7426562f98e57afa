package io.breakwater.core.servlet.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The chain's record of the client's own connection: whether reading the client's body or writing the answer to
 * the client failed. It is the response {@code ExceptionHandlingFilter} hands down the chain, whose output stream
 * and writer note a failed write or flush, and the request it hands down reads the body through
 * {@link #watch(ServletInputStream)}. Only such a failure means that the client went away: an
 * {@code EOFException} or a "connection reset" that the app's own work raised (its database driver, its HTTP
 * client) is the app's failure, whatever its type. A failure code reached by unwrapping the container's streams is
 * not seen. One per request; the record is thread-safe, the rest as thread-safe as the container's response.
 */
public final class ClientConnection extends HttpServletResponseWrapper {
    /** Set once, on whatever thread saw the client's connection fail; read by the filters as the request ends. */
    private volatile boolean failed;
    private ServletOutputStream output;
    private PrintWriter writer;

    private ClientConnection(HttpServletResponse response) {
        super(response);
    }

    /**
     * The response to hand down the chain, recording failures of the client's connection: {@code response} itself
     * when it is one already (an async dispatch of the response that an earlier dispatch handed down, after
     * {@code startAsync(request, response)}), so that the request keeps one record and one set of wrapped streams.
     */
    public static ClientConnection watch(HttpServletResponse response) {
        if (response instanceof ClientConnection) {
            return (ClientConnection) response;
        }
        return new ClientConnection(response);
    }

    /**
     * Whether a read or a write on the client's connection failed, as recorded by the {@link ClientConnection} among
     * the wrappers of {@code response}; {@code false} when there is none (without {@code ExceptionHandlingFilter},
     * no failure is the client's). For the failure paths: it walks the wrappers.
     */
    public static boolean failed(ServletResponse response) {
        for (ServletResponse current = response; current != null; ) {
            if (current instanceof ClientConnection) {
                return ((ClientConnection) current).failed;
            }
            if (!(current instanceof ServletResponseWrapper)) {
                return false;
            }
            current = ((ServletResponseWrapper) current).getResponse();
        }
        return false;
    }

    /** Whether a read or a write on the client's connection failed. */
    public boolean failed() {
        return failed;
    }

    private IOException noted(IOException failure) {
        failed = true;
        return failure;
    }

    /** A runtime failure of the container's writer that carries an I/O failure is the connection's. */
    private RuntimeException noted(RuntimeException failure) {
        if (failure.getCause() instanceof IOException) {
            failed = true;
        }
        return failure;
    }

    /** The client's body, read through {@code in}: a failed read is noted. */
    ServletInputStream watch(ServletInputStream in) {
        return new WatchedInput(in);
    }

    /** The client's body, read through {@code in}: a failed read is noted. */
    BufferedReader watch(BufferedReader in) {
        return new WatchedReader(in);
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (output == null) {
            output = new WatchedOutput(super.getOutputStream());
        }
        return output;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            writer = new WatchedWriter(super.getWriter());
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        try {
            super.flushBuffer();
        } catch (IOException e) {
            throw noted(e);
        }
    }

    /** The answer's bytes on their way to the client. */
    private final class WatchedOutput extends ServletOutputStream implements WrappedOutput {
        private final ServletOutputStream out;

        WatchedOutput(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public boolean withWrapped(Use use) throws IOException {
            try {
                return use.with(out);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }

    /**
     * The answer's characters on their way to the client. The container's writer keeps an I/O failure to itself
     * ({@code checkError}) or throws it wrapped; either is noted.
     */
    private final class WatchedWriter extends PrintWriter {
        private final PrintWriter out;

        WatchedWriter(PrintWriter out) {
            super(out);
            this.out = out;
        }

        @Override
        public void write(int c) {
            try {
                out.write(c);
            } catch (RuntimeException e) {
                throw noted(e);
            }
        }

        @Override
        public void write(char[] chars, int off, int len) {
            try {
                out.write(chars, off, len);
            } catch (RuntimeException e) {
                throw noted(e);
            }
        }

        @Override
        public void write(String text, int off, int len) {
            try {
                out.write(text, off, len);
            } catch (RuntimeException e) {
                throw noted(e);
            }
        }

        @Override
        public void flush() {
            try {
                out.flush();
            } catch (RuntimeException e) {
                throw noted(e);
            }
        }

        @Override
        public void close() {
            out.close();
        }

        @Override
        public boolean checkError() {
            if (out.checkError()) {
                failed = true;
                return true;
            }
            return false;
        }
    }

    /** The client's body, as the app reads it. */
    private final class WatchedInput extends ServletInputStream {
        private final ServletInputStream in;

        WatchedInput(ServletInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public int readLine(byte[] b, int off, int len) throws IOException {
            try {
                return in.readLine(b, off, len);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public int available() throws IOException {
            try {
                return in.available();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }

    /** The client's body as characters, as the app reads it. */
    private final class WatchedReader extends BufferedReader {
        private final BufferedReader in;

        WatchedReader(BufferedReader in) {
            super(in, 1);
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public int read(char[] chars, int off, int len) throws IOException {
            try {
                return in.read(chars, off, len);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public String readLine() throws IOException {
            try {
                return in.readLine();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public boolean ready() throws IOException {
            return in.ready();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
