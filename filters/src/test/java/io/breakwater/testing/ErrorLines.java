package io.breakwater.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The ERROR lines logged while it is open: the test binding (slf4j-simple) writes to whatever {@code System.err} is
 * at the time, so this tees it. Close it to restore {@code System.err}.
 */
public final class ErrorLines implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private ErrorLines() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                synchronized (captured) {
                    captured.write(bytes, offset, length);
                }
                original.write(bytes, offset, length);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    public static ErrorLines capture() {
        return new ErrorLines();
    }

    /** The lines logged at ERROR so far. */
    public List<String> lines() {
        return lines("ERROR");
    }

    /** The lines logged at {@code level} ({@code WARN}, {@code ERROR}) so far. */
    public List<String> lines(String level) {
        String text;
        synchronized (captured) {
            text = captured.toString(StandardCharsets.UTF_8);
        }
        return Arrays.stream(text.split("\n")).filter(line -> line.contains("] " + level + " "))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
