package io.breakwater.core.servlet.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The response as the handler sees it under a deadline (the request's, or a guarded filter's own): every change
 * passes the {@link ResponseGate}, so that once the deadline owns the response, header changes are dropped and
 * writes fail, and nothing the handler does after the deadline reaches the client. The changes a handler (or a proxy passing a backend's answer on) makes on every
 * request enter the gate inline; the rare ones pass it as a lambda. One per request; as thread-safe as the gate
 * makes it.
 */
public final class GatedResponse extends HttpServletResponseWrapper {
    private final ResponseGate gate;
    private ServletOutputStream output;
    private PrintWriter writer;

    public GatedResponse(HttpServletResponse response, ResponseGate gate) {
        super(response);
        this.gate = gate;
    }

    private HttpServletResponse real() {
        return (HttpServletResponse) getResponse();
    }

    private void change(Runnable change) {
        try {
            gate.pass(change::run);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private void write(ResponseGate.IoAction action) throws IOException {
        if (!gate.pass(action)) {
            throw lateWrite();
        }
    }

    /** Enters the gate to write, or throws when the deadline owns the response; {@code leave()} must follow. */
    private void enterToWrite() throws IOException {
        if (!gate.enter()) {
            throw lateWrite();
        }
    }

    private static InterruptedIOException lateWrite() {
        return new InterruptedIOException("the deadline passed; nothing more reaches the client");
    }

    /**
     * The first call takes the real stream inside the gate: taking it picks the response's output mode, which the
     * timeout's answer, taking the stream itself after a reset, must not find changed under it.
     */
    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (output == null) {
            enterToWrite();
            try {
                output = new GatedOutput(real().getOutputStream());
            } finally {
                gate.leave();
            }
        }
        return output;
    }

    /** As {@link #getOutputStream()}: the first call takes the real writer inside the gate. */
    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            enterToWrite();
            try {
                writer = new PrintWriter(new GatedWriter(real().getWriter()));
            } finally {
                gate.leave();
            }
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        write(() -> real().flushBuffer());
    }

    /** A negative status is Jetty's abort of the connection (its proxy's, once the answer was committed). */
    @Override
    public void sendError(int sc, String msg) throws IOException {
        if (sc < 0) {
            gate.aborting();
        }
        gate.pass(() -> real().sendError(sc, msg));
    }

    @Override
    public void sendError(int sc) throws IOException {
        if (sc < 0) {
            gate.aborting();
        }
        gate.pass(() -> real().sendError(sc));
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        gate.pass(() -> real().sendRedirect(location));
    }

    @Override
    public void reset() {
        change(() -> real().reset());
    }

    @Override
    public void resetBuffer() {
        change(() -> real().resetBuffer());
    }

    @Override
    public void setBufferSize(int size) {
        change(() -> real().setBufferSize(size));
    }

    @Override
    public void setCharacterEncoding(String charset) {
        if (gate.enter()) {
            try {
                real().setCharacterEncoding(charset);
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void setContentLength(int len) {
        if (gate.enter()) {
            try {
                real().setContentLength(len);
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void setContentLengthLong(long len) {
        if (gate.enter()) {
            try {
                real().setContentLengthLong(len);
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void setContentType(String type) {
        if (gate.enter()) {
            try {
                real().setContentType(type);
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void setLocale(Locale loc) {
        change(() -> real().setLocale(loc));
    }

    @Override
    public void addCookie(Cookie cookie) {
        change(() -> real().addCookie(cookie));
    }

    @Override
    public void setDateHeader(String name, long date) {
        change(() -> real().setDateHeader(name, date));
    }

    @Override
    public void addDateHeader(String name, long date) {
        change(() -> real().addDateHeader(name, date));
    }

    @Override
    public void setHeader(String name, String value) {
        if (gate.enter()) {
            try {
                real().setHeader(name, value);
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (gate.enter()) {
            try {
                real().addHeader(name, value);
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        change(() -> real().setIntHeader(name, value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        change(() -> real().addIntHeader(name, value));
    }

    @Override
    public void setStatus(int sc) {
        if (gate.enter()) {
            try {
                real().setStatus(sc);
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void setTrailerFields(Supplier<Map<String, String>> supplier) {
        change(() -> real().setTrailerFields(supplier));
    }

    /** The handler's output stream: its bytes pass the gate, as does code that reaches the real stream beneath. */
    private final class GatedOutput extends ServletOutputStream implements WrappedOutput {
        private final ServletOutputStream out;

        GatedOutput(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            enterToWrite();
            try {
                out.write(b);
            } finally {
                gate.leave();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            enterToWrite();
            try {
                out.write(b, off, len);
            } finally {
                gate.leave();
            }
        }

        @Override
        public void flush() throws IOException {
            enterToWrite();
            try {
                out.flush();
            } finally {
                gate.leave();
            }
        }

        @Override
        public boolean withWrapped(Use use) throws IOException {
            enterToWrite();
            try {
                return use.with(out);
            } finally {
                gate.leave();
            }
        }

        @Override
        public void close() throws IOException {
            if (gate.enter()) {
                try {
                    out.close();
                } finally {
                    gate.leave();
                }
            }
        }

        @Override
        public boolean isReady() {
            return !gate.isClosed() && out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }

    /** The handler's writer: its characters pass the gate; the PrintWriter around it swallows the failure. */
    private final class GatedWriter extends Writer {
        private final PrintWriter out;

        GatedWriter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] chars, int off, int len) throws IOException {
            enterToWrite();
            try {
                out.write(chars, off, len);
            } finally {
                gate.leave();
            }
        }

        @Override
        public void write(String text, int off, int len) throws IOException {
            enterToWrite();
            try {
                out.write(text, off, len);
            } finally {
                gate.leave();
            }
        }

        @Override
        public void flush() throws IOException {
            GatedResponse.this.write(out::flush);
        }

        @Override
        public void close() throws IOException {
            gate.pass(out::close);
        }
    }
}
