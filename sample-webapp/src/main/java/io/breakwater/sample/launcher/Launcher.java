package io.breakwater.sample.launcher;

import java.io.IOException;
import java.net.BindException;

/**
 * The sample's command line: starts the sample web app in an embedded Jetty and serves until stopped. Bad input
 * (an unknown option, a bad number, a port in use) prints one line and exits with status 2, no stack trace.
 */
public final class Launcher {
    static final int USAGE_ERROR = 2;

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        SampleServer server;
        try {
            server = SampleServer.start(Options.parse(args));
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
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "breakwater-sample-stop"));
        System.out.println("Breakwater sample serving on http://127.0.0.1:" + server.port() + "/demo/hello"
                + ", JMX on " + server.jmxAddress());
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
