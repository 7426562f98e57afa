package io.breakwater.sample.launcher;

import io.breakwater.core.config.internal.Durations;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import io.breakwater.proxy.balance.internal.BackendSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The sample's command line: {@code --port N}, {@code --https-port N}, {@code --tls-keystore PATH},
 * {@code --tls-password-file PATH}, {@code --redirect-http}, {@code --backends URL,URL,...}, {@code --jmx-port N|off},
 * {@code --jmx-password-file PATH}, {@code --grace DURATION}, {@code --drain-delay DURATION}, {@code --help}.
 * Every value is read by the same parsers as Breakwater's parameters ({@code --backends} by the proxy's
 * {@code backends} one), with the same one-line messages. Immutable.
 */
final class Options {
    static final int DEFAULT_PORT = 8080;
    static final int DEFAULT_JMX_PORT = 9010;
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    static final Duration DEFAULT_DRAIN_DELAY = Duration.ZERO;
    /** {@link #jmxPort} when JMX is off. */
    static final int JMX_OFF = -1;
    /** {@link #httpsPort} when the sample serves plain HTTP only. */
    static final int HTTPS_OFF = -1;
    private static final String SAMPLE = "the sample";

    private static final Parameter<Integer> PORT = Parameter.required("--port", SAMPLE,
            Parsers.parser("a port number between 0 and 65535", text -> portNumber(text, 0)));
    private static final Parameter<List<BackendSpec>> BACKENDS = Parameter.required("--backends", SAMPLE,
            BackendSpec.listParser());
    private static final Parameter<Integer> JMX_PORT = Parameter.required("--jmx-port", SAMPLE,
            Parsers.parser("a port number between 1 and 65535, or off",
                    text -> text.equals("off") ? JMX_OFF : portNumber(text, 1)));
    private static final Parameter<Path> JMX_PASSWORD_FILE = Parameter.required("--jmx-password-file", SAMPLE,
            Parsers.parser("a readable file", Options::readableFile));
    private static final Parameter<Integer> HTTPS_PORT = Parameter.required("--https-port", SAMPLE,
            Parsers.parser("a port number between 0 and 65535", text -> portNumber(text, 0)));
    private static final Parameter<Path> TLS_KEYSTORE = Parameter.required("--tls-keystore", SAMPLE,
            Parsers.parser("a readable file", Options::readableFile));
    private static final Parameter<Path> TLS_PASSWORD_FILE = Parameter.required("--tls-password-file", SAMPLE,
            Parsers.parser("a readable file", Options::readableFile));
    private static final Parameter<Duration> GRACE = Parameter.required("--grace", SAMPLE,
            Parsers.duration(Duration.ofSeconds(1), Duration.ofHours(1)));
    private static final Parameter<Duration> DRAIN_DELAY = Parameter.required("--drain-delay", SAMPLE,
            Parsers.duration(Duration.ZERO, Duration.ofMinutes(10)));

    static final String SUMMARY = "--port N, --https-port N, --tls-keystore PATH, --tls-password-file PATH,"
            + " --redirect-http, --backends URL,URL,..., --jmx-port N|off, --jmx-password-file PATH,"
            + " --grace DURATION, --drain-delay DURATION, --help";
    static final String USAGE = String.join("\n",
            "usage: java -jar breakwater-sample.jar [options]",
            "  --port N                  the port to serve on, 0 for any free one (default " + DEFAULT_PORT + ");",
            "                            HTTP/1.1 and h2c (HTTP/2 by prior knowledge or Upgrade)",
            "  --https-port N            serve HTTPS too, HTTP/2 (ALPN) and HTTP/1.1, TLS 1.2 and 1.3 (default: none)",
            "  --tls-keystore PATH       the HTTPS key and certificate chain, a PKCS12 keystore (default: none)",
            "  --tls-password-file PATH  the keystore's password, the file's first line (default: none)",
            "  --redirect-http           answer plain HTTP with a redirect to HTTPS (default: off)",
            "  --backends URL,URL,...    the proxy's backends, each http(s)://host:port, optionally ;weight=N",
            "                            (1 to 100) (default: three embedded demo backends)",
            "  --jmx-port N|off          the JMX connector's port on 127.0.0.1, or off (default " + DEFAULT_JMX_PORT
                    + ")",
            "  --jmx-password-file PATH  JMX clients must log in as a user of this file, lines of \"user password\"",
            "                            (default: none, any local user connects)",
            "  --grace DURATION          how long a stop waits for requests in flight, 1s to 1h (default "
                    + Durations.format(DEFAULT_GRACE) + ")",
            "  --drain-delay DURATION    how long new connections are still taken after SIGTERM, 0 to 10m and",
            "                            shorter than the grace (default " + Durations.format(DEFAULT_DRAIN_DELAY)
                    + ")",
            "  -h, --help                print this and exit");

