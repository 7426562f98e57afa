package io.breakwater.sample.launcher;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** The sample's command line: {@code --port N}, {@code --backends URL,URL,...}, {@code --jmx-port N}. Immutable. */
final class Options {
    static final int DEFAULT_PORT = 8080;
    static final int DEFAULT_JMX_PORT = 9010;

    final int port;
    final int jmxPort;
    final List<URI> backends;

    private Options(int port, int jmxPort, List<URI> backends) {
        this.port = port;
        this.jmxPort = jmxPort;
        this.backends = backends;
    }

    /** Parses the arguments; a bad one throws {@link IllegalArgumentException} with a one-line message. */
    static Options parse(String... args) {
        int port = DEFAULT_PORT;
        int jmxPort = DEFAULT_JMX_PORT;
        List<URI> backends = List.of();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--port":
                    port = port(option, value(args, ++i, option));
                    break;
                case "--jmx-port":
                    jmxPort = port(option, value(args, ++i, option));
                    break;
                case "--backends":
                    backends = backends(value(args, ++i, option));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + option
                            + " (options: --port N, --backends URL,URL,..., --jmx-port N)");
            }
        }
        return new Options(port, jmxPort, backends);
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
