package io.breakwater.sample.launcher;

import io.breakwater.config.Durations;
import io.breakwater.config.Parsers;
import io.breakwater.config.ValueParser;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample's command line: {@code --port N}, {@code --backends URL,URL,...}, {@code --jmx-port N|off},
 * {@code --jmx-password-file PATH}, {@code --grace DURATION}, {@code --drain-delay DURATION}. Immutable.
 */
final class Options {
    static final int DEFAULT_PORT = 8080;
    static final int DEFAULT_JMX_PORT = 9010;
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    static final Duration DEFAULT_DRAIN_DELAY = Duration.ZERO;
    /** {@link #jmxPort} when JMX is off. */
    static final int JMX_OFF = -1;
    static final String SUMMARY = "--port N, --backends URL,URL,..., --jmx-port N|off, --jmx-password-file PATH,"
            + " --grace DURATION, --drain-delay DURATION";
    private static final ValueParser<Duration> GRACE = Parsers.duration(Duration.ofSeconds(1), Duration.ofHours(1));
    private static final ValueParser<Duration> DRAIN_DELAY = Parsers.duration(Duration.ZERO, Duration.ofMinutes(10));

    final int port;
    /** The JMX connector's port on 127.0.0.1, or {@link #JMX_OFF}. */
    final int jmxPort;
    /** The JMX users' password file, or {@code null}: no login asked. */
    final Path jmxPasswordFile;
    final List<URI> backends;
    /** From the stop signal until in-flight requests are cut. */
    final Duration grace;
    /** From the stop signal until new connections are refused; readiness is 503 meanwhile. */
    final Duration drainDelay;

    private Options(int port, int jmxPort, Path jmxPasswordFile, List<URI> backends, Duration grace,
            Duration drainDelay) {
        this.port = port;
        this.jmxPort = jmxPort;
        this.jmxPasswordFile = jmxPasswordFile;
        this.backends = backends;
        this.grace = grace;
        this.drainDelay = drainDelay;
    }

    /** Parses the arguments; a bad one throws {@link IllegalArgumentException} with a one-line message. */
    static Options parse(String... args) {
        int port = DEFAULT_PORT;
        int jmxPort = DEFAULT_JMX_PORT;
        Path jmxPasswordFile = null;
        List<URI> backends = List.of();
        Duration grace = DEFAULT_GRACE;
        Duration drainDelay = DEFAULT_DRAIN_DELAY;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--port":
                    port = port(option, value(args, ++i, option));
                    break;
                case "--jmx-port":
                    jmxPort = jmxPort(value(args, ++i, option));
                    break;
                case "--jmx-password-file":
                    jmxPasswordFile = readableFile(option, value(args, ++i, option));
                    break;
                case "--backends":
                    backends = backends(value(args, ++i, option));
                    break;
                case "--grace":
                    grace = duration(option, GRACE, value(args, ++i, option));
                    break;
                case "--drain-delay":
                    drainDelay = duration(option, DRAIN_DELAY, value(args, ++i, option));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + option + " (options: " + SUMMARY + ")");
            }
        }
        if (drainDelay.compareTo(grace) >= 0) {
            throw new IllegalArgumentException("--drain-delay must be shorter than --grace (" + Durations.format(grace)
                    + "), but was \"" + Durations.format(drainDelay) + "\"");
        }
        if (jmxPasswordFile != null && jmxPort == JMX_OFF) {
            throw new IllegalArgumentException("--jmx-password-file needs JMX on, but --jmx-port was \"off\"");
        }
        return new Options(port, jmxPort, jmxPasswordFile, backends, grace, drainDelay);
    }

    private static Duration duration(String option, ValueParser<Duration> parser, String text) {
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " must be " + parser.accepted() + ", but was \"" + text
                    + "\"", e);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String option, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw new IllegalArgumentException(option + " must be a port number between 0 and 65535, but was \""
                + text + "\"");
    }

    private static int jmxPort(String text) {
        if (text.equals("off")) {
            return JMX_OFF;
        }
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw new IllegalArgumentException("--jmx-port must be a port number between 1 and 65535, or off, but was \""
                + text + "\"");
    }

    private static Path readableFile(String option, String text) {
        Path path = Path.of(text);
        if (Files.isRegularFile(path) && Files.isReadable(path)) {
            return path;
        }
        throw new IllegalArgumentException(option + " must be a readable file, but was \"" + text + "\"");
    }

    private static List<URI> backends(String text) {
        List<URI> backends = new ArrayList<>();
        for (String item : text.split(",")) {
            try {
                URI uri = new URI(item.trim());
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    backends.add(uri);
                    continue;
                }
            } catch (java.net.URISyntaxException e) {
                // falls through to the message
            }
            throw new IllegalArgumentException("--backends must be a comma-separated list of http:// or https://"
                    + " URLs, but had \"" + item.trim() + "\"");
        }
        return List.copyOf(backends);
    }
}