    final int port;
    /** The HTTPS port, or {@link #HTTPS_OFF}. */
    final int httpsPort;
    /** The PKCS12 keystore and its password file, both {@code null} without HTTPS. */
    final Path tlsKeystore;
    final Path tlsPasswordFile;
    /** Whether the plain port only redirects to HTTPS. */
    final boolean redirectHttp;
    /** The JMX connector's port on 127.0.0.1, or {@link #JMX_OFF}. */
    final int jmxPort;
    /** The JMX users' password file, or {@code null}: no login asked. */
    final Path jmxPasswordFile;
    /** The backends given, or empty for the demo ones. */
    final List<BackendSpec> backends;
    /** From the stop signal until in-flight requests are cut. */
    final Duration grace;
    /** From the stop signal until new connections are refused; readiness is 503 meanwhile. */
    final Duration drainDelay;
    /** Whether {@code --help} or {@code -h} asked for the usage instead. */
    final boolean help;

    private Options(int port, Tls tls, int jmxPort, Path jmxPasswordFile, List<BackendSpec> backends, Duration grace,
            Duration drainDelay, boolean help) {
        this.port = port;
        this.httpsPort = tls.port;
        this.tlsKeystore = tls.keystore;
        this.tlsPasswordFile = tls.passwordFile;
        this.redirectHttp = tls.redirectHttp;
        this.jmxPort = jmxPort;
        this.jmxPasswordFile = jmxPasswordFile;
        this.backends = backends;
        this.grace = grace;
        this.drainDelay = drainDelay;
        this.help = help;
    }

    /** Parses the arguments; a bad one throws {@link IllegalArgumentException} with a one-line message. */
    static Options parse(String... args) {
        int port = DEFAULT_PORT;
        int jmxPort = DEFAULT_JMX_PORT;
        Path jmxPasswordFile = null;
        List<BackendSpec> backends = List.of();
        Duration grace = DEFAULT_GRACE;
        Duration drainDelay = DEFAULT_DRAIN_DELAY;
        Tls tls = new Tls();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "-h", "--help" -> {
                    return new Options(port, tls, jmxPort, jmxPasswordFile, backends, grace, drainDelay, true);
                }
                case "--port" -> port = PORT.parse(value(args, ++i, option));
                case "--https-port" -> tls.port = HTTPS_PORT.parse(value(args, ++i, option));
                case "--tls-keystore" -> tls.keystore = TLS_KEYSTORE.parse(value(args, ++i, option));
                case "--tls-password-file" -> tls.passwordFile = TLS_PASSWORD_FILE.parse(value(args, ++i, option));
                case "--redirect-http" -> tls.redirectHttp = true;
                case "--tls-cert", "--tls-key" -> throw new IllegalArgumentException("unknown option " + option
                        + " (PEM files are not read: make a PKCS12 keystore of them, see the README's HTTPS section)");
                case "--jmx-port" -> jmxPort = JMX_PORT.parse(value(args, ++i, option));
                case "--jmx-password-file" -> jmxPasswordFile = JMX_PASSWORD_FILE.parse(value(args, ++i, option));
                case "--backends" -> backends = BACKENDS.parse(value(args, ++i, option));
                case "--grace" -> grace = GRACE.parse(value(args, ++i, option));
                case "--drain-delay" -> drainDelay = DRAIN_DELAY.parse(value(args, ++i, option));
                default -> throw new IllegalArgumentException("unknown option " + option + " (options: " + SUMMARY
                        + ")");
            }
        }
        if (drainDelay.compareTo(grace) >= 0) {
            throw new IllegalArgumentException("--drain-delay must be shorter than --grace (" + Durations.format(grace)
                    + "), but was \"" + Durations.format(drainDelay) + "\"");
        }
        if (jmxPasswordFile != null && jmxPort == JMX_OFF) {
            throw new IllegalArgumentException("--jmx-password-file needs JMX on, but --jmx-port was \"off\"");
        }
        tls.check();
        return new Options(port, tls, jmxPort, jmxPasswordFile, backends, grace, drainDelay, false);
    }

    /** The HTTPS options while they are read: all of them or none. */
    private static final class Tls {
        int port = HTTPS_OFF;
        Path keystore;
        Path passwordFile;
        boolean redirectHttp;

        void check() {
            if (port == HTTPS_OFF) {
                for (String needless : new String[] {keystore == null ? null : "--tls-keystore",
                        passwordFile == null ? null : "--tls-password-file", redirectHttp ? "--redirect-http" : null}) {
                    if (needless != null) {
                        throw new IllegalArgumentException(needless + " needs HTTPS on, but --https-port was not given");
                    }
                }
            } else if (keystore == null || passwordFile == null) {
                throw new IllegalArgumentException("--https-port needs --tls-keystore and --tls-password-file, but "
                        + (keystore == null ? "--tls-keystore" : "--tls-password-file") + " was not given");
            }
        }
    }

    /** The backends as the proxy's {@code backends} parameter reads them. */
    static String backendsParameter(List<BackendSpec> backends) {
        return backends.stream().map(spec -> spec.uri() + (spec.weight() == 1 ? "" : ";weight=" + spec.weight()))
                .collect(Collectors.joining(","));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int portNumber(String text, int min) {
        int port = Integer.parseInt(text);
        if (port < min || port > 65535) {
            throw new IllegalArgumentException(text);
        }
        return port;
    }

    private static Path readableFile(String text) {
        Path path = Path.of(text);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException(text);
        }
        return path;
    }
}
