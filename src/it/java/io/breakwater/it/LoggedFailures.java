package io.breakwater.it;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The failures logged while it listens, in either container: what Tomcat (and anything else on
 * java.util.logging) logs as {@code SEVERE} with a throwable, and any {@code IllegalStateException} logged at all,
 * through java.util.logging or through slf4j (slf4j-simple, which writes to {@code System.err}: Jetty's thread pools
 * log a job's failure there). Such an exception is how Tomcat refuses a thread that uses a request after the
 * container ended it (its async cycle after {@code onError}, a recycled request or response), which no status a
 * client sees shows. What is written to {@code System.err} still reaches it. Use it from one thread; it is closed
 * once.
 */
final class LoggedFailures implements AutoCloseable {
    private static final Logger ROOT = Logger.getLogger("");
    private static final String REFUSED = IllegalStateException.class.getName();

    private final List<String> failures = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            Throwable thrown = record.getThrown();
            if (thrown != null && (record.getLevel().intValue() >= Level.SEVERE.intValue()
                    || thrown instanceof IllegalStateException)) {
                note(record.getLevel() + " " + record.getLoggerName() + ": " + thrown);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final PrintStream err;
    private final Lines lines = new Lines();

    private LoggedFailures() {
        err = System.err;
    }

    /** Listens from now until {@link #close}. */
    static LoggedFailures listen() {
        LoggedFailures logged = new LoggedFailures();
        ROOT.addHandler(logged.handler);
        System.setErr(new PrintStream(new Tee(logged.err, logged.lines), true, StandardCharsets.UTF_8));
        return logged;
    }

    /** The failures logged so far, one line each. */
    List<String> failures() {
        lines.flushLine();
        synchronized (this) {
            return List.copyOf(failures);
        }
    }

    private synchronized void note(String failure) {
        failures.add(failure);
    }

    @Override
    public void close() {
        System.setErr(err);
        ROOT.removeHandler(handler);
    }

    /** What is written to {@code System.err}, line by line, noting each line that shows the exception. */
    private final class Lines {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        synchronized void write(int b) {
            if (b == '\n') {
                flushLine();
            } else {
                line.write(b);
            }
        }

        synchronized void flushLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (text.contains(REFUSED)) {
                note("System.err: " + text.strip());
            }
        }
    }

    /** Writes to the stream it stands in for, and to {@link Lines}. */
    private static final class Tee extends OutputStream {
        private final PrintStream out;
        private final Lines lines;

        Tee(PrintStream out, Lines lines) {
            this.out = out;
            this.lines = lines;
        }

        @Override
        public void write(int b) {
            out.write(b);
            lines.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            out.write(bytes, offset, length);
            for (int i = offset; i < offset + length; i++) {
                lines.write(bytes[i]);
            }
        }

        @Override
        public void flush() {
            out.flush();
        }
    }
}
