package io.breakwater.sample.launcher;

import java.io.IOException;
import java.net.BindException;

/**
 * The sample's command line: starts the sample web app in an embedded Jetty and serves until SIGTERM or SIGINT,
 * then stops gracefully ({@link GracefulStop}) and exits with status 0. Bad input (an unknown option, a bad number,
 * a port in use, a keystore that does not open) prints one line and exits with status 2, no stack trace;
 * {@code --help} prints the usage and exits with status 0.
 */
public final class Launcher {
    static final int USAGE_ERROR = 2;

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        SampleServer server;
        try {
            options = Options.parse(args);
            if (options.help) {
                System.out.println(Options.USAGE);
                return;
            }
            server = SampleServer.start(options);
        } catch (IllegalArgumentException e) {
            exit(e.getMessage());
            return;
        } catch (IOException e) {
            if (isBindFailure(e)) {
                exit("cannot listen: " + e.getMessage().replace("Failed to bind to ", "the address is in use: "));
                return;
            }
            throw e;
        }
        GracefulStop stop = new GracefulStop(server, options.drainDelay, options.grace);
        if (!StopSignals.install(stop::signal)) {
            // no second signal, and the JVM's exit status 143, but the same drain
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.stop("shutdown"), "breakwater-sample-stop"));
        }
        String jmx = server.jmxAddress();
        System.out.println("Breakwater sample serving on http://127.0.0.1:" + server.port() + "/demo/hello"
                + (server.httpsPort() < 0 ? "" : " and https://localhost:" + server.httpsPort() + "/demo/hello")
                + (jmx == null ? ", JMX off" : ", JMX on " + jmx));
        server.join();
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    private static void exit(String message) {
        System.err.println("breakwater-sample: " + message);
        System.exit(USAGE_ERROR);
    }
}
