package io.breakwater.proxy.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * On Jetty, an upgraded connection keeps its connector's idle timeout (30 s by default), which would cut a quiet
 * tunnel before {@code tunnelIdleTimeout}: the tunnel's own timer takes over. Tomcat lifts its timeouts from an
 * upgraded connection itself. Stateless.
 */
final class TunnelEndPoints {
    private static final boolean JETTY = isPresent("org.eclipse.jetty.ee10.servlet.ServletContextRequest");

    private TunnelEndPoints() {
    }

    static void leaveIdleToTunnel(HttpServletRequest request) {
        if (JETTY) {
            OnJetty.noIdleTimeout(request);
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, TunnelEndPoints.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only on Jetty. */
    private static final class OnJetty {
        static void noIdleTimeout(HttpServletRequest request) {
            ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
            if (jetty != null) {
                jetty.getConnectionMetaData().getConnection().getEndPoint().setIdleTimeout(0);
            }
        }
    }
}
